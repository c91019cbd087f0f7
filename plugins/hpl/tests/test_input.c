/*
 * test_input.c — HPL.dat import, bad inputs, check(), describe().
 * argv[1]: a folder for the temporary HPL.dat files.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchaas/mock.h"
#include "hpl.h"
#include "hpl_dat.h"

const bx_plugin *benchaas_plugin_entry(const bx_host *host);

static int failures, checks;
static char dir[512];

#define EXPECT(cond, ...)                                                        \
    do {                                                                         \
        checks++;                                                                \
        if (!(cond)) {                                                           \
            failures++;                                                          \
            fprintf(stderr, "%s:%d: FAIL %s: ", __FILE__, __LINE__, #cond);      \
            fprintf(stderr, __VA_ARGS__);                                        \
            fputc('\n', stderr);                                                 \
        }                                                                        \
    } while (0)

/* The example HPL.dat of netlib HPL 2.3 (lists of 4 Ns, 4 NBs, 3 grids, ...). */
static const char *const sample_lines[] = {
    "HPLinpack benchmark input file",
    "Innovative Computing Laboratory, University of Tennessee",
    "HPL.out      output file name (if any)",
    "6            device out (6=stdout,7=stderr,file)",
    "4            # of problems sizes (N)",
    "29 30 34 35  Ns",
    "4            # of NBs",
    "1 2 3 4      NBs",
    "0            PMAP process mapping (0=Row-,1=Column-major)",
    "3            # of process grids (P x Q)",
    "2 1 4        Ps",
    "2 4 1        Qs",
    "16.0         threshold",
    "3            # of panel fact",
    "0 1 2        PFACTs (0=left, 1=Crout, 2=Right)",
    "2            # of recursive stopping criterium",
    "2 4          NBMINs (>= 1)",
    "1            # of panels in recursion",
    "2            NDIVs",
    "3            # of recursive panel fact.",
    "0 1 2        RFACTs (0=left, 1=Crout, 2=Right)",
    "1            # of broadcast",
    "0            BCASTs (0=1rg,1=1rM,2=2rg,3=2rM,4=Lng,5=LnM)",
    "1            # of lookahead depth",
    "0            DEPTHs (>=0)",
    "2            SWAP (0=bin-exch,1=long,2=mix)",
    "64           swapping threshold",
    "0            L1 in (0=transposed,1=no-transposed) form",
    "0            U  in (0=transposed,1=no-transposed) form",
    "1            Equilibration (0=no,1=yes)",
    "8            memory alignment in double (> 0)",
};
#define NSAMPLE (int)(sizeof sample_lines / sizeof sample_lines[0])

/* Write the sample with line `ln` (1-based) replaced by `repl` (NULL: keep;
 * "" with truncate: stop before it).  Returns the path. */
static const char *write_dat(const char *name, int ln, const char *repl, int truncate)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(2);
    }
    for (int i = 1; i <= NSAMPLE; i++) {
        if (i == ln && truncate)
            break;
        fprintf(f, "%s\n", i == ln && repl ? repl : sample_lines[i - 1]);
    }
    fclose(f);
    return path;
}

typedef struct collect {
    int n;
    char first[15][48];
    int nfirst;
    int grid_2x2, grid_1x4, grid_4x1;
} collect;

static int collect_point(void *user, const char *const *kv)
{
    collect *c = user;
    if (c->n == 0)
        for (int i = 0; kv[i] && i < 15; i++)
            snprintf(c->first[c->nfirst++], 48, "%s", kv[i]);
    int p = 0, q = 0;
    for (int i = 0; kv[i]; i++) {
        if (strncmp(kv[i], "P=", 2) == 0)
            p = atoi(kv[i] + 2);
        if (strncmp(kv[i], "Q=", 2) == 0)
            q = atoi(kv[i] + 2);
    }
    c->grid_2x2 += p == 2 && q == 2;
    c->grid_1x4 += p == 1 && q == 4;
    c->grid_4x1 += p == 4 && q == 1;
    c->n++;
    return 0;
}

static int has(const collect *c, const char *kv)
{
    for (int i = 0; i < c->nfirst; i++)
        if (strcmp(c->first[i], kv) == 0)
            return 1;
    return 0;
}

