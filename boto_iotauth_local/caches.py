"""The per-call caches: each bounded in bytes, and all released together when the last activation stops.

Test suites repeat the same requests, so every layer keeps what it worked out (decoded requests, policy
sets, bound decisions, encoded answers). A cache that counted only entries would hold five 18 MB requests
as readily as five small ones; these count an estimate of the bytes each entry keeps alive, refuse an entry
larger than a share of their budget, and drop their oldest entries to make room. Nothing here is needed
for correctness: a cleared cache only costs the next call the work again.

Imports nothing from the package, so every layer can register its caches here.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

#: Bytes a cache may hold unless it says otherwise. Small on purpose: every cached object is one more for
#: the garbage collector to walk on each full collection, and with 16 MB per cache that walk doubled the
#: cost of a first answer. A few hundred entries per cache cover the repeats of a test suite.
DEFAULT_BUDGET = 2 * 1024 * 1024
#: Estimated bytes of a small Python object (a dict entry, a short tuple, a small dataclass).
OBJECT_BYTES = 100


#: How many keys a second-sight cache remembers having been offered once (as hashes: a few bytes each).
SEEN_KEYS = 4096


class ByteBoundedCache(Generic[K, V]):
    """A mapping whose entries carry an estimated size; the oldest go first when the budget is reached.

    Reads take no lock (a dict lookup is atomic); writes do. An entry larger than an eighth of the budget
    is not kept at all, so one huge request can never push out everything else.

    With ``second_sight``, a key is kept only when offered a second time; the first offer is remembered as
    the key's hash alone. For caches that a run of first answers (a new resource in every request) would
    otherwise fill with entries never read again: each one kept is more for the garbage collector to walk,
    and dropping it to make room delays the next collection while the young objects pile up. A hash shared
    by two keys only admits the second one early.
    """

    __slots__ = ("_entries", "_lock", "_seen", "_sizes", "budget", "held", "largest", "name")

    def __init__(self, name: str, budget: int = DEFAULT_BUDGET, *, second_sight: bool = False) -> None:
        self.name = name
        self.budget = budget
        self.largest = budget // 8
        self.held = 0
        # An OrderedDict: dropping the oldest of a plain dict leaves tombstones that the next search for
        # the oldest walks again, which made every insertion into a full cache linear in its size. Sizes
        # live apart so that an entry is the value itself, with no tuple of its own to collect.
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._sizes: dict[K, int] = {}
        self._seen: OrderedDict[int, None] | None = OrderedDict() if second_sight else None
        self._lock = threading.Lock()
        register(self.clear)
        with _registry_lock:
            _caches.append(self)

    def get(self, key: K) -> V | None:
        return self._entries.get(key)

    def put(self, key: K, value: V, size: int) -> bool:
        """Keep ``value`` under ``key``; False when it is not kept (too large, or a first offer)."""
        size += OBJECT_BYTES
        if size > self.largest:
            return False
        entries = self._entries
        sizes = self._sizes
        seen = self._seen
        with self._lock:
            if seen is not None and key not in entries:
                mark = hash(key)
                if mark not in seen:
                    seen[mark] = None
                    if len(seen) > SEEN_KEYS:
                        seen.popitem(last=False)
                    return False
                del seen[mark]
            old = sizes.pop(key, None)
            if old is not None:
                self.held -= old
                del entries[key]
            while entries and self.held + size > self.budget:
                self.held -= sizes.pop(entries.popitem(last=False)[0])
            entries[key] = value
            sizes[key] = size
            self.held += size
        return True

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._sizes.clear()
            if self._seen is not None:
                self._seen.clear()
            self.held = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"ByteBoundedCache({self.name!r}, {len(self)} entries, {self.held:,} of {self.budget:,} bytes)"


_releasers: list[Callable[[], None]] = []
_caches: list[ByteBoundedCache[Any, Any]] = []
_registry_lock = threading.Lock()


def register(clear: Callable[[], None]) -> None:
    """Have ``release`` call ``clear`` (a cache's own clear, an ``lru_cache``'s ``cache_clear``...)."""
    with _registry_lock:
        _releasers.append(clear)


def release() -> None:
    """Empty every registered cache: called when the last activation stops, and free to call any time."""
    with _registry_lock:
        releasers = list(_releasers)
    for clear in releasers:
        clear()


def held_bytes() -> int:
    """Estimated bytes held by every byte-bounded cache now."""
    with _registry_lock:
        caches = list(_caches)
    return sum(cache.held for cache in caches)


def text_bytes(*texts: str | bytes) -> int:
    """Estimated bytes kept by some strings (CPython: about one byte a character, plus a header)."""
    return sum(map(len, texts)) + 50 * len(texts)
