/*
 * The scoring fast path's CSV parse + encode step in C (issue 15): a plain CSV body (the bytes of
 * the request) straight into the float64 matrix FastEncoder.encode_columns builds from it, or a
 * status saying "not handled here" and the caller takes the Python path unchanged (so every error
 * message and every unusual input stays the Python path's business).
 *
 * Handled (anything else returns a negative status):
 *   - bytes: ASCII only, no double quote; CR only as part of CRLF; lines of exactly `width`
 *     comma-separated fields; an optional final line break; at least one line. These are the
 *     bodies scoring._plain_csv_columns splits (non-ASCII ones go to Python: it owns UTF-8).
 *   - numeric fields: ' '* [+-]? (digits [. digits*] | . digits) ([eE] [+-]? digits)? ' '*, or
 *     empty / spaces only (a missing value: NaN). The value is the correctly rounded double of
 *     the decimal, as Python's float() (David Gay's correctly rounded strtod): exactly for at most
 *     19 significant digits with a mantissa < 2^53 and a power of ten in 1e0..1e22 (one IEEE
 *     multiply or divide of two exact doubles is correctly rounded: Clinger's fast path, the one
 *     CPython's dtoa.c takes too), otherwise glibc's strtod_l in the C locale (correctly
 *     rounded as well, subnormals included). An overflow (inf) returns a status instead.
 *   - categorical fields: exact bytes looked up in the column's category table (sorted bytes,
 *     binary search); not found: the column's unknown code, as dict.get(field, unknown).
 * Output: out[row_of[p] * n_rows + r] for field p of record r (the encoder's output column
 * layout, transposed), skip columns (row_of[p] < 0) are validated as fields only.
 */
#define _GNU_SOURCE
#include <locale.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MLC_ABI 2

enum {
    ST_EMPTY = -1,      /* nothing after the start offset */
    ST_BYTE = -2,       /* a double quote or a byte >= 0x80 */
    ST_CR = -3,         /* a carriage return not followed by a line feed */
    ST_FIELDS = -4,     /* a line with another number of fields than width */
    ST_ROWS = -5,       /* another number of lines than the caller counted */
    ST_NUMBER = -6,     /* a numeric field outside the plain decimal grammar */
    ST_RANGE = -7,      /* a numeric field whose value overflows (inf) */
    ST_ARGS = -8,       /* bad arguments */
    ST_LOCALE = -9      /* the C locale could not be created */
};

enum { KIND_NUMBER = -1, KIND_SKIP = -2 };  /* kinds[p] >= 0: index of a category table */

static locale_t c_locale;

__attribute__((constructor)) static void mlc_init(void) {
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

int mlc_abi(void) { return c_locale ? MLC_ABI : 0; }

static const double POW10[23] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

#define MAX_NUMBER 63  /* longer numeric fields go to Python */

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* The double of one numeric field s[0..n), or a status; NaN for an empty or blank field. */
static int parse_number(const unsigned char *s, size_t n, double *value) {
    while (n > 0 && s[0] == ' ') { s++; n--; }
    while (n > 0 && s[n - 1] == ' ') n--;
    if (n == 0) { *value = NAN; return 0; }
    if (n > MAX_NUMBER) return ST_NUMBER;
    size_t i = 0;
    int negative = 0;
    if (s[i] == '+' || s[i] == '-') { negative = s[i] == '-'; i++; }
    uint64_t mantissa = 0;
    int significant = 0, digits = 0, exponent10 = 0;
    for (; i < n && is_digit(s[i]); i++, digits++) {
        if (mantissa == 0 && s[i] == '0') continue;  /* leading zeros */
        if (significant < 19) mantissa = mantissa * 10 + (uint64_t)(s[i] - '0');
        else exponent10++;  /* (only used when exact: see below) */
        significant++;
    }
    if (i < n && s[i] == '.') {
        for (i++; i < n && is_digit(s[i]); i++, digits++) {
            if (mantissa == 0 && s[i] == '0') { exponent10--; continue; }
            if (significant < 19) { mantissa = mantissa * 10 + (uint64_t)(s[i] - '0'); exponent10--; }
            significant++;
        }
    }
    if (digits == 0) return ST_NUMBER;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        int exp_negative = 0, exp_digits = 0;
        long explicit_exponent = 0;
        if (i < n && (s[i] == '+' || s[i] == '-')) { exp_negative = s[i] == '-'; i++; }
        for (; i < n && is_digit(s[i]); i++, exp_digits++) {
            if (explicit_exponent < 100000) explicit_exponent = explicit_exponent * 10 + (s[i] - '0');
        }
        if (exp_digits == 0) return ST_NUMBER;
        if (explicit_exponent >= 100000) significant = 99;  /* strtod decides (range) */
        else exponent10 += (int)(exp_negative ? -explicit_exponent : explicit_exponent);
    }
    if (i != n) return ST_NUMBER;
    if (mantissa == 0 && significant == 0) {  /* all digits zero: +-0.0 whatever the exponent */
        *value = negative ? -0.0 : 0.0;
        return 0;
    }
    if (significant <= 19 && mantissa < ((uint64_t)1 << 53) && exponent10 >= -22 && exponent10 <= 22) {
        double m = (double)mantissa;  /* exact: < 2^53 */
        double v = exponent10 >= 0 ? m * POW10[exponent10] : m / POW10[-exponent10];
        *value = negative ? -v : v;
        return 0;
    }
    char text[MAX_NUMBER + 1];
    memcpy(text, s, n);
    text[n] = '\0';
    char *end = NULL;
    double v = strtod_l(text, &end, c_locale);
    if (end != text + n) return ST_NUMBER;
    /* Overflow (inf) is an error on the Python side: its message. Underflow (ERANGE with a
       subnormal or zero result) is still the correctly rounded value, as float() gives. */
    if (!isfinite(v)) return ST_RANGE;
    *value = v;
    return 0;
}