static void test_parse_sample(void)
{
    hpl_dat d;
    char err[1024] = "";
    const char *path = write_dat("sample.dat", 0, NULL, 0);
    EXPECT(hpl_dat_read(path, &d, err, sizeof err) == 0, "%s", err);
    EXPECT(d.nn == 4 && d.n[0] == 29 && d.n[3] == 35, "Ns: %d", d.nn);
    EXPECT(d.nnb == 4 && d.nb[3] == 4, "NBs");
    EXPECT(d.ngrid == 3 && d.p[2] == 4 && d.q[2] == 1, "grids");
    EXPECT(d.threshold == 16.0 && d.swap == 2 && d.swap_threshold == 64, "threshold/swap");
    EXPECT(d.npfact == 3 && d.nnbmin == 2 && d.nndiv == 1 && d.nrfact == 3 && d.nbcast == 1 && d.ndepth == 1,
           "list lengths");
    /* 4 N x 4 NB x 3 grids x 3 pfact x 2 nbmin x 1 ndiv x 3 rfact x 1 bcast x 1 depth */
    EXPECT(hpl_dat_count(&d) == 4u * 4 * 3 * 3 * 2 * 3, "count %llu", (unsigned long long)hpl_dat_count(&d));
    collect c = {0};
    EXPECT(hpl_dat_foreach(&d, collect_point, &c) == 0, "foreach");
    EXPECT(c.n == 4 * 4 * 3 * 3 * 2 * 3, "points %d", c.n);
    EXPECT(c.grid_2x2 == c.n / 3 && c.grid_1x4 == c.n / 3 && c.grid_4x1 == c.n / 3, "grids are paired P[i] x Q[i]");
    EXPECT(has(&c, "N=29") && has(&c, "NB=1") && has(&c, "P=2") && has(&c, "Q=2") && has(&c, "pmap=row") &&
               has(&c, "pfact=left") && has(&c, "rfact=left") && has(&c, "bcast=1ring") && has(&c, "depth=0") &&
               has(&c, "swap=mix") && has(&c, "swap_threshold=64") && has(&c, "nbmin=2") && has(&c, "ndiv=2") &&
               has(&c, "threshold=16"),
           "first point: %s %s %s ...", c.first[0], c.first[1], c.first[2]);

    /* Every kv the importer produces is a valid parameter of the plugin. */
    bx_mock *m = bx_mock_new(benchaas_plugin_entry(bx_mock_host()));
    for (int i = 0; i < c.nfirst; i++) {
        char name[48], *eq;
        snprintf(name, sizeof name, "%s", c.first[i]);
        eq = strchr(name, '=');
        *eq = 0;
        EXPECT(bx_mock_set(m, name, eq + 1) == 0, "%s: %s", c.first[i], bx_mock_error(m));
    }
    bx_mock_free(m);

    /* The file without the optional trailing lines is fine, and HPCC's
     * extra lines after them are ignored. */
    path = write_dat("short.dat", 28, "", 1);
    EXPECT(hpl_dat_read(path, &d, err, sizeof err) == 0, "%s", err);
}

/* A malformed file must name the file and the line. */
static void expect_dat_error(const char *name, int ln, const char *repl, int truncate, int want_line,
                             const char *want)
{
    hpl_dat d;
    char err[1024] = "", tag[1200];
    const char *path = write_dat(name, ln, repl, truncate);
    snprintf(tag, sizeof tag, "%s:%d:", path, want_line);
    int rc = hpl_dat_read(path, &d, err, sizeof err);
    EXPECT(rc != 0 && strstr(err, tag) && strstr(err, want), "%s: got '%s', want '%s ... %s'", name, err, tag, want);

    /* and check() refuses the point with the same message */
    bx_mock *m = bx_mock_new(benchaas_plugin_entry(bx_mock_host()));
    bx_mock_set_world(m, 0, 4);
    bx_mock_set(m, "hpl_dat", path);
    rc = bx_mock_check(m);
    EXPECT(rc == BX_EINVAL && strstr(bx_mock_error(m), tag), "check: rc=%d '%s'", rc, bx_mock_error(m));
    bx_mock_free(m);
}

