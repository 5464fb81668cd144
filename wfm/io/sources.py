"""Reading export files in chunks: CSV dialect sniffing and Excel (.xlsx) rows.

A CSV's encoding (UTF-8 with or without BOM, UTF-16 with BOM, else cp1252/Latin-1), its
delimiter (``,`` ``;`` tab ``|``) and its header line (below report titles and filter lines,
when the mapping's headers are known) are sniffed from the first megabyte. Every cell is read
as text: the decimal mark of each numeric column is decided by :mod:`wfm.io.number_format`
from all of its cells. Files are read in chunks of ``chunk_rows`` rows so memory stays
bounded.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from wfm.errors import InputDataError
from wfm.io.export_shapes import TOTAL_LABEL
from wfm.io.number_format import style_of_cells

SNIFF_BYTES = 1 << 20
DELIMITERS = (",", ";", "\t", "|")
HEADER_SEARCH_LINES = 30
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


@dataclass(frozen=True)
class CsvDialect:
    """What sniffing found out about a CSV file."""

    encoding: str
    delimiter: str
    decimal: str
    header_line: int  # 1-based line of the header
    skipped: tuple[tuple[int, str], ...] = ()  # (line, text) of title lines above it


@dataclass(frozen=True)
class SheetLayout:
    """Where a workbook's header row is (Excel row number) and the title rows above it."""

    header_row: int = 1
    skipped: tuple[tuple[int, str], ...] = ()


class EncodingMismatchError(InputDataError):
    """A byte sequence past the sniffed prefix does not decode in the sniffed encoding."""


@dataclass(frozen=True)
class Chunk:
    """Raw rows of an export: source columns as read, and each row's line (or Excel row)."""

    frame: pd.DataFrame
    lines: npt.NDArray[np.int64]


def file_kind(path: Path) -> str:
    """``"xlsx"`` or ``"csv"``; raises for missing, empty, binary or legacy .xls files."""
    try:
        with path.open("rb") as fh:
            head = fh.read(8192)
    except FileNotFoundError:
        raise InputDataError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise InputDataError(f"{path}: is a folder, not a CSV or Excel file") from None
    except OSError as exc:
        raise InputDataError(f"{path}: cannot read ({exc.strerror})") from None
    if not head.strip():
        raise InputDataError(f"{path}: the file is empty; expected a CSV or Excel (.xlsx) export "
                             "with a header row")
    if head.startswith(_ZIP_MAGIC):
        return "xlsx"
    if head.startswith(_OLE_MAGIC):
        raise InputDataError(f"{path}: legacy Excel .xls files are not supported",
                             hint="save the sheet as .xlsx or CSV")
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _nul_error(path, head[:head.index(b"\x00")].count(b"\n") + 1)
    return "csv"


def _nul_error(path: Path, line: int) -> InputDataError:
    return InputDataError(f"{path}: not a CSV or Excel (.xlsx) file (binary content: a NUL "
                          f"byte on line {line}); accepted: a text CSV export or a workbook",
                          hint="re-export the data as CSV text; a damaged copy shows NUL bytes")


def csv_records(lines: Iterable[str], delimiter: str, path: Path, first_line: int
                ) -> Iterator[tuple[int, int, list[str]]]:
    """CSV records of consecutive ``lines`` (the first is line ``first_line`` of the file):
    (first line, last line, fields). A record spans several lines when a quoted cell holds
    a line break (or a quote is left open).

    Raises :class:`InputDataError` naming the line for a cell longer than the csv module's
    limit (131,072 characters: an unbalanced quote, as a rule).
    """
    reader = csv.reader(lines, delimiter=delimiter, skipinitialspace=True)
    before = first_line - 1  # the last line of the previous record
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            first, last = before + 1, first_line - 1 + reader.line_num
            limit = csv.field_size_limit()
            if "field larger than field limit" in str(exc):
                opened = (f"; a quote opened on line {first} is still open on line {last} "
                          "(an unbalanced quote?)" if last > first else "")
                raise InputDataError(
                    f"{path}: line {first}: a cell longer than {limit:,} characters{opened}; "
                    f"accepted: cells of at most {limit:,} characters",
                    hint="close or remove the stray quote" if last > first else
                    "remove the oversized cell (a report pasted into a cell?)") from None
            raise InputDataError(f"{path}: line {first}: not a readable CSV row ({exc})"
                                 ) from None
        last = first_line - 1 + reader.line_num
        yield before + 1, last, row
        before = last