/* The code of a categorical field: binary search of entries [first, last) (sorted as bytes). */
static double category_code(const unsigned char *s, size_t n, const unsigned char *strings,
                            const int64_t *offsets, int64_t first, int64_t last,
                            const double *codes, double unknown) {
    while (first < last) {
        int64_t middle = first + (last - first) / 2;
        const unsigned char *key = strings + offsets[middle];
        size_t key_length = (size_t)(offsets[middle + 1] - offsets[middle]);
        size_t common = n < key_length ? n : key_length;
        int order = common ? memcmp(s, key, common) : 0;
        if (order == 0) order = n < key_length ? -1 : n > key_length ? 1 : 0;
        if (order == 0) return codes[middle];
        if (order < 0) last = middle;
        else first = middle + 1;
    }
    return unknown;
}

/* Lines of buf[start..len): its line feeds, plus one for a last line without one (memchr). */
long mlc_lines(const unsigned char *buf, size_t len, size_t start) {
    if (start >= len) return 0;
    long lines = 0;
    const unsigned char *p = buf + start, *end = buf + len;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        lines++;
        p++;
    }
    return lines + (buf[len - 1] != '\n');
}

/* Field-ending bytes and bytes that hand the body to Python. */
static unsigned char STOP[256];

__attribute__((constructor)) static void mlc_init_stop(void) {
    for (int c = 0; c < 256; c++) STOP[c] = c >= 0x80 || c == ',' || c == '\n' || c == '\r' || c == '"';
}

/*
 * Encode buf[start..len) into out (width output rows of n_rows doubles).
 * kinds[p], row_of[p] per field position p (0..width-1): KIND_NUMBER, KIND_SKIP or a table index;
 * the output row (< 0: none). Table t holds entries table_first[t]..table_first[t+1]: the bytes
 * strings[offsets[e]..offsets[e+1]) and the code codes[e]; unknown[t] for the others.
 * Returns n_rows, or a negative status (nothing else is promised about out then).
 */
long mlc_encode(const unsigned char *buf, size_t len, size_t start, int width,
                const int32_t *kinds, const int32_t *row_of,
                const unsigned char *strings, const int64_t *offsets, const int64_t *table_first,
                const double *codes, const double *unknown,
                double *out, size_t n_rows) {
    if (!c_locale) return ST_LOCALE;
    if (width < 1 || !buf || !out) return ST_ARGS;
    if (start >= len) return ST_EMPTY;
    size_t i = start, row = 0;
    while (i < len) {
        if (row >= n_rows) return ST_ROWS;
        for (int p = 0; p < width; p++) {
            size_t first = i;
            while (i < len && !STOP[buf[i]]) i++;
            size_t last = i;
            if (i < len) {
                unsigned char c = buf[i];
                if (c == '"' || c >= 0x80) return ST_BYTE;
                if (c == '\r') {
                    if (i + 1 >= len || buf[i + 1] != '\n') return ST_CR;
                    i++;
                    c = '\n';
                }
                if ((c == ',') != (p < width - 1)) return ST_FIELDS;
                i++;
            } else if (p < width - 1) {
                return ST_FIELDS;
            }
            int kind = kinds[p];
            if (kind == KIND_SKIP) continue;
            double value;
            if (kind == KIND_NUMBER) {
                int status = parse_number(buf + first, last - first, &value);
                if (status) return status;
            } else {
                value = category_code(buf + first, last - first, strings, offsets, table_first[kind],
                                      table_first[kind + 1], codes, unknown[kind]);
            }
            if (row_of[p] >= 0) out[(size_t)row_of[p] * n_rows + row] = value;
        }
        row++;
    }
    if (row != n_rows) return ST_ROWS;
    return (long)row;
}
