"""Lists of the RSA keys Debian's OpenSSL made predictable (CVE-2008-0166): what the key-quality audit
checks compare certificates' moduli with.

The format is the one Debian and Ubuntu shipped in ``openssl-blacklist`` (``openssl-vulnkey(1)``, section
"BLACKLIST SHA1SUM FORMAT"): a file ``blacklist.RSA-<bits>`` for one key size; optional leading ``#`` comment
lines; then one line per key, the lower-case hex SHA-1 of ``Modulus=<MODULUS IN UPPER-CASE HEX>\\n`` (what
``openssl x509 -noout -modulus`` prints) without its first 20 hex characters, i.e. its last 80 bits.

A file is read whole and checked before any of it is used: a line out of format rejects the file, naming
it and the line. Parsed lists are cached by file identity (path, size, modification time), so registering
the same 32,767-line list in many worlds or audits reads it once.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from boto_iotauth_local.world.base import WorldBase

#: Where the ``openssl-blacklist`` package installed its lists on Debian and Ubuntu.
SYSTEM_DIRECTORY = Path("/usr/share/openssl-blacklist")
#: Debian's lists hold 32,767 keys each (about 700 KB); this leaves room for merged lists.
MAX_LIST_BYTES = 16 * 1024 * 1024
FINGERPRINT_HEX = 20
_NAME = re.compile(r"blacklist\.RSA-([1-9][0-9]{0,5})")
_LINE = re.compile(rb"[0-9a-f]{20}")


class WeakKeyListError(ValueError):
    """A weak-key list that cannot be used: the message names the file and, for content, the line."""


@dataclass(frozen=True)
class WeakKeyList:
    """One list: its file, the key size it covers, and the last 80 bits of each key's modulus fingerprint."""

    #: The file's absolute path.
    path: str
    bits: int
    fingerprints: frozenset[bytes] = field(repr=False)

    def lists(self, modulus: int) -> bool:
        """Whether this list names the RSA key with this modulus (its size must be the list's size)."""
        return modulus.bit_length() == self.bits and modulus_fingerprint(modulus) in self.fingerprints


