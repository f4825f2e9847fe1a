"""Turning a function's handler setting into the callable Lambda would call.

Accepted forms:

* a callable: used as is;
* ``module.function`` — Lambda's own handler setting (``app.handler``, ``src/app.handler``), the module
  looked up first in the function's ``code_dir`` (Lambda's ``LAMBDA_TASK_ROOT``), then on ``sys.path``;
  ``package.module.function`` works the same way;
* ``package.module:function`` — the entry-point style, same lookup;
* ``path/to/app.py:handler`` — a file, relative to ``code_dir`` when given (else to the working directory);
  the code directory (or, without one, the file's own directory) goes on ``sys.path`` so that the file's
  sibling imports work as they do on Lambda.

A reference that names nothing raises :class:`HandlerReferenceError`; a module that exists but fails while
importing raises :class:`HandlerImportError` (that is the user's code failing, reported as such).

This module imports only the standard library: the isolated worker loads it by file path without
importing the package.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

Handler = Callable[[Any, Any], Any]

_FILE_MODULE_PREFIX = "_iotauth_handler_"


class HandlerReferenceError(ValueError):
    """A handler reference that does not name a callable: bad syntax, no such module or function."""


class HandlerImportError(Exception):
    """Importing the handler's module raised; the original exception is ``__cause__``."""

    def __init__(self, module: str, cause: BaseException) -> None:
        super().__init__(f"Unable to import module '{module}'")
        self.module = module
        self.cause = cause


def describe(handler: object) -> str:
    """A readable name for a handler setting, for messages."""
    if isinstance(handler, str):
        return repr(handler)
    module = getattr(handler, "__module__", None)
    qualname = getattr(handler, "__qualname__", None) or type(handler).__qualname__
    return f"{module}.{qualname}" if module else qualname


def split_reference(reference: str) -> tuple[str, str, str]:
    """``(kind, target, attribute)`` with kind ``"file"`` or ``"module"``; raise on malformed references."""
    text = reference.strip()
    if ":" in text:
        target, _, attribute = text.rpartition(":")
        kind = "file" if target.endswith(".py") or os.sep in target or "/" in target else "module"
    else:
        target, _, attribute = text.rpartition(".")
        kind = "module"
        target = target.replace("/", ".").replace(os.sep, ".")
    if not target or not attribute or not all(part.isidentifier() for part in attribute.split(".")):
        raise HandlerReferenceError(
            f"handler {reference!r} is not a valid reference; use 'module.function' (Lambda's form), "
            "'package.module:function' or 'path/to/file.py:function'"
        )
    if kind == "module" and not all(part.isidentifier() for part in target.split(".")):
        raise HandlerReferenceError(f"handler {reference!r}: {target!r} is not a valid module name")
    return kind, target, attribute


def _put_first_on_path(directory: str) -> None:
    """Lambda searches the task root before anything else; so does this, even if it was already listed."""
    if sys.path[:1] != [directory]:
        while directory in sys.path:
            sys.path.remove(directory)
        sys.path.insert(0, directory)


def _search_note(code_dir: str | None) -> str:
    return f"looked in code_dir {code_dir!r}, then sys.path" if code_dir else "looked on sys.path"


def _import_module(name: str, reference: str, code_dir: str | None) -> ModuleType:
    if code_dir:
        _put_first_on_path(code_dir)
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if name == missing or name.startswith(missing + "."):
            raise HandlerReferenceError(
                f"handler {reference!r}: no module named {missing!r} ({_search_note(code_dir)})"
            ) from None
        raise HandlerImportError(name, exc) from exc
    except (Exception, SystemExit) as exc:
        raise HandlerImportError(name, exc) from exc
    _check_not_shadowed(module, name, reference, code_dir)
    return module


def _check_not_shadowed(module: ModuleType, name: str, reference: str, code_dir: str | None) -> None:
    """Refuse a module of the same name already imported from elsewhere than ``code_dir``."""
    if not code_dir:
        return
    relative = name.replace(".", os.sep)
    candidates = [os.path.join(code_dir, relative + ".py"), os.path.join(code_dir, relative, "__init__.py")]
    expected = next((path for path in candidates if os.path.isfile(path)), None)
    loaded = getattr(module, "__file__", None)
    if expected and loaded and os.path.realpath(loaded) != os.path.realpath(expected):
        raise HandlerReferenceError(
            f"handler {reference!r}: module {name!r} is already imported in this process from {loaded!r}, "
            f"not from code_dir {code_dir!r}; run the function isolated to give it its own interpreter"
        )


