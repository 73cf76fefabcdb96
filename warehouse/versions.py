"""Which code computed a stored result: a short hash of source files and library versions. A result
stored with another one (the links, an export's parts) is computed again."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path


def code_version(files: Iterable[str | None], libraries: Iterable[str]) -> str:
    digest = hashlib.sha256(" ".join(libraries).encode())
    for file in files:
        digest.update(Path(str(file)).read_bytes())
    return digest.hexdigest()[:12]