def modulus_fingerprint(modulus: int) -> bytes:
    """The 10 bytes a list holds for a modulus: the last 80 bits of SHA-1 of ``Modulus=<HEX>\\n``.

    ``openssl x509 -noout -modulus`` prints the modulus in upper-case hex without leading zeros, as
    ``format(modulus, "X")`` does.
    """
    return hashlib.sha1(f"Modulus={modulus:X}\n".encode("ascii")).digest()[-FINGERPRINT_HEX // 2 :]


def key_size_of(path: str | os.PathLike[str]) -> int:
    """The key size a list's file name says (``blacklist.RSA-2048`` -> 2048); WeakKeyListError otherwise."""
    match = _NAME.fullmatch(Path(path).name)
    if match is None:
        raise WeakKeyListError(
            f"{os.fspath(path)}: a weak-key list must be named blacklist.RSA-<bits> (as openssl-blacklist "
            "names them, e.g. blacklist.RSA-2048): the name says which key size it covers"
        )
    return int(match.group(1))


def parse_weak_key_list(data: bytes, path: str, bits: int) -> WeakKeyList:
    """The list in ``data``; WeakKeyListError naming ``path`` and the first line out of format."""
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()  # the newline that ends the last line
    fingerprints: set[bytes] = set()
    in_comments = True
    for number, line in enumerate(lines, start=1):
        if in_comments and line.startswith(b"#"):
            continue
        in_comments = False
        if _LINE.fullmatch(line) is None:
            shown = line[:40].decode("utf-8", "replace")
            hint = " (comments are allowed only before the first key)" if line.startswith(b"#") else ""
            raise WeakKeyListError(
                f"{path}, line {number}: {shown!r} is not 20 lower-case hex characters (the last 80 bits "
                f"of a modulus's SHA-1 fingerprint){hint}"
            )
        fingerprints.add(bytes.fromhex(line.decode("ascii")))
    if not fingerprints:
        raise WeakKeyListError(f"{path}: the list holds no keys (only comments, or nothing)")
    return WeakKeyList(path, bits, frozenset(fingerprints))


#: absolute path -> (the file's version: device, inode, size, modification time; its parsed list)
_cache: dict[str, tuple[tuple[int, int, int, int], WeakKeyList]] = {}
_cache_lock = threading.Lock()


def read_weak_key_list(path: str | os.PathLike[str]) -> WeakKeyList:
    """The list in the file at ``path``, parsed again only when the file changed; WeakKeyListError naming the
    file (and the line) when it cannot be read or is out of format."""
    shown = os.fspath(path)
    bits = key_size_of(shown)
    try:
        info = os.stat(shown)  # before opening: opening a FIFO would wait for a writer
        if not stat.S_ISREG(info.st_mode):
            raise WeakKeyListError(f"{shown}: not a regular file")
        if info.st_size > MAX_LIST_BYTES:
            raise WeakKeyListError(
                f"{shown}: {info.st_size} bytes, more than the {MAX_LIST_BYTES} a weak-key list may have"
            )
        absolute = os.path.abspath(shown)
        version = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
        with _cache_lock:
            cached = _cache.get(absolute)
        if cached is not None and cached[0] == version:
            return cached[1]
        with open(shown, "rb") as handle:
            data = handle.read(MAX_LIST_BYTES + 1)
    except FileNotFoundError:
        raise WeakKeyListError(f"{shown}: no such file") from None
    except OSError as exc:
        raise WeakKeyListError(f"{shown}: cannot be read ({exc.strerror or exc})") from None
    if len(data) > MAX_LIST_BYTES:
        raise WeakKeyListError(f"{shown}: more than the {MAX_LIST_BYTES} bytes a weak-key list may have")
    parsed = parse_weak_key_list(data, absolute, bits)
    with _cache_lock:
        _cache[absolute] = (version, parsed)  # a file's older versions are dropped
    return parsed


def system_weak_key_lists(directory: str | os.PathLike[str] | None = None) -> tuple[WeakKeyList, ...]:
    """The lists installed in ``directory`` (default :data:`SYSTEM_DIRECTORY`), by key size; none when the
    directory does not exist. Other files there are ignored; a list out of format raises WeakKeyListError."""
    folder = Path(directory if directory is not None else SYSTEM_DIRECTORY)
    try:
        names = sorted(entry.name for entry in os.scandir(folder) if _NAME.fullmatch(entry.name))
    except (FileNotFoundError, NotADirectoryError):
        return ()
    except OSError as exc:
        raise WeakKeyListError(f"{folder}: cannot be listed ({exc.strerror or exc})") from None
    return tuple(sorted((read_weak_key_list(folder / name) for name in names), key=lambda w: w.bits))


def read_weak_key_lists(paths: object, parameter: str = "weak_key_lists") -> tuple[WeakKeyList, ...]:
    """Each path's list, all checked before any is used; TypeError for a lone path (not a list of them)."""
    if isinstance(paths, (str, bytes, os.PathLike)):
        raise TypeError(
            f"{parameter} takes a list of paths, not one path: write {parameter}=[{os.fspath(paths)!r}]"
        )
    if not hasattr(paths, "__iter__"):
        raise TypeError(f"{parameter} takes a list of paths, not {type(paths).__name__}")
    found: list[WeakKeyList] = []
    for path in paths:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"{parameter} takes paths (str or os.PathLike), not {type(path).__name__}")
        found.append(read_weak_key_list(path))
    return tuple(found)


class WeakKeyListOperations(WorldBase):
    """Weak-key lists given to this world (a local-only writer: AWS IoT holds these lists itself)."""

    def register_weak_key_list(self, path: str | os.PathLike[str]) -> dict[str, Any]:
        """Add a list of CVE-2008-0166 keys (``blacklist.RSA-<bits>``, the openssl-blacklist format) for the
        key-quality audit checks; returns its path, key size and number of keys. WeakKeyListError, naming
        the file and line, for a file out of format; nothing is added then."""
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a str or os.PathLike, not {type(path).__name__}")
        listed = read_weak_key_list(path)
        with self._lock:
            if all(known.path != listed.path for known in self._weak_key_lists):
                self._weak_key_lists = (*self._weak_key_lists, listed)
            else:
                self._weak_key_lists = tuple(
                    listed if known.path == listed.path else known for known in self._weak_key_lists
                )
        return {"path": listed.path, "keySize": listed.bits, "keys": len(listed.fingerprints)}

    def weak_key_lists(self) -> tuple[WeakKeyList, ...]:
        """Every list registered, in order (the audit adds those under :data:`SYSTEM_DIRECTORY`)."""
        return self._weak_key_lists
