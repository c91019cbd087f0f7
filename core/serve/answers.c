/*
 * answers.c — the shared answers of ROUTE_CACHE routes and their refresher (see answers.h).
 */
#define _GNU_SOURCE
#include "answers.h"

#include <microhttpd.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define KEY_MAX 2048

/* A kept body, shared: a request takes a reference under the lock and copies it out after
 * (a 94 kB dashboard copied under the one lock held up every other thread's request). */
typedef struct body {
    _Atomic int refs;
    size_t len;
    const char *type;
    char data[];
} body;

static body *body_of(const http_resp *o)
{
    body *b = xmalloc(sizeof *b + o->len + 1);
    atomic_init(&b->refs, 1);
    b->len = o->len;
    b->type = o->type;
    memcpy(b->data, o->body, o->len + 1);
    return b;
}

static void body_put(body *b)
{
    if (b && atomic_fetch_sub(&b->refs, 1) == 1)
        free(b);
}

/* One kept answer and what it takes to compute it again without the connection. */
typedef struct answer {
    char *key;             /* NULL: the slot is free */
    const http_route *rt;
    char *path;
    char *seg[4];
    size_t nseg;
    char **args;           /* nargs pairs: name, value (NULL for "?a") */
    size_t nargs;
    body *body;            /* NULL: none yet (computing) */
    uint64_t gen;          /* the database generation the body was computed at */
    double used;           /* last asked for (mono_now) */
    double cost;           /* seconds its last computation took */
    double done;           /* when it ended (mono_now) */
    int refreshing;        /* the refresher reads rt, path, seg and args now */
    int computing;         /* its first computation runs on a request's thread (no body yet):
                              other requests for it wait for that one */
} answer;

struct answers {
    pthread_mutex_t mu; /* guards slots, bytes, stop */
    pthread_cond_t wake;
    pthread_cond_t computed; /* a first computation ended */
    answer slots[ANSWERS_SLOTS];
    size_t bytes;
    _Atomic uint64_t gen; /* moves each time the refresher sees the database change */
    store *st; /* the refresher's connection (owned) */
    http_server *srv;
    pthread_t thread;
    int stop;
    int ready;            /* the refresher has read the first version (or given up) */
    _Atomic int failed;   /* the refresher has no connection: answers are not kept */
    long delay_ms; /* BENCHAAS_TEST_ANSWER_DELAY_MS */
    const char *count_path; /* BENCHAAS_TEST_ANSWER_COUNT: a line per computation there */
    const char *fail_path;  /* BENCHAAS_TEST_ANSWER_FAIL: refreshes answer 503 while it exists */
};

/* ---- the key ------------------------------------------------------------------------ */

typedef struct keybuf {
    char *p;
    size_t len, cap;
    int overflow;
    char **args; /* the arguments, copied (pairs) */
    size_t nargs;
} keybuf;

/* Append text to the key percent-encoded: only [A-Za-z0-9._~-] stay as they are, so the
 * separators '&' and '=' of the key never come from an argument. */
static void key_put(keybuf *b, const char *text)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *q = (const unsigned char *)text; *q && !b->overflow; q++) {
        int plain = (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
                    (*q >= '0' && *q <= '9') || *q == '.' || *q == '_' || *q == '~' || *q == '-';
        if (b->len + (plain ? 1 : 3) + 1 > b->cap) {
            b->overflow = 1;
            return;
        }
        if (plain) {
            b->p[b->len++] = (char)*q;
        } else {
            b->p[b->len++] = '%';
            b->p[b->len++] = hex[*q >> 4];
            b->p[b->len++] = hex[*q & 15];
        }
    }
    b->p[b->len] = '\0';
}

static void key_sep(keybuf *b, char c)
{
    if (b->len + 2 > b->cap) {
        b->overflow = 1;
        return;
    }
    b->p[b->len++] = c;
    b->p[b->len] = '\0';
}

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *k, const char *v)
{
    (void)kind;
    keybuf *b = cls;
    key_sep(b, '&');
    key_put(b, k);
    if (v) { /* "?a" and "?a=" are told apart */
        key_sep(b, '=');
        key_put(b, v);
    }
    if (b->overflow)
        return MHD_NO;
    b->args = xrealloc(b->args, (b->nargs + 1) * 2 * sizeof *b->args);
    b->args[2 * b->nargs] = xstrdup(k);
    b->args[2 * b->nargs + 1] = v ? xstrdup(v) : NULL;
    b->nargs++;
    return MHD_YES;
}

static void args_free(char **args, size_t n)
{
    for (size_t i = 0; i < 2 * n; i++)
        free(args[i]);
    free(args);
}

/* The key of route rt for r (the route, the path and the decoded arguments in order, each
 * encoded so that the key is one-to-one: `?plugin=stream%26limit%3D3` and
 * `?plugin=stream&limit=3` differ) and a copy of the arguments; -1 when it is too long. */
