/* cobro invoice pdf: writes an invoice's PDF to a file or to standard output. */
#include "cli/cli.h"
#include "store/store.h"
#include "render/invoice_pdf.h"
#include "services/invoices.h"

#include <stdio.h>
#include <string.h>

static const char usage_invoice[] =
    "Usage: cobro invoice pdf NUMBER -o FILE [--db PATH]\n"
    "\n"
    "Writes the PDF of the invoice NUMBER (e.g. INV-2026-000001) to FILE.\n";

int cmd_invoice(int argc, char **argv)
{
    bool missing = false;
    const char *file = cli_take_option(&argc, argv, "-o", &missing);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(usage_invoice, stdout);
        return 0;
    }
    if (argc < 3 || strcmp(argv[1], "pdf") != 0 || missing || !file) {
        fputs(usage_invoice, stderr);
        return 2;
    }
    const char *number = argv[2];
    memmove(&argv[1], &argv[3], (size_t)(argc - 2) * sizeof *argv);
    argc -= 2;
    config_t cfg;
    int rc = cli_load_config(&cfg, CFG_DB, argc, argv, usage_invoice);
    if (rc >= 0) return rc;
    data_key_t key;
    store_t *s = cli_open_store(&cfg, &key);
    if (!s) return 1;
    arena_t *a = arena_new();
    invoice_doc_t inv;
    buf_t pdf;
    buf_init(&pdf, a);
    char err[256] = "";
    store_status_t st = invoice_load(s, a, number, 0, &inv);
    bool ok = st == STORE_OK && invoice_pdf_render(&inv, &pdf, err, sizeof err);
    store_close(s);
    if (st == STORE_NOT_FOUND) {
        fprintf(stderr, "cobro invoice: no invoice numbered %s\n", number);
    } else if (!ok) {
        fprintf(stderr, "cobro invoice: cannot render %s: %s\n", number, err);
    } else {
        FILE *f = strcmp(file, "-") == 0 ? stdout : fopen(file, "wb");
        ok = f && fwrite(pdf.data, 1, pdf.len, f) == pdf.len;
        if (f && f != stdout) ok = fclose(f) == 0 && ok;
        if (!ok) fprintf(stderr, "cobro invoice: cannot write %s\n", file);
    }
    arena_free(a);
    return ok ? 0 : 1;
}
