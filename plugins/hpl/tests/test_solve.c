/*
 * test_solve.c — the distributed solver on real process grids.
 *
 * Run under `mpirun -np 1|2|4 --oversubscribe`.  Each rank drives the
 * plugin through the mock host (bx_mock_set_world tells it its rank); the
 * plugin itself talks MPI.  Every case solves an odd-sized system (N not a
 * multiple of NB, processes with no rows, one-block matrices) and must pass
 * the residual check; the corrupted solves must fail it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

#include "benchaas/mock.h"
#include "hpl.h"

const bx_plugin *benchaas_plugin_entry(const bx_host *host);

static int rank, size, failures, cases;

typedef struct tcase {
    int n, nb, p, q, depth, nbmin, ndiv, swap_threshold;
    int msg; /* 1: send panels as messages (shm=false), so the bcast variants run */
    const char *pfact, *rfact, *bcast, *swap, *pmap;
} tcase;

static void describe_case(const tcase *t, char *buf, size_t len)
{
    snprintf(buf, len,
             "N=%d NB=%d %dx%d pmap=%s depth=%d pfact=%s rfact=%s nbmin=%d ndiv=%d bcast=%s swap=%s(%d) shm=%s", t->n,
             t->nb, t->p, t->q, t->pmap, t->depth, t->pfact, t->rfact, t->nbmin, t->ndiv, t->bcast, t->swap,
             t->swap_threshold, t->msg ? "false" : "true");
}

/* Solve one case; expect_pass 1: must pass, 0: must be caught. */
static void run_case(const tcase *t, int expect_pass)
{
    char name[256], v[32];
    describe_case(t, name, sizeof name);
    bx_mock *m = bx_mock_new(benchaas_plugin_entry(bx_mock_host()));
    bx_mock_set_world(m, rank, size);
    int bad = 0;
#define SETI(k, x) (snprintf(v, sizeof v, "%d", (x)), bad |= bx_mock_set(m, k, v) != 0)
    SETI("N", t->n);
    SETI("NB", t->nb);
    SETI("P", t->p);
    SETI("Q", t->q);
    SETI("depth", t->depth);
    SETI("nbmin", t->nbmin);
    SETI("ndiv", t->ndiv);
    SETI("swap_threshold", t->swap_threshold);
    bad |= bx_mock_set(m, "pfact", t->pfact) != 0;
    bad |= bx_mock_set(m, "rfact", t->rfact) != 0;
    bad |= bx_mock_set(m, "bcast", t->bcast) != 0;
    bad |= bx_mock_set(m, "swap", t->swap) != 0;
    bad |= bx_mock_set(m, "pmap", t->pmap) != 0;
    bad |= bx_mock_set(m, "shm", t->msg ? "false" : "true") != 0;
    cases++;
    if (bad) {
        fprintf(stderr, "rank %d: FAIL %s: a parameter was refused: %s\n", rank, name, bx_mock_error(m));
        failures++;
        bx_mock_free(m);
        return;
    }
    int rc = bx_mock_run(m);
    int in_grid = rank < t->p * t->q;
    double passed = -1, resid = -1, gflops = -1;
    if (in_grid) {
        bx_mock_metric(m, "passed", &passed);
        bx_mock_metric(m, "residual", &resid);
        bx_mock_metric(m, "gflops", &gflops);
        int ok = expect_pass ? (rc == 0 && passed == 1.0 && resid < 16.0 && gflops > 0)
                             : (rc == BX_EFAILED && passed == 0.0 && !(resid < 16.0));
        if (!ok) {
            fprintf(stderr, "rank %d: FAIL %s: rc=%d passed=%g residual=%g (expected %s) %s\n", rank, name, rc,
                    passed, resid, expect_pass ? "a pass" : "a detected failure", bx_mock_error(m));
            failures++;
        }
    } else if (rc != 0) {
        fprintf(stderr, "rank %d (idle): FAIL %s: rc=%d %s\n", rank, name, rc, bx_mock_error(m));
        failures++;
    }
    bx_mock_free(m);
}

static const char *const facts[] = {"left", "crout", "right"};
static const char *const bcasts[] = {"1ring", "1ringM", "2ring", "2ringM", "long", "longM"};
static const char *const swaps[] = {"binexch", "long", "mix", "spread-roll"};

