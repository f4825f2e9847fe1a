"""Where a template's Lambda code is on disk, so the authorizer emulator can run it.

Three places, all local: inline code (``Code.ZipFile``, SAM's ``InlineCode``), written once to a folder
named by its hash as Lambda names it (``index.py``); a SAM ``CodeUri`` naming a folder beside the template;
and a ``cdk synth`` asset folder, named by the resource's ``aws:asset:path`` metadata. Only Python code
runs here (the emulator is a Python runtime); other runtimes are reported, and the function keeps its ARN.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

INLINE_ROOT = Path(tempfile.gettempdir()) / "boto-iotauth-local" / "inline-code"


def inline_code_dir(source: str) -> Path:
    """A folder holding ``index.py`` with ``source``, shared by every load of the same code."""
    folder = INLINE_ROOT / hashlib.sha256(source.encode()).hexdigest()[:24]
    target = folder / "index.py"
    if not target.is_file() or target.read_text(encoding="utf-8") != source:
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".index.py.{hashlib.sha256(str(id(source)).encode()).hexdigest()[:8]}"
        partial.write_text(source, encoding="utf-8")
        partial.replace(target)
    return folder


def is_python(runtime: str | None) -> bool:
    return runtime is not None and runtime.startswith("python")
