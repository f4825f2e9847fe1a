"""The one error a world file can raise: it says which file, which line and which field is wrong.

A world file is written by hand, so a mistake must be found where it was made: every problem, from a YAML
syntax error to a policy document AWS would refuse, is reported as ``path:line: field: message``.
"""

from __future__ import annotations

import os
from pathlib import Path


class WorldFileError(ValueError):
    """A world file that cannot be read or written.

    ``line`` is 1-based (None when the problem is not at a place in the file, as for a missing file);
    ``field`` is the path of the offending field, as in ``things[2].principals[0].certificate`` (None
    for the file as a whole).
    """

    def __init__(
        self, path: str | os.PathLike[str], line: int | None, field: str | None, message: str
    ) -> None:
        self.path = Path(path)
        self.line = line
        self.field = field
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = str(self.path) if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"

    def __reduce__(self) -> tuple[type[WorldFileError], tuple[Path, int | None, str | None, str]]:
        return (type(self), (self.path, self.line, self.field, self.message))
