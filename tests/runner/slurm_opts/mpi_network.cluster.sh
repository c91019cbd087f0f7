# OpenMPI across nodes over TCP: which interfaces it uses.  Every node gets a second
# interface with the same address (198.19.255.1/24, as docker0 or virbr0 on real nodes).
# OpenMPI's default (every interface but loopback) then connects to its own node's decoy
# and the job hangs until its timeout; with slurm.network = "198.18.0.0/24" the batch
# script exports OMPI_MCA_btl_tcp_if_include and OMPI_MCA_oob_tcp_if_include for that
# network and the 2-node HPL passes.  Without slurm.network the script sets neither.
# Fails when: the runner passes the MCA settings when not asked, or drops them when asked.
. "$CLUSTER_LIB" || exit 1
need_cluster
cfg() { # NETWORK_LINE
    printf 'experiments = ( { name = "hpl2"; plugin = "hpl"; ranks = 2; repetitions = 1; slurm = { nodes = 2; };\n'
    printf '    params = { N = 400; NB = 64; P = 1; Q = 2; }; } );\n'
    printf 'slurm = { time_limit = "5"; %s };\n' "$1"
}
cfg '' >plain.cfg
cfg 'network = "198.18.0.0/24";' >net.cfg
expect_rc 0 bx submit plain.cfg --db d.db --dry-run
grep -q 'if_include' "$TMP/out" && fail "MCA interface settings passed unasked: $(grep if_include "$TMP/out")"
expect_rc 0 bx submit net.cfg --db d.db --dry-run
expect_out "export OMPI_MCA_btl_tcp_if_include='198.18.0.0/24' OMPI_MCA_oob_tcp_if_include='198.18.0.0/24'"
fault decoy all
# the decoy breaks the default: the point times out instead of finishing in a second
expect_rc 1 bx submit plain.cfg --db d.db --wait --timeout 10
eq "$(sql d.db "SELECT status FROM runs")" timeout "2-node HPL without slurm.network"
expect_rc 0 bx submit net.cfg --db d.db --wait
eq "$(sql d.db "SELECT group_concat(status, ' ') FROM (SELECT status FROM runs ORDER BY id)")" "timeout ok" "2-node HPL with slurm.network"
exit 0
