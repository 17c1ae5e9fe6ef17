"""Input files, checked before they are opened: only a regular file is ever read.

``open`` on a named pipe with no writer blocks for ever and ``/dev/zero`` never ends, so the
scenario reader and the trajectory reader ask :func:`not_regular_reason` first (``os.stat``
does not open the file).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

_KINDS = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def not_regular_reason(path: str | Path) -> str | None:
    """Why ``path`` cannot be read as a file, or ``None`` for a regular file.

    The reason completes a sentence whose subject is the file: ``not found``,
    ``is a directory``, ``is not a regular file (a named pipe)``,
    ``cannot be read (Permission denied)``.
    """
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return "not found"
    except OSError as exc:
        return f"cannot be read ({exc.strerror or type(exc).__name__})"
    except ValueError as exc:  # an embedded NUL byte
        return f"cannot be read ({exc})"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a directory"
    kind = next((name for test, name in _KINDS if test(mode)), "an unknown kind of file")
    return f"is not a regular file ({kind})"
