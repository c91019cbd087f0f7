/*
 * timefmt.h — times as BenchaaS writes and reads them: ISO 8601, UTC.
 */
#ifndef BENCHAAS_TIMEFMT_H
#define BENCHAAS_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parse an ISO 8601 UTC date or date-time, as users and result documents
 * write them: "2026-11-21", "2026-11-21T10:12", "2026-11-21 10:12:17",
 * optional fractional seconds (dropped), optional "Z" or "+HH:MM"/"-HH:MM".
 * Without an offset the time is taken as UTC.  0 and *epoch (seconds since
 * 1970, UTC), *date_only set when only a date was given (may be NULL);
 * BX_EINVAL when the text is not such a time or names an impossible date.
 */
int time_parse_utc(const char *text, int64_t *epoch, int *date_only);

/* epoch -> "2026-11-21T10:12:17Z" (the form stored in the database); out >= 21 bytes. */
void time_format_utc(int64_t epoch, char *out, size_t outlen);

#endif
