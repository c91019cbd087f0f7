# --threads N sets OMP_NUM_THREADS and OPENBLAS_NUM_THREADS for the worker (even
# over the user's own), and OMP_PROC_BIND/OMP_PLACES unless the user set them;
# all visible in the run's provenance.
. "$TEST_LIB" || exit 1
env_of() { sql "$1" "SELECT value FROM provenance WHERE key='env.$2'"; }
OMP_NUM_THREADS=8 expect_rc 0 bx run trivial --threads 3 --db t.db
eq "$(env_of t.db OMP_NUM_THREADS)" 3 "OMP_NUM_THREADS"
eq "$(env_of t.db OPENBLAS_NUM_THREADS)" 3 "OPENBLAS_NUM_THREADS"
eq "$(env_of t.db OMP_PROC_BIND)" spread "OMP_PROC_BIND"
eq "$(env_of t.db OMP_PLACES)" cores "OMP_PLACES"
eq "$(sql t.db "SELECT threads FROM runs")" 3 "threads of the run"
OMP_PROC_BIND=close OMP_PLACES=threads expect_rc 0 bx run trivial --threads 2 --db u.db
eq "$(env_of u.db OMP_PROC_BIND)" close "the user's OMP_PROC_BIND"
eq "$(env_of u.db OMP_PLACES)" threads "the user's OMP_PLACES"
# default: one thread
OMP_NUM_THREADS=8 expect_rc 0 bx run trivial --db d.db
eq "$(env_of d.db OMP_NUM_THREADS)" 1 "OMP_NUM_THREADS by default"
# threads from a configuration
printf 'defaults = { threads = 2; };\nexperiments = ( { plugin = "trivial"; } );\n' > c.cfg
expect_rc 0 bx run c.cfg --db c.db
eq "$(env_of c.db OPENBLAS_NUM_THREADS)" 2 "threads from defaults"
exit 0