def check_nul_bytes(path: Path, encoding: str) -> None:
    """Refuse a NUL byte anywhere in a CSV file (binary content), naming its line; UTF-16
    text is made of NUL bytes and is left alone."""
    if encoding.startswith("utf-16"):
        return
    newlines = 0
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            at = block.find(b"\x00")
            if at >= 0:
                raise _nul_error(path, newlines + block.count(b"\n", 0, at) + 1)
            newlines += block.count(b"\n")


def sniff_csv(path: Path, expected: Sequence[str] = ()) -> CsvDialect:
    """Encoding, delimiter, decimal mark and header line of a CSV file.

    ``expected`` are header names the mapping needs: the first of the file's first
    ``HEADER_SEARCH_LINES`` non-blank lines holding all of them is the header, and the
    lines above it (report titles, filters) are skipped and listed in ``skipped``. Without
    such a line, the first non-blank line is the header.
    """
    with path.open("rb") as fh:
        raw = fh.read(SNIFF_BYTES)
    encoding = _sniff_encoding(raw)
    if encoding in ("cp1252", "latin-1") and _UTF8_MULTIBYTE.search(raw):
        # Valid UTF-8 sequences next to bytes that are not UTF-8: two exports pasted
        # together. Reading it either way would split a queue name in two (mojibake).
        bad = _first_non_utf8(raw)
        line = raw[:bad].count(b"\n") + 1
        raise InputDataError(
            f"{path}: line {line}: mixed text encodings (UTF-8 and a legacy 8-bit encoding "
            f"such as cp1252 in one file); accepted: one encoding per file",
            hint="re-export the file, or convert it to UTF-8 as a whole")
    text = _decode_prefix(raw, encoding)
    lines = text.splitlines()
    first_idx = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first_idx is None:
        raise InputDataError(f"{path}: the file is empty; expected a header row and data rows")
    found = _find_header(lines, expected)
    header_idx, delimiter = found if found is not None else (first_idx, None)
    body = [ln for ln in lines[header_idx:header_idx + 50] if ln.strip()]
    if delimiter is None:
        delimiter = _sniff_delimiter(body)
    skipped = tuple((i + 1, _shown(lines[i], delimiter)) for i in range(header_idx)
                    if lines[i].strip())
    # The decimal mark the whole sample shows (the converter decides per column).
    sample = lines[header_idx + 1:]
    cells = [c for _, _, row in csv_records(sample, delimiter, path, header_idx + 2)
             for c in row]
    decimal = style_of_cells(cells) or "."
    return CsvDialect(encoding, delimiter, decimal, header_idx + 1, skipped)


def _find_header(lines: Sequence[str], expected: Sequence[str]) -> tuple[int, str] | None:
    """(index, delimiter) of the first line holding every expected header name."""
    want = {e.strip().casefold() for e in expected}
    if not want:
        return None
    seen = 0
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        seen += 1
        if seen > HEADER_SEARCH_LINES:
            return None
        hits = []
        for d in DELIMITERS:
            cells = next(csv.reader([line], delimiter=d), [])
            if want <= {c.strip().casefold() for c in cells}:
                hits.append((len(cells), d))
        if hits:
            return i, max(hits)[1]
    return None


def _shown(line: str, delimiter: str) -> str:
    """A skipped line as a reader sees it: its cells without the empty ones."""
    cells = next(csv.reader([line], delimiter=delimiter), [])
    return _clip(" ".join(c.strip() for c in cells if c.strip()))


def _clip(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}"
                             rb"|[\xf0-\xf4][\x80-\xbf]{3}")


def _first_non_utf8(raw: bytes) -> int:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(raw, final=False)
    except UnicodeDecodeError as exc:
        return exc.start
    return len(raw)


def _sniff_encoding(raw: bytes) -> str:
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(raw, final=False)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    try:
        raw.decode("cp1252")
    except UnicodeDecodeError:
        return "latin-1"  # cp1252 leaves five bytes undefined; Latin-1 maps every byte
    return "cp1252"


def _decode_prefix(raw: bytes, encoding: str) -> str:
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    return str(decoder.decode(raw, final=False))


def _sniff_delimiter(lines: Sequence[str]) -> str:
    """The candidate giving the most fields, the same number on every sampled line."""
    best, best_fields = ",", 1
    for d in DELIMITERS:
        counts = {len(row) for row in csv.reader(lines, delimiter=d)}
        if len(counts) == 1:
            n = counts.pop()
            if n > best_fields:
                best, best_fields = d, n
    return best


