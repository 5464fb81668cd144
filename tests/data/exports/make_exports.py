"""Writes the messy real-style ACD exports of this folder, byte by byte.

Run from the repository root: ``python tests/data/exports/make_exports.py``. The files are
committed; this script documents how each was built (encodings, BOMs, line ends, delimiters,
the quirks real contact-centre platforms put around their data). It deliberately does not
use wfm's own writers. ``tests/io/test_export_corpus.py`` asserts each file's outcome.
"""

from __future__ import annotations

import codecs
from datetime import date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
CRLF = "\r\n"

FR_HEADER = ["Date", "Intervalle", "File", "Canal", "Appels présentés", "Appels traités",
             "Abandons", "DMT (min)", "Traités < 20 s"]


def write(name: str, lines: list[str], *, encoding: str, eol: str = CRLF,
          bom: bytes = b"") -> None:
    """Lines joined with ``eol`` (a final one too), encoded, after an optional BOM."""
    data = bom + (eol.join(lines) + eol).encode(encoding)
    (HERE / name).write_bytes(data)


def fr_row(day: date, clock: str, queue: str, channel: str, offered: int, handled: int,
           abandoned: int, aht_min: str, within: int) -> str:
    return ";".join([day.strftime("%d/%m/%Y"), clock, queue, channel, str(offered),
                     str(handled), str(abandoned), aht_min, str(within)])


def clocks(start_h: int, end_h: int) -> list[str]:
    """15-minute clock labels from start_h:00 to before end_h:00."""
    t = datetime(2000, 1, 1, start_h)
    out = []
    while t.hour < end_h and t.day == 1:
        out.append(t.strftime("%H:%M"))
        t += timedelta(minutes=15)
    return out


