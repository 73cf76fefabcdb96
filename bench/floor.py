"""The floor the pipeline is compared with: the standard library's ElementTree parsing the same XML
files, and nothing else.

Run in a fresh interpreter (`python -m bench.floor archive|folder PATH`), which imports nothing but
the standard library: timed inside the benchmark's own process, whose imports fill the heap, the same
parse took half as long again (2.84 s against 1.83 s for the ClinicalTrials.gov archive), because
Python's cyclic garbage collector walks that heap each time the parse's new elements trigger it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path


def parse_archive(archive: Path) -> tuple[int, float]:
    """(files, seconds): every XML member of a tar archive, read in place."""
    started = time.perf_counter()
    count = 0
    with tarfile.open(archive, mode="r|*") as tar:
        for member in tar:
            if member.isfile() and member.name.endswith(".xml"):
                handle = tar.extractfile(member)
                if handle is not None:
                    ET.fromstring(handle.read())
                    count += 1
    return count, time.perf_counter() - started


def parse_folder(folder: Path) -> tuple[int, float]:
    """(files, seconds): every XML file under a folder."""
    started = time.perf_counter()
    count = 0
    for path in sorted(folder.rglob("*.xml")):
        ET.fromstring(path.read_bytes())
        count += 1
    return count, time.perf_counter() - started


def measure(kind: str, path: Path) -> tuple[int, float]:
    """(files, seconds) of `kind` ('archive' or 'folder') at `path`, timed in a fresh interpreter."""
    command = [sys.executable, "-m", "bench.floor", kind, str(path)]
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=Path(__file__).parent.parent)
    figures = json.loads(done.stdout)
    return figures["files"], figures["seconds"]


if __name__ == "__main__":
    kind, where = sys.argv[1], Path(sys.argv[2])
    files, seconds = (parse_archive if kind == "archive" else parse_folder)(where)
    print(json.dumps({"files": files, "seconds": seconds}))