def sniff_xlsx(path: Path, expected: Sequence[str] = ()) -> SheetLayout:
    """The header row of a workbook's first sheet: the first of its first
    ``HEADER_SEARCH_LINES`` non-empty rows holding every expected header name (report titles
    above it are skipped), else its first non-empty row."""
    want = {e.strip().casefold() for e in expected}
    rows = _xlsx_rows(path)
    seen: list[tuple[int, str]] = []
    try:
        for number, values in rows:
            cells = {str(v).strip().casefold() for v in values if v is not None}
            if want and want <= cells:
                return SheetLayout(number, tuple(seen))
            seen.append((number, _clip(" ".join(str(v) for v in values if v not in (None, "")))))
            if len(seen) >= HEADER_SEARCH_LINES:
                break
    finally:
        rows.close()
    return SheetLayout(seen[0][0] if seen else 1, ())


def read_header(path: Path, kind: str, dialect: CsvDialect | None,
                layout: SheetLayout | None = None) -> list[str]:
    """The header cells of a CSV or of the first sheet of a workbook."""
    if kind == "xlsx":
        rows = _xlsx_rows(path)
        header_row = layout.header_row if layout is not None else 1
        try:
            for number, values in rows:
                if number >= header_row:
                    return values
            raise InputDataError(f"{path}: the workbook's first sheet is empty")
        finally:
            rows.close()
    assert dialect is not None
    with path.open(encoding=dialect.encoding, errors="replace", newline="") as fh:
        for _ in range(dialect.header_line - 1):
            fh.readline()
        first = fh.readline()
    row = next(csv.reader([first], delimiter=dialect.delimiter))
    return [c.strip() for c in row]


def check_field_counts(path: Path, dialect: CsvDialect, n_fields: int) -> None:
    """Every data row has as many fields as the header (blank lines aside).

    pandas pads a short row with blanks and, reading selected columns, drops an extra
    field silently; either way values would land in the wrong column (an unquoted decimal
    comma is the usual cause), so the file is refused with the first such line.
    """
    try:
        if _fields_regular(path, dialect, n_fields):
            return
        # Something is off: read again, keeping line numbers, for the message.
        with path.open(encoding=dialect.encoding, newline="") as fh:
            for _ in range(dialect.header_line):
                fh.readline()
            for first, last, row in csv_records(fh, dialect.delimiter, path,
                                                dialect.header_line + 1):
                if len(row) == n_fields or not row:
                    continue
                filled = [c for c in row if c.strip()]
                if filled and TOTAL_LABEL.match(filled[0]):
                    continue  # a total row (Excel drops its empty trailing cells)
                if filled:
                    if last > first:  # a quote opened on `first` swallowed the next lines
                        raise InputDataError(
                            f"{path}: line {first}: a quote opened on this line is not closed "
                            f"before line {last} (that row has {len(row)} fields, the header "
                            f"{n_fields}); accepted: quotes in pairs around a cell",
                            hint="close or remove the stray quote on that line")
                    hint = ("a decimal comma inside an unquoted field splits it in two; "
                            "quote such values or use ';' as the delimiter"
                            if len(row) > n_fields else None)
                    raise InputDataError(
                        f"{path}: line {first}: {len(row)} fields, the header has {n_fields}; "
                        f"accepted: every row with one value per header column "
                        f"(delimiter {dialect.delimiter!r})", hint=hint)
    except UnicodeDecodeError:
        return  # the reader below reports the encoding with its own message


def _fields_regular(path: Path, dialect: CsvDialect, n_fields: int) -> bool:
    """True when the csv module reads every record and each has ``n_fields`` fields or is
    blank or a total row: the common case, checked without line bookkeeping per row (a
    file of millions of rows is read here once more before pandas reads it)."""
    with path.open(encoding=dialect.encoding, newline="") as fh:
        for _ in range(dialect.header_line):
            fh.readline()
        try:
            for row in csv.reader(fh, delimiter=dialect.delimiter, skipinitialspace=True):
                if len(row) != n_fields and row:
                    filled = [c for c in row if c.strip()]
                    if filled and not TOTAL_LABEL.match(filled[0]):
                        return False
        except csv.Error:
            return False
    return True


