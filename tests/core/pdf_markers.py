"""What archival and accessibility checkers look for in the portal's PDFs.

veraPDF is not available, so the markers are read with pikepdf (catalog and XMP
metadata) and with poppler's ``pdfinfo`` (installed by ``make pdfinfo``), as other
people's tools read them.
"""

import io
import shutil
import subprocess
from pathlib import Path

import pikepdf


def pdfinfo(pdf: bytes, folder: Path) -> dict[str, str]:
    tool = shutil.which("pdfinfo")
    assert tool, "pdfinfo is missing: make pdfinfo (poppler-utils)"
    path = folder / "document.pdf"
    path.write_bytes(pdf)
    output = subprocess.run(  # noqa: S603 - a fixed tool on a file of the test's own
        [tool, str(path)], capture_output=True, text=True, check=True
    ).stdout
    return {
        key.strip(): value.strip()
        for key, _, value in (line.partition(":") for line in output.splitlines())
    }


def assert_archival_and_tagged(pdf: bytes, folder: Path, *, title: str, lang: str) -> None:
    """PDF/A-3a and PDF/UA-1 declared, tagged, with its language and title shown."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        xmp = document.open_metadata()
        assert xmp["pdfaid:part"] == "3"
        assert xmp["pdfaid:conformance"] == "A"
        assert xmp["pdfuaid:part"] == "1"
        assert xmp["dc:title"] == title
        root = document.Root
        assert str(root.Lang) == lang
        assert "/StructTreeRoot" in root
        assert bool(root.MarkInfo.Marked) is True
        assert bool(root.ViewerPreferences.DisplayDocTitle) is True
        assert str(root.OutputIntents[0].S) == "/GTS_PDFA1"
        assert "/DestOutputProfile" in root.OutputIntents[0]
    info = pdfinfo(pdf, folder)
    assert info["Tagged"] == "yes"
    assert info["PDF version"] == "1.7"
    assert info["Title"] == title
    assert pdf.startswith(b"%PDF-1.7")