def late_decimal_comma() -> None:
    """cp1252, ';', CRLF: 5 days x 48 intervals of one voice queue. DMT (min) is a whole
    number of minutes until line 200, whose '5,5' is the file's first decimal comma."""
    lines = [";".join(FR_HEADER)]
    for d in range(5):
        day = date(2025, 3, 10) + timedelta(days=d)
        for k, clock in enumerate(clocks(8, 20)):
            i = d * 48 + k
            offered = (i * 7) % 13
            abandoned = 1 if offered > 2 and i % 5 == 0 else 0
            handled = offered - abandoned
            line_no = len(lines) + 1
            if line_no < 200:
                aht = str(4 + i % 3)
            elif line_no == 200:
                aht = "5,5"
            else:
                aht = ("4,25", "6", "3,5")[i % 3]
            if handled == 0:
                aht = "0"
            lines.append(fr_row(day, clock, "Service Client FR", "Téléphone", offered, handled,
                                abandoned, aht, min(handled, offered // 2)))
    write("fr_cp1252_late_decimal_comma.csv", lines, encoding="cp1252")


def mixed_decimal_styles() -> None:
    """cp1252, ';': the DMT column has '1.234' on line 5 and '1,5' on line 9."""
    lines = [";".join(FR_HEADER)]
    for k, clock in enumerate(clocks(8, 11)):
        aht = {3: "1.234", 7: "1,5"}.get(k, str(3 + k % 2))
        lines.append(fr_row(date(2025, 3, 10), clock, "Service Client FR", "Téléphone", 4, 4,
                            0, aht, 2))
    write("fr_mixed_decimal_styles.csv", lines, encoding="cp1252")


def title_and_filter_lines() -> None:
    """cp1252, ';', CRLF, saved from Excel: three report lines (padded with ';') and a blank
    line above the header."""
    pad = ";" * (len(FR_HEADER) - 1)
    lines = ["Rapport d'activité par intervalle" + pad,
             "Filtre : File = Service Client FR" + pad,
             "Période : 10/03/2025 - 10/03/2025" + pad, ""]
    lines.append(";".join(FR_HEADER))
    for k, clock in enumerate(clocks(8, 9)):
        lines.append(fr_row(date(2025, 3, 10), clock, "Service Client FR", "Téléphone",
                            10 + k, 9 + k, 1, "4,5", 8))
    write("fr_title_filter_lines.csv", lines, encoding="cp1252")


def trailing_total() -> None:
    """cp1252, ';': four intervals and a trailing 'Total' row (blank date and clock)."""
    lines = [";".join(FR_HEADER)]
    for clock in clocks(8, 9):
        lines.append(fr_row(date(2025, 3, 10), clock, "Service Client FR", "Téléphone",
                            6, 6, 0, "5", 5))
    lines.append("Total;;;;24;24;0;5;20")
    write("fr_trailing_total.csv", lines, encoding="cp1252")


def total_inside_data() -> None:
    """cp1252, ';': a subtotal row between two days of data (not trailing: refused)."""
    lines = [";".join(FR_HEADER)]
    for day in (date(2025, 3, 10), date(2025, 3, 11)):
        for clock in clocks(8, 9)[:2]:
            lines.append(fr_row(day, clock, "Service Client FR", "Téléphone", 6, 6, 0, "5", 5))
        lines.append("Total;;;;12;12;0;5;10")
    write("fr_total_inside_data.csv", lines, encoding="cp1252")


def interval_labels() -> None:
    """cp1252, ';': the clock column holds labels '08:00 - 08:15' (one '23:45 - 00:00')."""
    lines = [";".join(FR_HEADER)]
    for clock in ("08:00", "08:15", "23:45"):
        h, m = map(int, clock.split(":"))
        end = (datetime(2000, 1, 1, h, m) + timedelta(minutes=15)).strftime("%H:%M")
        lines.append(fr_row(date(2025, 3, 10), f"{clock} - {end}", "Courriels FR", "Courriel",
                            3, 2, 0, "6", 2))
    write("fr_interval_labels.csv", lines, encoding="cp1252")


def dst_repeated_hour_in_order() -> None:
    """cp1252, ';': the email queue on 26 October 2025 (25 hours), local time without an
    offset, every interval listed with zeros; 02:00-02:45 twice, in order."""
    lines = [";".join(FR_HEADER)]
    seq = clocks(0, 3) + clocks(2, 24)
    for k, clock in enumerate(seq):
        offered = k % 4
        lines.append(fr_row(date(2025, 10, 26), clock, "Courriels FR", "Courriel", offered,
                            offered, 0, "6" if offered else "0", 0))
    write("fr_dst_repeated_hour_in_order.csv", lines, encoding="cp1252")


def dst_repeated_hour_once() -> None:
    """cp1252, ';': the same day as an ACD that merges the repeated hour (listed once)."""
    lines = [";".join(FR_HEADER)]
    for k, clock in enumerate(clocks(0, 24)):
        lines.append(fr_row(date(2025, 10, 26), clock, "Courriels FR", "Courriel", k % 4,
                            k % 4, 0, "6" if k % 4 else "0", 0))
    write("fr_dst_repeated_hour_once.csv", lines, encoding="cp1252")


def sparse_email_no_zero_rows() -> None:
    """UTF-8 without BOM, ',', LF (a Linux-side export): an email queue written only where
    something happened, Friday 14 and Saturday 15 March 2025."""
    lines = ["interval_start,queue,channel,offered,handled,handle_s"]
    rows = [("2025-03-14T07:30:00+01:00", 1, 0, 0), ("2025-03-14T09:15:00+01:00", 2, 1, 410),
            ("2025-03-14T09:30:00+01:00", 1, 2, 905), ("2025-03-14T14:00:00+01:00", 3, 1, 380),
            ("2025-03-14T22:45:00+01:00", 1, 0, 0), ("2025-03-15T10:00:00+01:00", 1, 1, 300)]
    for ts, offered, handled, secs in rows:
        lines.append(f"{ts},email_fr,email,{offered},{handled},{secs}")
    write("email_sparse_no_zero_rows.csv", lines, encoding="utf-8", eol="\n")


def zero_rows_and_a_gap() -> None:
    """UTF-8, ',', CRLF: a voice queue listed with zero rows, 08:00-09:45, 08:45 absent."""
    lines = ["interval_start,queue,channel,offered,handled,handle_s"]
    for clock, offered in (("08:00", 0), ("08:15", 2), ("08:30", 1), ("09:00", 0),
                           ("09:15", 3), ("09:30", 0), ("09:45", 1)):
        lines.append(f"2025-03-14T{clock}:00+01:00,voice_fr,voice,{offered},{offered},"
                     f"{offered * 300}")
    write("voice_zero_rows_and_a_gap.csv", lines, encoding="utf-8")


def unknown_queue() -> None:
    """UTF-8, ',', CRLF: rows of voice_fr and of voice_de, which wfm.toml does not know."""
    lines = ["interval_start,queue,channel,offered,handled,handle_s"]
    for clock in ("08:00", "08:15"):
        for queue in ("voice_fr", "voice_de"):
            lines.append(f"2025-03-14T{clock}:00+01:00,{queue},voice,4,4,1200")
    write("wfm_unknown_queue.csv", lines, encoding="utf-8")


def known_queue_other_channel() -> None:
    """UTF-8, ',', CRLF: voice_fr rows as voice and as chat (wfm.toml: voice)."""
    lines = ["interval_start,queue,channel,offered,handled,handle_s",
             "2025-03-14T08:00:00+01:00,voice_fr,voice,4,4,1200",
             "2025-03-14T08:00:00+01:00,voice_fr,chat,2,2,900"]
    write("wfm_queue_with_other_channel.csv", lines, encoding="utf-8")


def glitch_rows() -> None:
    """UTF-8, ',', CRLF: handle time 0 with contacts handled (line 3), more answered within
    the threshold than handled (line 4)."""
    lines = ["interval_start,queue,channel,offered,handled,answered_within_sl,sl_threshold_s,"
             "handle_s",
             "2025-03-14T08:00:00+01:00,voice_fr,voice,10,9,8,20,2700",
             "2025-03-14T08:15:00+01:00,voice_fr,voice,6,5,5,20,0",
             "2025-03-14T08:30:00+01:00,voice_fr,voice,7,6,7,20,1800"]
    write("wfm_glitch_rows.csv", lines, encoding="utf-8")


def blank_optional_cells() -> None:
    """UTF-8, ',', CRLF: handled blank on line 3, handle_s blank on lines 3 and 4."""
    lines = ["interval_start,queue,channel,offered,handled,handle_s",
             "2025-03-14T08:00:00+01:00,voice_fr,voice,5,5,1500",
             "2025-03-14T08:15:00+01:00,voice_fr,voice,4,,",
             "2025-03-14T08:30:00+01:00,voice_fr,voice,3,3,"]
    write("wfm_blank_optional_cells.csv", lines, encoding="utf-8")


def german_utf16_tab() -> None:
    """UTF-16 LE with BOM, tab, CRLF (Excel's 'Unicode text'): German headers, decimal comma,
    thousands dots in the handle time."""
    header = ["Datum", "Uhrzeit", "Warteschlange", "Kanal", "Angeboten", "Bearbeitet",
              "Bearbeitungszeit (s)"]
    rows = [("14.03.2025", "08:00", "Kundendienst Süd", "Telefon", "12", "11", "3.312,5"),
            ("14.03.2025", "08:15", "Kundendienst Süd", "Telefon", "9", "9", "2.700"),
            ("14.03.2025", "08:30", "Kundendienst Süd", "Telefon", "4", "4", "987,25")]
    lines = ["\t".join(header)] + ["\t".join(r) for r in rows]
    write("de_utf16_tab.csv", lines, encoding="utf-16-le", bom=codecs.BOM_UTF16_LE)


def us_utf8_bom_quoted_thousands() -> None:
    """UTF-8 with BOM, ',', CRLF, every field quoted: thousands commas and decimal points."""
    lines = ['"interval_start","queue","channel","offered","handled","handle_s"',
             '"2025-03-14 08:00","voice_en","voice","1,204","1,198","359,400.5"',
             '"2025-03-14 08:15","voice_en","voice","987","980","294,012.25"']
    write("us_utf8_bom_quoted_thousands.csv", lines, encoding="utf-8", bom=codecs.BOM_UTF8)


def ambiguous_thousands_only() -> None:
    """cp1252, ';': every marked number is '1.234'-shaped: a thousands dot or a decimal?"""
    lines = ["Début;File;Canal;Appels présentés;Appels traités;Durée traitement (s)",
             "14/03/2025 08:00;Service Client FR;Téléphone;12;12;3.600",
             "14/03/2025 08:15;Service Client FR;Téléphone;9;9;2.700"]
    write("fr_ambiguous_thousands.csv", lines, encoding="cp1252")


def main() -> None:
    for make in (late_decimal_comma, mixed_decimal_styles, title_and_filter_lines,
                 trailing_total, total_inside_data, interval_labels,
                 dst_repeated_hour_in_order, dst_repeated_hour_once, sparse_email_no_zero_rows,
                 zero_rows_and_a_gap, unknown_queue, known_queue_other_channel, glitch_rows,
                 blank_optional_cells, german_utf16_tab, us_utf8_bom_quoted_thousands,
                 ambiguous_thousands_only):
        make()


if __name__ == "__main__":
    main()
