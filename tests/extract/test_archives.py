"""Archives read in place: tar.gz, zip, single-file gzip; members named `archive!member`.

Inputs: archives built here from small registry-like texts.
"""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile
from pathlib import Path

from flows.extract.archives import iter_members

XML = b"<clinical_study><id_info><nct_id>NCT00000102</nct_id></id_info></clinical_study>\n"
TEXT = b"TITLE: Diclofenac does not interact with codeine metabolism\n"


def read_all(path: Path) -> list[tuple[str, bytes]]:
    return [(name, stream.read()) for name, stream in iter_members(path)]


def add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def test_tar_gz_members_are_named_after_the_archive(tmp_path: Path) -> None:
    path = tmp_path / "ctgov-xml.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        directory = tarfile.TarInfo("ctgov-xml")
        directory.type = tarfile.DIRTYPE
        archive.addfile(directory)  # a directory entry is no document
        add(archive, "ctgov-xml/NCT00000102.xml", XML)
        add(archive, "ctgov-xml/PMC101395.abst", TEXT)
    assert read_all(path) == [
        (f"{path}!ctgov-xml/NCT00000102.xml", XML),
        (f"{path}!ctgov-xml/PMC101395.abst", TEXT),
    ]


def test_zip_members_and_plain_tar_are_read_in_place(tmp_path: Path) -> None:
    zipped = tmp_path / "pages.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("pages/", b"")
        archive.writestr("pages/NCT00000102.xml", XML)
    assert read_all(zipped) == [(f"{zipped}!pages/NCT00000102.xml", XML)]
    plain = tmp_path / "records.tgz"  # named like a tgz, but an uncompressed tar: content decides
    with tarfile.open(plain, "w") as archive:
        add(archive, "a.abst", TEXT)
    assert read_all(plain) == [(f"{plain}!a.abst", TEXT)]


def test_gzip_of_one_file_yields_the_decompressed_stream(tmp_path: Path) -> None:
    path = tmp_path / "ictrp-results-2020-03.xml.gz"
    path.write_bytes(gzip.compress(b"<Trials_downloaded_from_ICTRP></Trials_downloaded_from_ICTRP>"))
    assert read_all(path) == [(str(path), b"<Trials_downloaded_from_ICTRP></Trials_downloaded_from_ICTRP>")]


def test_plain_files_pass_through(tmp_path: Path) -> None:
    path = tmp_path / "README.md"
    path.write_bytes(b"# Real registry corpora\n")
    assert read_all(path) == [(str(path), b"# Real registry corpora\n")]


def test_a_member_name_that_comes_again_is_read_once(tmp_path: Path) -> None:
    path = tmp_path / "appended.tar"  # `tar --append` of a newer copy leaves both members in the archive
    with tarfile.open(path, "w") as archive:
        add(archive, "ctgov-xml/NCT00000102.xml", XML)
        add(
            archive,
            "ctgov-xml/NCT00000102.xml",
            XML.replace(b"</clinical_study>", b"<acronym>A</acronym></clinical_study>"),
        )
        add(archive, "ctgov-xml/PMC101395.abst", TEXT)
    assert read_all(path) == [(f"{path}!ctgov-xml/NCT00000102.xml", XML), (f"{path}!ctgov-xml/PMC101395.abst", TEXT)]
