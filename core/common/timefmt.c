/* timefmt.c — ISO 8601 UTC times as users and result documents write them (timefmt.h). */
#define _GNU_SOURCE /* timegm */
#include "timefmt.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "benchaas/plugin.h" /* BX_E* codes */

/* Exactly n digits at *p into *out; advances *p. */
static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

int time_parse_utc(const char *text, int64_t *epoch, int *date_only)
{
    int Y, M, D, h = 0, m = 0, sec = 0, off = 0;
    const char *p = text;
    if (!p)
        return BX_EINVAL;
    if (digits(&p, 4, &Y) || *p++ != '-' || digits(&p, 2, &M) || *p++ != '-' ||
        digits(&p, 2, &D))
        return BX_EINVAL;
    int donly = (*p == '\0');
    if (!donly) {
        if (*p != 'T' && *p != 't' && *p != ' ')
            return BX_EINVAL;
        p++;
        if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &m))
            return BX_EINVAL;
        if (*p == ':') {
            p++;
            if (digits(&p, 2, &sec))
                return BX_EINVAL;
            if (*p == '.' || *p == ',') { /* fractional seconds: dropped */
                p++;
                if (!isdigit((unsigned char)*p))
                    return BX_EINVAL;
                while (isdigit((unsigned char)*p))
                    p++;
            }
        }
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
            if (digits(&p, 2, &oh))
                return BX_EINVAL;
            if (*p == ':')
                p++;
            if (*p && digits(&p, 2, &om))
                return BX_EINVAL;
            if (oh > 23 || om > 59)
                return BX_EINVAL;
            off = sign * (oh * 3600 + om * 60);
        }
        if (*p != '\0')
            return BX_EINVAL;
    }
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (M < 1 || M > 12 || D < 1 || D > mdays[M - 1] || h > 23 || m > 59 || sec > 60)
        return BX_EINVAL;
    int leap = (Y % 4 == 0 && Y % 100 != 0) || Y % 400 == 0;
    if (M == 2 && D == 29 && !leap) /* 2026-02-29 */
        return BX_EINVAL;
    /* days since 1970-01-01 in the proleptic Gregorian calendar (as timegm counts):
       years from March, so that the leap day is the last of its year */
    int64_t y = Y - (M <= 2), era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (M > 2 ? M - 3 : M + 9) + 2) / 5 + D - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = era * 146097 + doe - 719468;
    /* a leap second counts as :59 */
    *epoch = days * 86400 + h * 3600 + m * 60 + (sec > 59 ? 59 : sec) - off;
    /* The UTC instant must have a four-digit year, as stored times do
     * ("0000-01-01T00:30+01:00" would be in year -1; tests/fuzz/fuzz_time.c). */
    if (*epoch < INT64_C(-62167219200) || *epoch > INT64_C(253402300799))
        return BX_EINVAL;
    if (date_only)
        *date_only = donly;
    return 0;
}

void time_format_utc(int64_t epoch, char *out, size_t outlen)
{
    time_t t = (time_t)epoch;
    struct tm tm;
    /* Not strftime's %Y: it does not pad years before 1000 to four digits,
     * and such a text would neither sort nor parse again. */
    if (!gmtime_r(&t, &tm) ||
        snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec) >= (int)outlen) {
        if (outlen)
            out[0] = '\0';
    }
}