static int answer_key(const http_route *rt, const http_req *r, keybuf *b)
{
    key_put(b, rt->pattern);
    key_sep(b, ' ');
    key_put(b, r->path);
    key_sep(b, '?');
    if (r->conn && !b->overflow)
        MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, add_arg, b);
    else
        for (size_t i = 0; i < r->nargs && !b->overflow; i++)
            add_arg(b, MHD_GET_ARGUMENT_KIND, r->args[2 * i], r->args[2 * i + 1]);
    return b->overflow ? -1 : 0;
}

/* ---- the slots (a->mu held) ------------------------------------------------------------ */

static void slot_clear(answers *a, answer *e)
{
    a->bytes -= e->body ? e->body->len : 0;
    free(e->key);
    free(e->path);
    for (size_t i = 0; i < e->nseg; i++)
        free(e->seg[i]);
    args_free(e->args, e->nargs);
    body_put(e->body);
    memset(e, 0, sizeof *e);
}

static answer *slot_find(answers *a, const char *key)
{
    for (int i = 0; i < ANSWERS_SLOTS; i++)
        if (a->slots[i].key && strcmp(a->slots[i].key, key) == 0)
            return &a->slots[i];
    return NULL;
}

/* How much an answer is worth keeping: asked for lately, or dear to compute (one that took
 * 0.25 s counts as asked for 15 s later), so a crawl over many cheap URLs (one run each) does
 * not push out the leaderboards. */
static double keep_score(const answer *e) { return e->used + 60.0 * e->cost; }

/* A slot for a new answer of len bytes: a free one, else the one least worth keeping;
 * answers are dropped until the bodies fit ANSWERS_BYTES_MAX.  NULL: none (every slot is
 * being refreshed). */
static answer *slot_take(answers *a, size_t len)
{
    for (;;) {
        answer *victim = NULL;
        for (int i = 0; i < ANSWERS_SLOTS; i++) {
            answer *e = &a->slots[i];
            if (!e->key && a->bytes + len <= ANSWERS_BYTES_MAX)
                return e;
            if (e->key && !e->refreshing && !e->computing &&
                (!victim || keep_score(e) < keep_score(victim)))
                victim = e;
        }
        if (!victim)
            return NULL;
        slot_clear(a, victim);
    }
}

/* e's body becomes nb (made outside the lock; taken). */
static void slot_body(answers *a, answer *e, body *nb, uint64_t gen, double cost)
{
    e->cost = cost;
    e->done = mono_now();
    a->bytes -= e->body ? e->body->len : 0;
    body_put(e->body);
    e->body = nb;
    e->gen = gen;
    a->bytes += nb->len;
}

static int keepable(const http_resp *o)
{
    return o->status == 200 && o->body && !o->headers.n && !o->retry_after &&
           o->len <= ANSWERS_BYTES_MAX / 4;
}

/* ---- computing ------------------------------------------------------------------------- */

/* > 0 while this thread computes a kept answer: the answers it asks for inside are computed
 * from the database, not taken from what is kept (a kept answer is never built from a stale
 * one, which would then pass for current). */
static __thread int t_depth;

