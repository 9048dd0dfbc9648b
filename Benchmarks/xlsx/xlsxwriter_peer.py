"""Writes the benchmark workbook with Python XlsxWriter in constant_memory mode:
python3 xlsxwriter_peer.py ROWS OUTPUT.xlsx"""
import sys

import xlsxwriter

from generator import HEADERS, WIDTHS, rows


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200000
    path = sys.argv[2] if len(sys.argv) > 2 else "xlsxwriter-python.xlsx"
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = workbook.add_worksheet("Data")
    header = workbook.add_format({"bold": True, "pattern": 1, "bg_color": "#D9D9D9"})
    date = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for column, width in enumerate(WIDTHS):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, count, 7)
    for column, title in enumerate(HEADERS):
        sheet.write_string(0, column, title, header)
    for i, day, status, region, amount, reference, text, small in rows(count):
        sheet.write_number(i, 0, i)
        sheet.write_datetime(i, 1, day, date)
        sheet.write_string(i, 2, status)
        sheet.write_string(i, 3, region)
        sheet.write_number(i, 4, amount)
        sheet.write_string(i, 5, reference)
        sheet.write_string(i, 6, text)
        sheet.write_number(i, 7, small)
    workbook.close()


if __name__ == "__main__":
    main()
