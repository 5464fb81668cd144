"""Make the pictures of the README and docs/reports.md from the demo project.

    make demo                                  # the sample centre, one week rostered
    .venv/bin/python docs/img/make_pictures.py [demo]

Writes docs/img/html-report.png (the top of the HTML report, as headless Chromium shows
it) and docs/img/roster-print.png (the first Roster page of roster.xlsx as LibreOffice
prints it to PDF), and prints what it measured: the pages of the printed workbook and
the smallest text on them. Needs the Debian packages chromium, libreoffice-calc and
poppler-utils.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

from wfm.pipeline import HtmlReportRequest, export_roster, html_report, open_project

HERE = Path(__file__).resolve().parent
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--hide-scrollbars")
WORD = re.compile(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                  r"([^<]*)</word>")
#: pdftotext's box height of 8 pt DejaVu Sans printed at 100 % by LibreOffice.
EIGHT_PT_BOX = 10.39


def html_picture(project_dir: Path, tmp: Path) -> None:
    page = tmp / "report.html"
    result = html_report(open_project(project_dir), HtmlReportRequest(output=page))
    shot = tmp / "shot.png"
    subprocess.run(["chromium", *CHROMIUM_FLAGS, f"--user-data-dir={tmp / 'chromium'}",
                    "--window-size=1150,2300", f"--screenshot={shot}", page.as_uri()],
                   check=True, capture_output=True, timeout=120)
    with Image.open(shot) as im:
        small = im.convert("RGB").resize((920, 1840), Image.Resampling.LANCZOS)
        small.quantize(256).save(HERE / "html-report.png", optimize=True)
    print(f"html-report.png: {page.stat().st_size / 1e6:.2f} MB page, "
          f"{len(result.charts)} charts")


def roster_picture(project_dir: Path, tmp: Path) -> None:
    book = export_roster(open_project(project_dir), output=tmp / "roster.xlsx")
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp / 'lo'}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp), str(book)], check=True,
                   capture_output=True, timeout=300)
    pdf = tmp / "roster.pdf"
    text = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    pages = text.split("<page ")[1:]
    smallest = min((float(y1) - float(y0)) / EIGHT_PT_BOX * 8
                   for page in pages for x0, y0, x1, y1, w in WORD.findall(page)
                   if float(x1) - float(x0) > float(y1) - float(y0) and len(w) > 1)
    roster_page = next(i for i, page in enumerate(pages, start=1)
                       if ">Paid<" in page and ">hours<" in page)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", str(roster_page), "-l",
                    str(roster_page), "-singlefile", str(pdf), str(tmp / "page")],
                   check=True, timeout=120)
    with Image.open(tmp / "page.png") as im:
        im.convert("RGB").quantize(256).save(HERE / "roster-print.png", optimize=True)
    print(f"roster-print.png: roster.xlsx prints on {len(pages)} A4 pages, smallest text "
          f"{smallest:.1f} pt; page {roster_page} shown")


def main() -> None:
    project_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "demo").resolve()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        html_picture(project_dir, tmp)
        roster_picture(project_dir, tmp)


if __name__ == "__main__":
    main()