static void compute(answers *a, const http_route *rt, http_req *r, http_resp *o, int refresh)
{
    if (a->count_path) {
        FILE *f = fopen(a->count_path, "ae");
        if (f) {
            fprintf(f, "%s\n", r->path);
            fclose(f);
        }
    }
    if (a->delay_ms > 0) {
        struct timespec ts = {a->delay_ms / 1000, (a->delay_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (a->fail_path && refresh && access(a->fail_path, F_OK) == 0) {
        static const char msg[] = "{\"error\":{\"status\":503,\"message\":\"a test's failure\"}}";
        free(o->body); /* filled here, not by http.c's helpers: answers.c stays below http.c */
        o->status = 503;
        o->body = xstrdup(msg);
        o->len = sizeof msg - 1;
        return;
    }
    t_depth++;
    rt->fn(r, o);
    t_depth--;
}

/* e's body, a reference taken (a->mu held): copied into o by copy_out, after unlocking. */
static body *take_kept(answers *a, answer *e)
{
    e->used = mono_now();
    if (e->gen != atomic_load(&a->gen))
        pthread_cond_signal(&a->wake); /* stale: the refresher recomputes it */
    atomic_fetch_add(&e->body->refs, 1);
    return e->body;
}

static void body_release(void *b) { body_put(b); }

/* b into o: lent as it is when o takes a lent body (http_resp.lend_ok: a 62 kB runs list is
 * then not copied per request), else copied; the reference is o's or dropped. */
static void copy_out(body *b, http_resp *o)
{
    free(o->body); /* as http_text does; answers.c stays below http.c */
    o->status = 200;
    o->type = b->type;
    o->len = b->len;
    if (o->lend_ok) {
        o->body = b->data;
        o->held = b;
        o->release = body_release;
        return;
    }
    o->body = xmalloc(b->len + 1);
    memcpy(o->body, b->data, b->len + 1);
    body_put(b);
}

/* Room for len more bytes of bodies beside e's: the answers least worth keeping dropped
 * (a->mu held).  0 when there is none. */
static int make_room(answers *a, const answer *e, size_t len)
{
    while (a->bytes - (e->body ? e->body->len : 0) + len > ANSWERS_BYTES_MAX) {
        answer *victim = NULL;
        for (int i = 0; i < ANSWERS_SLOTS; i++) {
            answer *v = &a->slots[i];
            if (v != e && v->key && v->body && !v->refreshing && !v->computing &&
                (!victim || keep_score(v) < keep_score(victim)))
                victim = v;
        }
        if (!victim)
            return 0;
        slot_clear(a, victim);
    }
    return 1;
}

/* A slot for the first computation of key (marked computing, with what the refresher needs
 * later; b's arguments move into it), or NULL when none is free (a->mu held). */
static answer *reserve(answers *a, const char *key, const http_route *rt, const http_req *r,
                       keybuf *b)
{
    answer *e = slot_take(a, 0);
    if (!e)
        return NULL;
    e->key = xstrdup(key);
    e->rt = rt;
    e->path = xstrdup(r->path);
    for (size_t i = 0; i < r->nseg && i < 4; i++)
        e->seg[i] = xstrdup(r->seg[i] ? r->seg[i] : "");
    e->nseg = r->nseg < 4 ? r->nseg : 4;
    e->args = b->args;
    e->nargs = b->nargs;
    b->args = NULL;
    b->nargs = 0;
    e->computing = 1;
    return e;
}

void answers_run(answers *a, const http_route *rt, http_req *r, http_resp *o)
{
    char key[KEY_MAX];
    keybuf b = {key, 0, sizeof key, 0, NULL, 0};
    if (!a || t_depth > 0 || atomic_load(&a->failed) || answer_key(rt, r, &b) != 0) {
        args_free(b.args, b.nargs);
        rt->fn(r, o);
        return;
    }
    pthread_mutex_lock(&a->mu);
    answer *e = slot_find(a, key);
    /* nothing kept yet, but another request computes it: one computation for all of them */
    while (e && e->computing) {
        pthread_cond_wait(&a->computed, &a->mu);
        e = slot_find(a, key);
    }
    if (e && e->body) {
        body *kb = take_kept(a, e);
        pthread_mutex_unlock(&a->mu);
        copy_out(kb, o);
        args_free(b.args, b.nargs);
        return;
    }
    /* nothing kept for this URL yet: the one computation on a request's thread */
    e = reserve(a, key, rt, r, &b);
    pthread_mutex_unlock(&a->mu);
    uint64_t gen = atomic_load(&a->gen);
    double t0 = mono_now();
    compute(a, rt, r, o, 0);
    double cost = mono_now() - t0;
    body *nb = e && keepable(o) ? body_of(o) : NULL;
    pthread_mutex_lock(&a->mu);
    if (e) {
        e->computing = 0;
        if (nb && make_room(a, e, nb->len)) {
            slot_body(a, e, nb, gen, cost);
            nb = NULL;
            e->used = mono_now();
        } else {
            slot_clear(a, e); /* the next request computes it again, and sees the error */
        }
        pthread_cond_broadcast(&a->computed);
    }
    pthread_mutex_unlock(&a->mu);
    body_put(nb);
    args_free(b.args, b.nargs);
}

/* ---- the refresher ---------------------------------------------------------------------- */

/* The next answer to recompute (marked refreshing), or NULL; stale answers nobody asked
 * for in ANSWERS_IDLE_S are left as they are, those not asked for in ANSWERS_DROP_S dropped
 * on the way.  a->mu held. */
static answer *next_stale(answers *a, uint64_t gen)
{
    double now = mono_now();
    answer *pick = NULL;
    for (int i = 0; i < ANSWERS_SLOTS; i++) {
        answer *e = &a->slots[i];
        if (!e->key || e->refreshing || e->computing || e->gen == gen)
            continue;
        if (now - e->used > ANSWERS_DROP_S)
            slot_clear(a, e);
        else if (now - e->used > ANSWERS_IDLE_S)
            continue; /* idle: kept as it is, refreshed when asked for again */
        else if (now - e->done < ANSWERS_REST * e->cost)
            continue; /* not yet: the refresher rests ANSWERS_REST times what it worked */
        else if (!pick || e->used > pick->used)
            pick = e;
    }
    if (pick)
        pick->refreshing = 1;
    return pick;
}

/* Recompute e (marked refreshing, so its request fields stay) with the refresher's
 * connection; a failure drops it (the next request computes and sees the error). */
static void refresh(answers *a, answer *e, store *st, uint64_t gen)
{
    http_req q;
    memset(&q, 0, sizeof q);
    q.method = "GET";
    q.path = e->path;
    q.ip = "127.0.0.1";
    q.body = "";
    for (size_t i = 0; i < e->nseg; i++)
        q.seg[i] = e->seg[i];
    q.nseg = e->nseg;
    q.args = (const char *const *)e->args;
    q.nargs = e->nargs;
    q.srv = a->srv;
    q.st = st;
    http_resp o;
    memset(&o, 0, sizeof o);
    double t0 = mono_now();
    compute(a, e->rt, &q, &o, 1);
    double cost = mono_now() - t0;
    body *nb = keepable(&o) ? body_of(&o) : NULL;
    pthread_mutex_lock(&a->mu);
    e->refreshing = 0;
    if (nb) {
        slot_body(a, e, nb, gen, cost);
    } else if (o.status >= 500 && e->body) {
        /* the server's failure (the database busy, out of memory), not the answer's: the
         * kept one stays, still stale, and is tried again after the rest.  Dropped, the
         * next request would compute it on its thread, and every request for it on every
         * thread would wait for that one (a leaderboard over 1 000 000 runs: seconds). */
        e->cost = cost;
        e->done = mono_now();
    } else {
        slot_clear(a, e); /* the answer changed to a refusal: the next request sees it */
    }
    pthread_mutex_unlock(&a->mu);
    free(o.body);
    strvec_free(&o.headers);
}

static int64_t data_version(sqlite3_stmt *s)
{
    int64_t v = -1;
    if (sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return v;
}

static void *refresher_main(void *p)
{
    answers *a = p;
    store *st = a->st;
    sqlite3_stmt *vs = NULL;
    int ok = sqlite3_prepare_v2(store_db(st), "PRAGMA data_version", -1, &vs, NULL) ==
                       SQLITE_OK;
    int64_t seen = ok ? data_version(vs) : -1;
    pthread_mutex_lock(&a->mu);
    atomic_store(&a->failed, !ok); /* then every request computes its own answer */
    a->ready = 1;
    pthread_cond_broadcast(&a->wake);
    if (!ok)
        a->stop = 1;
    while (!a->stop) {
        pthread_mutex_unlock(&a->mu);
        int64_t v = data_version(vs);
        if (v != seen) {
            seen = v;
            atomic_fetch_add(&a->gen, 1);
        }
        uint64_t gen = atomic_load(&a->gen);
        pthread_mutex_lock(&a->mu);
        answer *e = a->stop ? NULL : next_stale(a, gen);
        if (e) {
            pthread_mutex_unlock(&a->mu);
            refresh(a, e, st, gen);
            pthread_mutex_lock(&a->mu);
            continue;
        }
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += ANSWERS_POLL_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        if (!a->stop)
            pthread_cond_timedwait(&a->wake, &a->mu, &until);
    }
    pthread_mutex_unlock(&a->mu);
    sqlite3_finalize(vs);
    return NULL;
}

answers *answers_new(store *st, http_server *srv)
{
    if (!st)
        return NULL;
    answers *a = xcalloc(1, sizeof *a);
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->wake, NULL);
    pthread_cond_init(&a->computed, NULL);
    a->st = st;
    a->srv = srv;
    const char *d = getenv("BENCHAAS_TEST_ANSWER_DELAY_MS");
    a->delay_ms = d ? strtol(d, NULL, 10) : 0;
    a->count_path = getenv("BENCHAAS_TEST_ANSWER_COUNT");
    a->fail_path = getenv("BENCHAAS_TEST_ANSWER_FAIL");
    if (pthread_create(&a->thread, NULL, refresher_main, a) != 0) {
        pthread_mutex_destroy(&a->mu);
        pthread_cond_destroy(&a->wake);
        pthread_cond_destroy(&a->computed);
        free(a);
        store_close(st);
        return NULL;
    }
    pthread_mutex_lock(&a->mu); /* a change made from now on is seen */
    while (!a->ready)
        pthread_cond_wait(&a->wake, &a->mu);
    pthread_mutex_unlock(&a->mu);
    return a;
}

void answers_free(answers *a)
{
    if (!a)
        return;
    pthread_mutex_lock(&a->mu);
    a->stop = 1;
    pthread_cond_signal(&a->wake);
    pthread_mutex_unlock(&a->mu);
    pthread_join(a->thread, NULL);
    for (int i = 0; i < ANSWERS_SLOTS; i++)
        slot_clear(a, &a->slots[i]);
    pthread_mutex_destroy(&a->mu);
    pthread_cond_destroy(&a->wake);
    pthread_cond_destroy(&a->computed);
    store_close(a->st);
    free(a);
}
