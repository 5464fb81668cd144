"""Reading export files in chunks: CSV dialect sniffing and Excel (.xlsx) rows.

A CSV's encoding (UTF-8 with or without BOM, UTF-16 with BOM, else cp1252/Latin-1), its
delimiter (``,`` ``;`` tab ``|``) and its decimal mark (a decimal comma is detected when the
delimiter is not a comma and numbers such as ``12,5`` appear) are sniffed from the first
megabyte. Files are read in chunks of ``chunk_rows`` rows so memory stays bounded.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from wfm.errors import InputDataError

SNIFF_BYTES = 1 << 20
DELIMITERS = (",", ";", "\t", "|")
_DECIMAL_COMMA = re.compile(r"^\s*-?\d+,\d+\s*$")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


@dataclass(frozen=True)
class CsvDialect:
    """What sniffing found out about a CSV file."""

    encoding: str
    delimiter: str
    decimal: str
    header_line: int  # 1-based line of the header


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
        raise InputDataError(f"{path}: not a CSV or Excel (.xlsx) file (binary content)")
    return "csv"


def sniff_csv(path: Path) -> CsvDialect:
    """Encoding, delimiter, decimal mark and header line of a CSV file."""
    with path.open("rb") as fh:
        raw = fh.read(SNIFF_BYTES)
    encoding = _sniff_encoding(raw)
    text = _decode_prefix(raw, encoding)
    lines = text.splitlines()
    header_idx = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if header_idx is None:
        raise InputDataError(f"{path}: the file is empty; expected a header row and data rows")
    body = [ln for ln in lines[header_idx:header_idx + 50] if ln.strip()]
    delimiter = _sniff_delimiter(body)
    decimal = "."
    if delimiter != ",":
        cells = (c for row in csv.reader(body[1:], delimiter=delimiter) for c in row)
        if any(_DECIMAL_COMMA.match(c) for c in cells):
            decimal = ","
    return CsvDialect(encoding, delimiter, decimal, header_idx + 1)


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


def read_header(path: Path, kind: str, dialect: CsvDialect | None) -> list[str]:
    """The header cells of a CSV or of the first sheet of a workbook."""
    if kind == "xlsx":
        rows = _xlsx_rows(path)
        try:
            return next(rows)[1]
        except StopIteration:
            raise InputDataError(f"{path}: the workbook's first sheet is empty") from None
        finally:
            rows.close()
    assert dialect is not None
    with path.open(encoding=dialect.encoding, errors="replace", newline="") as fh:
        for _ in range(dialect.header_line - 1):
            fh.readline()
        first = fh.readline()
    row = next(csv.reader([first], delimiter=dialect.delimiter))
    return [c.strip() for c in row]


def read_chunks(path: Path, kind: str, dialect: CsvDialect | None, *, usecols: Sequence[str],
                text_cols: Sequence[str], chunk_rows: int) -> Iterator[Chunk]:
    """Rows of ``usecols`` (header names as in the file) in chunks; blank rows skipped."""
    if kind == "xlsx":
        yield from _xlsx_chunks(path, usecols, chunk_rows)
        return
    assert dialect is not None
    # Columns by position (header cells may carry spaces or quotes pandas reads differently).
    header = read_header(path, kind, dialect)
    positions = [header.index(c) for c in usecols]
    names = dict(zip(positions, usecols, strict=True))
    dtypes = {header.index(c): str for c in text_cols}
    try:
        reader = pd.read_csv(
            path, sep=dialect.delimiter, encoding=dialect.encoding, decimal=dialect.decimal,
            header=None, names=list(range(len(header))), index_col=False,
            skiprows=dialect.header_line, usecols=positions, dtype=dtypes,
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


def _xlsx_chunks(path: Path, usecols: Sequence[str], chunk_rows: int) -> Iterator[Chunk]:
    rows = _xlsx_rows(path)
    try:
        _, header = next(rows)
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
