"""The roster workbook of a demo-sized week printed by LibreOffice (headless, to PDF):
at most 12 A4 pages, no text under 8 pt, a header and page numbers on every page, the
day columns of Coverage on every page of it. Skipped where LibreOffice or poppler's
pdftotext is absent (.ci/run installs both)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from demo_week import demo_week
from openpyxl import Workbook
from openpyxl.styles import Font

from wfm.reports.excel import print_pages
from wfm.reports.roster_workbook import write_day_workbook, write_roster_workbook

pytestmark = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice (soffice) or pdftotext is not installed (Debian: apt-get install "
           "libreoffice-calc poppler-utils; .ci/run installs them)")

SITE = "Lyon contact centre"
_WORD = re.compile(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                   r"([^<]*)</word>")


def to_pdf(folder: Path, *books: Path) -> None:
    profile = f"-env:UserInstallation=file://{folder / 'lo-profile'}"
    subprocess.run(["soffice", profile, "--headless", "--convert-to", "pdf", "--outdir",
                    str(folder), *map(str, books)], check=True, capture_output=True,
                   timeout=300)


def pages(pdf: Path) -> list[list[tuple[float, float, str]]]:
    """Per page, the (width, height, text) of each word's box."""
    text = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    return [[(float(x1) - float(x0), float(y1) - float(y0), w)
             for x0, y0, x1, y1, w in _WORD.findall(page)]
            for page in text.split("<page ")[1:]]


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("print")
    run = demo_week()
    write_roster_workbook(run, folder / "roster.xlsx", site=SITE)
    write_day_workbook(run, folder / "roster-days.xlsx", site=SITE)
    # A calibration sheet: the box height pdftotext gives 8 pt text printed at 100 %.
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"] = "Calibration"
    ws["A1"].font = Font(size=8)
    print_pages(ws, heading="h", footer="f")
    wb.save(folder / "calibration.xlsx")
    to_pdf(folder, folder / "roster.xlsx", folder / "roster-days.xlsx",
           folder / "calibration.xlsx")
    eight = next(h for _, h, w in pages(folder / "calibration.pdf")[0] if w == "Calibration")
    return {"roster": pages(folder / "roster.pdf"), "days": pages(folder / "roster-days.pdf"),
            "eight_pt": eight, "run": run}


def smallest(page: list[tuple[float, float, str]]) -> float:
    """The smallest box height of the horizontal words of a page (a rotated word's box
    is taller than wide: its height is its length)."""
    return min(h for w, h, text in page if w > h and len(text) > 1)


def test_the_week_prints_in_at_most_12_pages_with_readable_text(printed) -> None:
    roster = printed["roster"]
    assert len(roster) <= 12
    eight = printed["eight_pt"]
    for i, page in enumerate(roster, start=1):
        assert smallest(page) >= eight * 0.99, f"page {i}: text under 8 pt"


def test_every_page_has_its_header_and_page_number(printed) -> None:
    roster = printed["roster"]
    n = len(roster)
    for i, page in enumerate(roster, start=1):
        words = [w for _, _, w in page]
        text = " ".join(words)
        assert f"Page {i} of {n}" in text, text[:200]
        assert f"{SITE} – week of 2026-11-16" in text
        assert "Printed" in words  # followed by the print date
        assert "wfm 20261109T050000Z-demo" in text


def test_coverage_days_are_labelled_on_every_page_and_sunday_is_left_out(printed) -> None:
    roster = printed["roster"]
    coverage = [p for p in roster if {"Req", "Sched", "Gap"} <= {w for _, _, w in p}]
    assert len(coverage) == 4  # one queue per page
    for page in coverage:
        words = [w for _, _, w in page]
        for day in ("2026-11-16", "2026-11-21"):
            assert day in words
        assert "2026-11-22" not in words  # the closed Sunday
    # Sunday is named once in the whole print: as the closed day on the Summary.
    assert [w for page in roster for _, _, w in page].count("2026-11-22") == 1


def test_day_grids_print_readable_one_day_after_the_other(printed) -> None:
    days = printed["days"]
    eight = printed["eight_pt"]
    assert all(smallest(page) >= eight * 0.99 for page in days)
    # About 80 agents a day at 8 pt (50 rows a page) and the legend: three pages a day
    # at most, none for the closed Sunday.
    assert len(days) <= 3 * 6
    assert not any("2026-11-22" in w for page in days for _, _, w in page)