def read_chunks(path: Path, kind: str, dialect: CsvDialect | None, *, usecols: Sequence[str],
                text_cols: Sequence[str], chunk_rows: int,
                layout: SheetLayout | None = None) -> Iterator[Chunk]:
    """Rows of ``usecols`` (header names as in the file) in chunks; blank rows skipped.

    CSV cells stay text (numbers are parsed by the caller, which decides their decimal mark
    from the whole column); ``text_cols`` only matters for Excel, whose cells keep their
    type.
    """
    del text_cols
    if kind == "xlsx":
        yield from _xlsx_chunks(path, usecols, chunk_rows,
                                layout.header_row if layout is not None else 1)
        return
    assert dialect is not None
    # Columns by position (header cells may carry spaces or quotes pandas reads differently).
    header = read_header(path, kind, dialect)
    check_nul_bytes(path, dialect.encoding)
    check_field_counts(path, dialect, len(header))
    positions = [header.index(c) for c in usecols]
    names = dict(zip(positions, usecols, strict=True))
    try:
        reader = pd.read_csv(
            path, sep=dialect.delimiter, encoding=dialect.encoding,
            header=None, names=list(range(len(header))), index_col=False,
            skiprows=dialect.header_line, usecols=positions, dtype="str",
            skip_blank_lines=False, chunksize=chunk_rows, skipinitialspace=True,
            keep_default_na=False, na_values=[""],
        )
        first_line = dialect.header_line + 1
        with reader:
            for block in reader:
                lines = np.arange(first_line, first_line + len(block), dtype=np.int64)
                first_line += len(block)
                keep = block.notna().any(axis=1).to_numpy()
                frame = block.loc[keep].rename(columns=names)[list(usecols)]
                yield Chunk(frame.reset_index(drop=True), lines[keep])
    except pd.errors.EmptyDataError:
        return  # a header and nothing else: the caller reports "no data rows"
    except UnicodeDecodeError as exc:
        raise EncodingMismatchError(
            f"{path}: text is not valid {dialect.encoding} ({exc.reason} at byte {exc.start})",
            hint="save the export as UTF-8") from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputDataError(f"{path}: not a readable CSV file ({exc})") from None


def _xlsx_rows(path: Path) -> Generator[tuple[int, list[Any]], None, None]:
    """(Excel row number, cell values) of the first sheet, header first, blank rows skipped."""
    import openpyxl  # fenced: only wfm.io reads Excel
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise InputDataError(f"{path}: not a CSV or Excel (.xlsx) file ({exc})") from None
    except Exception as exc:  # zipfile.BadZipFile and friends
        if type(exc).__name__ == "BadZipFile":
            raise InputDataError(f"{path}: not a CSV or Excel (.xlsx) file (bad zip)") from None
        raise
    try:
        ws = wb.worksheets[0]
        for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
            values = [_cell(v) for v in row]
            if any(v is not None and v != "" for v in values):
                yield number, values
    finally:
        wb.close()


def _cell(v: Any) -> Any:
    """Excel cells as the text a CSV export would hold (numbers stay numbers)."""
    if isinstance(v, datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, time):
        return v.strftime("%H:%M:%S")
    if isinstance(v, timedelta):
        return str(v.total_seconds())
    if isinstance(v, str):
        return v.strip()
    return v


def _xlsx_chunks(path: Path, usecols: Sequence[str], chunk_rows: int, header_row: int
                 ) -> Iterator[Chunk]:
    rows = _xlsx_rows(path)
    try:
        header: list[Any] = []
        for number, values in rows:
            if number >= header_row:
                header = values
                break
        names = [str(h).strip() if h is not None else "" for h in header]
        idx = [names.index(c) for c in usecols]
        buf: list[list[Any]] = []
        lines: list[int] = []
        for number, values in rows:
            padded = values + [None] * (len(names) - len(values))
            buf.append([padded[i] for i in idx])
            lines.append(number)
            if len(buf) >= chunk_rows:
                yield _xlsx_chunk(buf, lines, usecols)
                buf, lines = [], []
        if buf:
            yield _xlsx_chunk(buf, lines, usecols)
    finally:
        rows.close()


def _xlsx_chunk(buf: list[list[Any]], lines: list[int], usecols: Sequence[str]) -> Chunk:
    frame = pd.DataFrame(buf, columns=list(usecols), dtype=object)
    return Chunk(frame, np.asarray(lines, dtype=np.int64))
