/*
 * webhook.h — alerts POSTed to the configured webhook (a Slack/Mattermost
 * style incoming hook), by a thread of their own: a slow or failing hook
 * never blocks the scheduler.  An alert is tried up to 5 times with growing
 * pauses (2, 4, 8, 16 s); each failure is logged; its state ends `sent` or
 * `failed` in the alerts table.
 */
#ifndef BENCHAAS_WEBHOOK_H
#define BENCHAAS_WEBHOOK_H

#include <stddef.h>

typedef struct webhook_sender webhook_sender;

struct store;
webhook_sender *webhook_start(struct store *root, const char *url);
void webhook_stop(webhook_sender *w); /* NULL is fine */

/* POST body (JSON) to url with libcurl: 0 on a 2xx answer, else -1 and the reason. */
int http_post_json(const char *url, const char *body, const char *token, long timeout_s,
                   long *status, char **answer, char *err, size_t errlen);
/* The same for any method ("GET", "DELETE", ...); body NULL: none. */
int http_call_json(const char *method, const char *url, const char *body, const char *token,
                   long timeout_s, long *status, char **answer, char *err, size_t errlen);

#endif
