/*
 * answers.h — the answers of ROUTE_CACHE routes (runs list, one run, leaderboards, and the
 * pages built on them), shared by every server thread and kept current off the request path.
 *
 * A request is answered from the kept answer when there is one, even when the database
 * changed since it was computed (stale-while-revalidate): a refresher thread of its own,
 * with its own connection, watches `PRAGMA data_version` every ANSWERS_POLL_MS and
 * recomputes, one at a time, each kept answer that is older than the database and was asked
 * for in the last ANSWERS_IDLE_S seconds.  One not asked for that long is kept as it is, not
 * recomputed, until ANSWERS_DROP_S without a request (then dropped): asked for again in
 * between, it is answered at once, as it is, and recomputed off the request path like any
 * other (so a page left for a while and opened again, or a benchmark's URL between its
 * rounds, never waits for a computation on its thread; that one answer may miss the changes
 * of the pause).  So no request waits for a
 * recomputation, and no connection waits behind one; only an answer nobody kept yet (the
 * first request for a URL) is computed on the request's thread, once: the requests for it
 * that come meanwhile, on any thread, wait for that computation and share its answer (a
 * cold leaderboard asked for by 64 connections is computed once, not once per thread).
 *
 * Staleness is bounded: an answer reflects every change committed before the refresh that
 * began after it, i.e. about ANSWERS_POLL_MS + (1 + ANSWERS_REST) x its cost + the other
 * refreshes queued before it (answers asked for in the last ANSWERS_IDLE_S seconds).  The
 * rest keeps a database that changes all the time from holding a core: recomputing a
 * leaderboard takes about 0.25 s over 100 000 runs and 3 s over 1 000 000, so such an answer is
 * at most about 0.75 s and 10 s old while changes keep coming.
 *
 * A kept answer whose handler asks for another (a page's table built on the API's JSON)
 * computes that one from the database too, never from a kept one.
 *
 * Test hook: BENCHAAS_TEST_ANSWER_COUNT=FILE appends the path of each computation of a kept
 * answer to FILE, so a test counts them.
 * Test hook: BENCHAAS_TEST_ANSWER_DELAY_MS=N makes every computation of a kept answer
 * (first or refresh) sleep N ms first, so a test can see that a request during a refresh
 * is answered at once with the previous answer.
 *
 * Test hook: BENCHAAS_TEST_ANSWER_FAIL=FILE makes every refresh (not a first computation)
 * answer 503 while FILE exists, so a test can see that a failed refresh keeps the answer.
 *
 * A refresh that fails with a 5xx (the server's failure, not the answer's) keeps the answer
 * as it was, still stale, and it is tried again after the rest; one whose answer became
 * another status (a 404: the thing is gone) drops it, and the next request computes it.
 *
 * Threads: answers_run may be called from any thread; answers_new/answers_free by the owner.
 */
#ifndef BENCHAAS_ANSWERS_H
#define BENCHAAS_ANSWERS_H

#include "http.h"

#define ANSWERS_SLOTS 64                     /* answers kept (URLs) */
#define ANSWERS_BYTES_MAX ((size_t)16 << 20) /* their bodies together */
#define ANSWERS_POLL_MS 10                   /* how often the database's version is read */
#define ANSWERS_IDLE_S 10                    /* an answer not asked for this long is no longer
                                                refreshed when the database changes */
#define ANSWERS_DROP_S 120                   /* ... and dropped, not asked for this long */
#define ANSWERS_REST 2                       /* an answer is recomputed at most once per
                                                (1 + ANSWERS_REST) times its cost */

typedef struct answers answers;

/* Start the refresher over st, a connection of its own (taken: closed by answers_free, or
 * here when the thread cannot start); srv is what the recomputed requests carry (http_app).
 * NULL when st is NULL or the thread cannot start (then answers_run just calls the
 * handler). */
answers *answers_new(store *st, http_server *srv);
/* Stop the refresher, close its connection and free every kept answer (NULL is fine). */
void answers_free(answers *a);
/* Route rt's answer for r into o: the kept one, or computed (and kept when it is a 200
 * without extra headers).  The key is the route, r's path and every query argument in order,
 * each percent-encoded, so no two different argument lists share a key. */
void answers_run(answers *a, const http_route *rt, http_req *r, http_resp *o);

#endif