def _load_file(path: str, reference: str, code_dir: str | None) -> ModuleType:
    if not os.path.isfile(path):
        raise HandlerReferenceError(f"handler {reference!r}: no file {path!r}")
    _put_first_on_path(code_dir or os.path.dirname(path))
    digest = hashlib.sha1(path.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    stem = os.path.splitext(os.path.basename(path))[0]
    name = f"{_FILE_MODULE_PREFIX}{digest}_{stem if stem.isidentifier() else 'module'}"
    cached = sys.modules.get(name)
    if cached is not None:
        return cached
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise HandlerReferenceError(f"handler {reference!r}: {path!r} cannot be imported as Python")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as exc:
        del sys.modules[name]
        raise HandlerImportError(path, exc) from exc
    return module


def _get_attribute(module: ModuleType, attribute: str, reference: str, where: str) -> Handler:
    target: Any = module
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise HandlerReferenceError(
                f"handler {reference!r}: {where} has no attribute {attribute!r}"
            ) from None
    if not callable(target):
        raise HandlerReferenceError(
            f"handler {reference!r}: {attribute!r} in {where} is a {type(target).__name__}, not a callable"
        )
    handler: Handler = target
    return handler


def _module_location(module: ModuleType) -> str:
    location = getattr(module, "__file__", None)
    return f"module {module.__name__!r} ({location})" if location else f"module {module.__name__!r}"


def resolve_reference(reference: str, *, code_dir: str | os.PathLike[str] | None = None) -> Handler:
    """Import what ``reference`` names and return the callable."""
    kind, target, attribute = split_reference(reference)
    return _resolve(reference, kind, target, attribute, os.path.abspath(code_dir) if code_dir else None)


def _resolve(reference: str, kind: str, target: str, attribute: str, code_dir: str | None) -> Handler:
    if kind == "file":
        base = code_dir or os.getcwd()
        path = os.path.normpath(os.path.join(base, os.path.expanduser(target)))
        module = _load_file(path, reference, code_dir)
        return _get_attribute(module, attribute, reference, f"file {path!r}")
    module = _import_module(target, reference, code_dir)
    return _get_attribute(module, attribute, reference, _module_location(module))


def resolve_handler(handler: Handler | str, *, code_dir: str | os.PathLike[str] | None = None) -> Handler:
    """The callable for a handler setting: a callable itself, or a string reference resolved."""
    if isinstance(handler, str):
        return resolve_reference(handler, code_dir=code_dir)
    if callable(handler):
        return handler
    raise HandlerReferenceError(
        f"handler must be a callable or a reference string, not {type(handler).__name__}"
    )


def _same_callable(found: Any, func: Any) -> bool:
    if found is func:
        return True
    # A classmethod is a new bound object on every attribute access; compare what it binds.
    inner = getattr(found, "__func__", None)
    return (
        inner is not None
        and inner is getattr(func, "__func__", None)
        and getattr(found, "__self__", None) is getattr(func, "__self__", None)
    )


def importable_reference(func: Handler) -> str:
    """A ``module:qualname`` (or ``file.py:qualname``) reference another interpreter can resolve to ``func``.

    Used to run a callable isolated. Functions defined inside other functions, lambdas and objects that
    their module does not expose under their qualified name cannot be re-imported and are refused.
    """
    module_name = getattr(func, "__module__", None)
    qualname = getattr(func, "__qualname__", None)
    name = describe(func)
    if not module_name or not qualname:
        raise HandlerReferenceError(
            f"handler {name} cannot run isolated: it has no module and qualified name"
        )
    if "<" in qualname:
        raise HandlerReferenceError(
            f"handler {name} cannot run isolated: it is not importable (defined inside a function "
            "or a lambda); define it at module level or run it in process"
        )
    module = sys.modules.get(module_name)
    if module is None:
        raise HandlerReferenceError(f"handler {name} cannot run isolated: its module is not imported")
    found: Any = module
    for part in qualname.split("."):
        found = getattr(found, part, None)
    if not _same_callable(found, func):
        raise HandlerReferenceError(
            f"handler {name} cannot run isolated: {module_name}.{qualname} is not this object "
            "(is it decorated or rebound?)"
        )
    if module_name == "__main__":
        path = getattr(module, "__file__", None)
        if not path:
            raise HandlerReferenceError(
                f"handler {name} cannot run isolated: it lives in an interactive __main__ with no file"
            )
        return f"{os.path.abspath(path)}:{qualname}"
    return f"{module_name}:{qualname}"
