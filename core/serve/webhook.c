/* webhook.c — the webhook sender and the libcurl client (see webhook.h). */
#define _GNU_SOURCE
#include "webhook.h"

#include <curl/curl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http.h"
#include "store.h"
#include "util.h"

#define WEBHOOK_TRIES 5

struct webhook_sender {
    store *root;
    char *url;
    pthread_t th;
    volatile int stop;
};

typedef struct buf {
    char *p;
    size_t n;
} buf;

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *arg)
{
    buf *b = arg;
    size_t n = size * nmemb;
    if (b->n + n > (1u << 20))
        return 0;
    b->p = xrealloc(b->p, b->n + n + 1);
    memcpy(b->p + b->n, ptr, n);
    b->n += n;
    b->p[b->n] = '\0';
    return n;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

int http_post_json(const char *url, const char *body, const char *token, long timeout_s,
                   long *status, char **answer, char *err, size_t errlen)
{
    return http_call_json("POST", url, body, token, timeout_s, status, answer, err, errlen);
}

int http_call_json(const char *method, const char *url, const char *body, const char *token,
                   long timeout_s, long *status, char **answer, char *err, size_t errlen)
{
    pthread_once(&curl_once, curl_init);
    CURL *c = curl_easy_init();
    if (!c)
        return errf(err, errlen, -1, "libcurl could not start");
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    char *auth = NULL;
    if (token) {
        auth = xasprintf("Authorization: Bearer %s", token);
        h = curl_slist_append(h, auth);
    }
    buf b = {0};
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    if (strcmp(method, body ? "POST" : "GET") != 0)
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_s);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    CURLcode rc = curl_easy_perform(c);
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(c);
    curl_slist_free_all(h);
    free(auth);
    if (status)
        *status = code;
    if (answer)
        *answer = b.p;
    else
        free(b.p);
    if (rc != CURLE_OK)
        return errf(err, errlen, -1, "%s: %s", url, curl_easy_strerror(rc));
    if (code < 200 || code > 299)
        return errf(err, errlen, -1, "%s answered HTTP %ld", url, code);
    return 0;
}

static void *sender_main(void *arg)
{
    webhook_sender *w = arg;
    char err[1024];
    store *st = NULL;
    if (store_open_again(w->root, &st, err, sizeof err) != 0) {
        say("serve: webhook: %s", err);
        return NULL;
    }
    http_tune_store(st);
    sqlite3 *db = store_db(st);
    while (!w->stop) {
        sqlite3_stmt *s;
        int64_t id = 0;
        int attempts = 0;
        char *payload = NULL;
        if (sqlite3_prepare_v2(db,
                               "SELECT id, attempts, payload_json FROM alerts WHERE webhook_state "
                               "= 'pending' ORDER BY id LIMIT 1",
                               -1, &s, NULL) == SQLITE_OK) {
            if (sqlite3_step(s) == SQLITE_ROW) {
                id = sqlite3_column_int64(s, 0);
                attempts = sqlite3_column_int(s, 1);
                payload = xstrdup((const char *)sqlite3_column_text(s, 2));
            }
            sqlite3_finalize(s);
        }
        if (!id) {
            for (int i = 0; i < 5 && !w->stop; i++)
                usleep(100000);
            continue;
        }
        int ok = http_post_json(w->url, payload, NULL, 10, NULL, NULL, err, sizeof err) == 0;
        free(payload);
        attempts++;
        const char *state = ok ? "sent" : attempts >= WEBHOOK_TRIES ? "failed" : "pending";
        if (!ok)
            say("serve: webhook for alert %lld, try %d of %d: %s", (long long)id, attempts,
                WEBHOOK_TRIES, err);
        if (sqlite3_prepare_v2(db, "UPDATE alerts SET webhook_state = ?2, attempts = ?3 WHERE id "
                                   "= ?1",
                               -1, &s, NULL) == SQLITE_OK) {
            sqlite3_bind_int64(s, 1, id);
            sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
            sqlite3_bind_int(s, 3, attempts);
            sqlite3_step(s);
            sqlite3_finalize(s);
        }
        if (!ok) /* back off: 2, 4, 8, 16 s */
            for (int i = 0; i < 10 * (1 << attempts) && !w->stop; i++)
                usleep(100000);
    }
    store_close(st);
    return NULL;
}

webhook_sender *webhook_start(store *root, const char *url)
{
    webhook_sender *w = xcalloc(1, sizeof *w);
    w->root = root;
    w->url = xstrdup(url);
    if (pthread_create(&w->th, NULL, sender_main, w) != 0) {
        free(w->url);
        free(w);
        return NULL;
    }
    return w;
}

void webhook_stop(webhook_sender *w)
{
    if (!w)
        return;
    w->stop = 1;
    pthread_join(w->th, NULL);
    free(w->url);
    free(w);
}