static void grid_cases(int p, int q)
{
    tcase t = {.p = p, .q = q, .pmap = "row", .swap_threshold = 64, .nbmin = 4, .ndiv = 2};
    int i = 0;
    /* every panel factorisation x every recursive one */
    for (int pf = 0; pf < 3; pf++)
        for (int rf = 0; rf < 3; rf++, i++) {
            t.pfact = facts[pf];
            t.rfact = facts[rf];
            t.n = 61 + 14 * i; /* never a multiple of NB */
            t.nb = 8 + (i % 3) * 5;
            t.nbmin = 1 + i % 4;
            t.ndiv = 2 + i % 2;
            t.depth = i % 3;
            t.bcast = bcasts[i % 6];
            t.swap = swaps[i % 4];
            t.pmap = i % 2 ? "col" : "row";
            run_case(&t, 1);
        }
    /* every broadcast x every swap */
    for (int b = 0; b < 6; b++)
        for (int sw = 0; sw < 4; sw++, i++) {
            t.pfact = facts[i % 3];
            t.rfact = facts[(i / 3) % 3];
            t.bcast = bcasts[b];
            t.swap = swaps[sw];
            t.swap_threshold = sw == 2 ? (i % 2 ? 4 : 1000) : 64; /* mix both ways */
            t.n = 45 + 7 * (i % 9);
            t.nb = 4 + i % 7;
            t.depth = (b + sw) % 3;
            t.nbmin = 2;
            t.ndiv = 2;
            t.pmap = "row";
            t.msg = 1;
            run_case(&t, 1);
        }
    t.msg = 0;
    /* edges: one block, NB = 1, processes without rows or columns, N = 1 */
    static const int edge[][2] = {{1, 1}, {7, 16}, {5, 1}, {13, 8}, {3, 2}, {40, 64}};
    for (size_t e = 0; e < sizeof edge / sizeof edge[0]; e++) {
        t.n = edge[e][0];
        t.nb = edge[e][1];
        t.pfact = "right";
        t.rfact = "crout";
        t.bcast = "1ringM";
        t.swap = "mix";
        t.depth = (int)(e % 3);
        run_case(&t, 1);
    }
    /* a larger one: several update chunks and a deep look-ahead */
    t = (tcase){.n = 1201, .nb = 24, .p = p, .q = q, .depth = 3, .nbmin = 4, .ndiv = 2, .swap_threshold = 64,
                .pfact = "right", .rfact = "crout", .bcast = "2ringM", .swap = "mix", .pmap = "row"};
    run_case(&t, 1);
    t.msg = 1;
    t.bcast = "longM";
    run_case(&t, 1);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    /* size 1: 1x1; 2: 1x2, 2x1 and 1x1 with an idle rank; 4: 2x2, 1x4, 4x1,
     * and 3x1 / 1x3 / 1x2 with idle ranks. */
    static const int g1[][2] = {{1, 1}}, g2[][2] = {{1, 2}, {2, 1}, {1, 1}},
                     g4[][2] = {{2, 2}, {1, 4}, {4, 1}, {3, 1}, {1, 3}, {1, 2}};
    const int(*grids)[2] = size >= 4 ? g4 : size == 2 ? g2 : g1;
    size_t ng = size >= 4 ? 6 : size == 2 ? 3 : 1;
    for (size_t g = 0; g < ng; g++)
        grid_cases(grids[g][0], grids[g][1]);
    /* The check must catch a wrong answer: a perturbed x, a lost interchange. */
    tcase bad = {.n = 97, .nb = 8, .p = size >= 2 ? 2 : 1, .q = size >= 4 ? 2 : 1, .depth = 1, .nbmin = 4,
                 .ndiv = 2, .swap_threshold = 64, .pfact = "right", .rfact = "crout", .bcast = "1ringM",
                 .swap = "mix", .pmap = "row"};
    for (int hook = 1; hook <= 2; hook++) {
        hpl_test_corrupt = hook;
        run_case(&bad, 0);
    }
    hpl_test_corrupt = 0;
    run_case(&bad, 1); /* and it passes again without the hook */
    /* P and Q left unset: the grid the plugin picks is recorded (computed). */
    bx_mock *m = bx_mock_new(benchaas_plugin_entry(bx_mock_host()));
    bx_mock_set_world(m, rank, size);
    bx_mock_set(m, "N", "64");
    bx_mock_set(m, "NB", "8");
    int rc = bx_mock_run(m);
    const char *cp = bx_mock_computed(m, "P"), *cq = bx_mock_computed(m, "Q");
    if (rc != 0 || !cp || !cq || atoi(cp) * atoi(cq) > size || atoi(cp) * atoi(cq) < 1) {
        fprintf(stderr, "rank %d: FAIL auto grid: rc=%d P=%s Q=%s %s\n", rank, rc, cp ? cp : "-",
                cq ? cq : "-", bx_mock_error(m));
        failures++;
    }
    cases++;
    bx_mock_free(m);
    int total = failures;
    MPI_Allreduce(MPI_IN_PLACE, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    if (rank == 0)
        printf("%d ranks: %d cases, %d failures\n", size, cases, total);
    MPI_Finalize();
    return total ? 1 : 0;
}
