/* Writes the benchmark workbook with libxlsxwriter in constant_memory mode:
   libxlsxwriter_peer ROWS OUTPUT.xlsx */
#include <stdlib.h>
#include <xlsxwriter.h>
#include "generator.h"

int main(int argc, char **argv) {
    uint64_t rows = argc > 1 ? strtoull(argv[1], NULL, 10) : 200000;
    const char *path = argc > 2 ? argv[2] : "libxlsxwriter.xlsx";
    lxw_workbook_options options = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
    lxw_workbook *workbook = workbook_new_opt(path, &options);
    if (!workbook) return 1;
    lxw_worksheet *sheet = workbook_add_worksheet(workbook, "Data");
    lxw_format *header = workbook_add_format(workbook);
    format_set_bold(header);
    format_set_pattern(header, LXW_PATTERN_SOLID);
    format_set_bg_color(header, 0xD9D9D9);
    lxw_format *date = workbook_add_format(workbook);
    format_set_num_format(date, "yyyy-mm-dd");
    for (int c = 0; c < 8; c++) worksheet_set_column(sheet, c, c, WIDTHS[c], NULL);
    worksheet_freeze_panes(sheet, 1, 0);
    worksheet_autofilter(sheet, 0, 0, (lxw_row_t)rows, 7);
    for (int c = 0; c < 8; c++) worksheet_write_string(sheet, 0, c, HEADERS[c], header);
    splitmix64 g = {42};
    bench_row row;
    for (uint64_t i = 1; i <= rows; i++) {
        bench_row_make(i, &g, &row);
        lxw_row_t r = (lxw_row_t)i;
        lxw_datetime day = {row.year, row.month, row.day, 0, 0, 0};
        worksheet_write_number(sheet, r, 0, (double)row.id, NULL);
        worksheet_write_datetime(sheet, r, 1, &day, date);
        worksheet_write_string(sheet, r, 2, row.status, NULL);
        worksheet_write_string(sheet, r, 3, row.region, NULL);
        worksheet_write_number(sheet, r, 4, row.amount, NULL);
        worksheet_write_string(sheet, r, 5, row.reference, NULL);
        worksheet_write_string(sheet, r, 6, row.text, NULL);
        worksheet_write_number(sheet, r, 7, (double)row.small, NULL);
    }
    return workbook_close(workbook) == LXW_NO_ERROR ? 0 : 1;
}