static void test_bad_dat(void)
{
    expect_dat_error("letters.dat", 6, "29 3O 34 35  Ns", 0, 6, "value 2 is not an integer (Ns)");
    expect_dat_error("few.dat", 11, "2 1        Ps", 0, 11, "expected 3 values of Ps, found 2");
    expect_dat_error("count.dat", 5, "0  # of problems sizes", 0, 5, "out of range");
    expect_dat_error("pfact.dat", 15, "0 1 3   PFACTs", 0, 15, "out of range");
    expect_dat_error("bcast.dat", 23, "6   BCASTs", 0, 23, "out of range");
    expect_dat_error("swap.dat", 26, "x  SWAP", 0, 26, "not an integer");
    expect_dat_error("ndiv.dat", 19, "1  NDIVs", 0, 19, "out of range");
    expect_dat_error("threshold.dat", 13, "high threshold", 0, 13, "not a number");
    expect_dat_error("negN.dat", 6, "29 -30 34 35  Ns", 0, 6, "out of range");
    expect_dat_error("truncated.dat", 20, "", 1, 20, "the file ends before this line");
    /* a missing file */
    hpl_dat d;
    char err[1024] = "";
    EXPECT(hpl_dat_read("/nonexistent/HPL.dat", &d, err, sizeof err) != 0 && strstr(err, "cannot open"), "%s", err);
    bx_mock *m = bx_mock_new(benchaas_plugin_entry(bx_mock_host()));
    bx_mock_set(m, "hpl_dat", "/nonexistent/HPL.dat");
    EXPECT(bx_mock_check(m) == BX_EINVAL && strstr(bx_mock_error(m), "/nonexistent/HPL.dat"), "%s", bx_mock_error(m));
    bx_mock_free(m);
    /* A valid file whose grids need more ranks than the run has. */
    m = bx_mock_new(benchaas_plugin_entry(bx_mock_host()));
    bx_mock_set_world(m, 0, 2);
    char tag[1100];
    const char *path = write_dat("sample2.dat", 0, NULL, 0);
    snprintf(tag, sizeof tag, "%s:11:", path);
    bx_mock_set(m, "hpl_dat", path);
    EXPECT(bx_mock_check(m) == BX_EINVAL && strstr(bx_mock_error(m), tag) && strstr(bx_mock_error(m), "needs 4 ranks"),
           "%s", bx_mock_error(m));
    bx_mock_set_world(m, 0, 4);
    EXPECT(bx_mock_check(m) == 0, "with 4 ranks the sample is fine: %s", bx_mock_error(m));
    bx_mock_free(m);
}

/* Bad parameters are refused before anything runs. */
static void test_bad_params(void)
{
    bx_mock *m = bx_mock_new(benchaas_plugin_entry(bx_mock_host()));
    EXPECT(bx_mock_set(m, "N", "0") == BX_EINVAL, "N=0 accepted");
    EXPECT(bx_mock_set(m, "N", "-5") == BX_EINVAL, "N=-5 accepted");
    EXPECT(bx_mock_set(m, "NB", "0") == BX_EINVAL, "NB=0 accepted");
    EXPECT(bx_mock_set(m, "P", "0") == BX_EINVAL, "P=0 accepted");
    EXPECT(bx_mock_set(m, "Q", "-1") == BX_EINVAL, "Q=-1 accepted");
    EXPECT(bx_mock_set(m, "bcast", "3ring") == BX_EINVAL, "bcast=3ring accepted");
    EXPECT(bx_mock_set(m, "pfact", "up") == BX_EINVAL, "pfact=up accepted");
    EXPECT(bx_mock_set(m, "swap", "fast") == BX_EINVAL, "swap=fast accepted");
    EXPECT(bx_mock_set(m, "pmap", "diag") == BX_EINVAL, "pmap=diag accepted");
    EXPECT(bx_mock_set(m, "nb", "64") == BX_EINVAL && strstr(bx_mock_error(m), "NB"), "%s", bx_mock_error(m));
    EXPECT(bx_mock_check(m) == 0, "defaults refused: %s", bx_mock_error(m));

    /* P x Q larger than the run */
    bx_mock_set_world(m, 0, 2);
    bx_mock_set(m, "P", "2");
    bx_mock_set(m, "Q", "2");
    EXPECT(bx_mock_check(m) == BX_EINVAL && strstr(bx_mock_error(m), "needs 4 ranks but the run has 2"), "%s",
           bx_mock_error(m));
    bx_mock_set(m, "P", "1");
    EXPECT(bx_mock_check(m) == 0, "1x2 on 2 ranks: %s", bx_mock_error(m));
    bx_mock_free(m);

    /* More memory than the node has: the message gives both figures. */
    m = bx_mock_new(benchaas_plugin_entry(bx_mock_host()));
    bx_mock_set(m, "N", "2000000");
    EXPECT(bx_mock_check(m) == BX_EINVAL && strstr(bx_mock_error(m), "per rank") &&
               strstr(bx_mock_error(m), "available") && strstr(bx_mock_error(m), "largest N"),
           "%s", bx_mock_error(m));
    bx_mock_free(m);

    /* Ranks per node (bx_node_ranks): a 2 x 2 problem of about 1.6 x this node's
     * available memory does not fit with all 4 ranks here, and does with one
     * rank per node (a Slurm submission with slurm.nodes = 4). */
    {
        unsigned long long kb = 0;
        char line[256];
        FILE *f = fopen("/proc/meminfo", "r");
        while (f && fgets(line, sizeof line, f))
            if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
                break;
        if (f)
            fclose(f);
        EXPECT(kb > 0, "no MemAvailable in /proc/meminfo");
        char nbuf[32];
        snprintf(nbuf, sizeof nbuf, "%lld", (long long)sqrt(1.6 * (double)kb * 1024.0 / 8.0));
        m = bx_mock_new(benchaas_plugin_entry(bx_mock_host()));
        bx_mock_set(m, "N", nbuf);
        bx_mock_set(m, "P", "2");
        bx_mock_set(m, "Q", "2");
        bx_mock_set_world(m, 0, 4);
        EXPECT(bx_mock_check(m) == BX_EINVAL && strstr(bx_mock_error(m), "for the 4 ranks on this node"),
               "N=%s, 4 ranks on one node: %s", nbuf, bx_mock_error(m));
        bx_mock_set_node_ranks(m, 1);
        EXPECT(bx_mock_check(m) == 0, "N=%s, one rank per node: %s", nbuf, bx_mock_error(m));
        bx_mock_set_node_ranks(m, 2);
        EXPECT(bx_mock_check(m) == 0 || strstr(bx_mock_error(m), "for the 2 ranks on this node"),
               "N=%s, 2 ranks per node: %s", nbuf, bx_mock_error(m));
        bx_mock_free(m);
    }

    /* Without MPI, init refuses cleanly (this test never calls MPI_Init). */
    m = bx_mock_new(benchaas_plugin_entry(bx_mock_host()));
    bx_mock_set(m, "N", "10");
    void *state = NULL;
    EXPECT(bx_mock_init(m, &state) == BX_EINVAL && strstr(bx_mock_error(m), "MPI"), "%s", bx_mock_error(m));
    bx_mock_free(m);
}

static void test_describe(void)
{
    bx_mock *m = bx_mock_new(benchaas_plugin_entry(bx_mock_host()));
    const char *d = bx_mock_describe(m);
    EXPECT(strstr(d, "1 rank (1 x 1): N = ") && strstr(d, "2 ranks (1 x 2): N = ") && strstr(d, "4 ranks (2 x 2)"),
           "%s", d);
    /* the figure is plausible: 80% of the node in 8-byte doubles */
    const char *p = strstr(d, "1 rank (1 x 1): N = ");
    long n = p ? atol(p + strlen("1 rank (1 x 1): N = ")) : 0;
    EXPECT(n > 1000, "N = %ld", n);
    bx_mock_free(m);
}

static void test_generator(void)
{
    /* Jumping k steps equals stepping k times. */
    hpl_rng r;
    hpl_rng_init(&r, 7);
    uint64_t x = r.start;
    for (int i = 0; i < 1000; i++)
        x = 6364136223846793005ull * x + 1442695040888963407ull;
    EXPECT(hpl_rng_jump(&r, r.start, 1000) == x, "jump");
    EXPECT(hpl_rng_jump(&r, hpl_rng_jump(&r, r.start, 123456789), 987654321) ==
               hpl_rng_jump(&r, r.start, 123456789 + 987654321ull),
           "jump composition");
    /* The matrix does not depend on the grid or NB: local parts of a
     * 2x3 grid with NB=5 match the 1x1 matrix. */
    hpl_cfg c = {.n = 23, .nb = 5, .p = 1, .q = 1};
    hpl_grid g = {.p = 1, .q = 1, .myrow = 0, .mycol = 0};
    double full[23 * 24];
    hpl_generate(&r, &c, &g, full, 23);
    int mism = 0, outside = 0;
    for (int i = 0; i < 23 * 24; i++)
        outside += !(full[i] > -0.5 && full[i] <= 0.5);
    c.nb = 5;
    c.p = 2;
    c.q = 3;
    g.p = 2;
    g.q = 3;
    for (int pr = 0; pr < 2; pr++)
        for (int pc = 0; pc < 3; pc++) {
            g.myrow = pr;
            g.mycol = pc;
            int64_t ml = hpl_numroc(23, 5, pr, 2), nl = hpl_numroc(24, 5, pc, 3);
            double loc[23 * 24];
            hpl_generate(&r, &c, &g, loc, ml > 0 ? ml : 1);
            for (int64_t jl = 0; jl < nl; jl++)
                for (int64_t il = 0; il < ml; il++) {
                    int64_t gi = (il / 5 * 2 + pr) * 5 + il % 5, gj = (jl / 5 * 3 + pc) * 5 + jl % 5;
                    mism += loc[il + jl * ml] != full[gi + gj * 23];
                }
        }
    EXPECT(mism == 0 && outside == 0, "%d entries differ, %d outside (-0.5, 0.5]", mism, outside);
    /* and the seed selects another matrix */
    hpl_rng r2;
    hpl_rng_init(&r2, 8);
    EXPECT(hpl_rng_jump(&r2, r2.start, 5) != hpl_rng_jump(&r, r.start, 5), "seed");
}

int main(int argc, char **argv)
{
    snprintf(dir, sizeof dir, "%s", argc > 1 ? argv[1] : ".");
    test_parse_sample();
    test_bad_dat();
    test_bad_params();
    test_describe();
    test_generator();
    printf("%d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
