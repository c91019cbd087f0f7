#!/usr/bin/env bash
# Install the Debian packages BenchaaS needs, and only those that are missing.
#
#   scripts/deps.sh          build dependencies (compiler, CMake, libconfig, cJSON,
#                            SQLite, OpenMPI, OpenBLAS, hwloc, libmicrohttpd, libsodium,
#                            libcurl, clang for fuzzing)
#   scripts/deps.sh --test   also what the test suite uses: Slurm + munge (the local
#                            test cluster) and the reference benchmarks iperf3, fio, NetPIPE,
#                            hpcc, likwid, chromium (renders the HTML report in a test),
#                            node + npm, then `npm ci` in tests/browser (puppeteer-core
#                            and axe-core for the browser tests of the pages; never a
#                            browser download: PUPPETEER_SKIP_DOWNLOAD=1)
#
# A machine that already has everything runs no apt-get at all (one dpkg-query call).
# apt-get update is run only when an install fails for lack of (fresh) package lists.
# Uses sudo when not root. Safe to run any number of times.
set -euo pipefail

usage() {
    sed -n '2,12s/^# \{0,1\}//p' "$0"
}

want_test=0
for arg in "$@"; do
    case "$arg" in
        --test) want_test=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "deps.sh: unknown argument '$arg' (expected --test or --help)" >&2; exit 2 ;;
    esac
done

packages=(
    # build tools
    cmake gcc make pkg-config git
    # libraries the core, SDK and plugins link against
    libconfig-dev libcjson-dev libsqlite3-dev sqlite3
    libopenmpi-dev openmpi-bin libopenblas-dev libhwloc-dev
    # `benchaas serve`: HTTP server (GnuTLS for --tls-cert), passwords and tokens, push and webhooks
    libmicrohttpd-dev libgnutls28-dev libsodium-dev libcurl4-openssl-dev
    # fuzzing (libFuzzer ships in clang's runtime package)
    clang libclang-rt-14-dev
)
if [[ $want_test == 1 ]]; then
    packages+=(
        # a one-node Slurm cluster for the submission tests (scripts/slurm-up.sh)
        slurm-wlm munge
        # the four-node test cluster (scripts/cluster-up.sh): ip, tc (network namespaces,
        # veth, bridge, shaping), unshare/nsenter (UTS and mount namespaces)
        iproute2 util-linux
        # reference benchmarks the tests may compare against
        iperf3 fio hpcc likwid chromium netpipe-openmpi
        # memcheck of the core (tests/valgrind)
        valgrind
        # the service's tests (tests/serve: python3 clients) and its benchmark (bench/serve.sh)
        python3 wrk nginx-light
        # the browser tests of the pages of `benchaas serve` (tests/browser)
        nodejs
    )
    # npm comes with some nodejs builds (NodeSource); Debian ships it apart
    command -v npm >/dev/null 2>&1 || packages+=(npm)
fi

# The browser tests' npm packages (tests/browser/package-lock.json), when missing or stale.
npm_deps() {
    [[ $want_test == 1 ]] || return 0
    local dir
    dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../tests/browser" && pwd)
    if [[ -f "$dir/node_modules/.package-lock.json" &&
          "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]]; then
        return 0
    fi
    echo "deps.sh: npm ci in tests/browser (puppeteer-core, axe-core; no browser download)"
    (cd "$dir" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
}

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "deps.sh: dpkg-query not found: this script supports Debian/Ubuntu only." >&2
    echo "         Install by hand: ${packages[*]}" >&2
    exit 1
fi

# One dpkg-query call for all packages (the same check as `dpkg -s`): print the
# names whose status is "installed". Unknown packages only produce stderr noise.
mapfile -t installed < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' \
                             "${packages[@]}" 2>/dev/null | awk '$2 == "installed" {print $1}')
missing=()
for p in "${packages[@]}"; do
    found=0
    for q in "${installed[@]}"; do
        if [[ "$p" == "$q" ]]; then found=1; break; fi
    done
    [[ $found == 1 ]] || missing+=("$p")
done

if [[ ${#missing[@]} == 0 ]]; then
    echo "deps.sh: all ${#packages[@]} packages already installed."
    npm_deps
    exit 0
fi

echo "deps.sh: installing ${#missing[@]} missing package(s): ${missing[*]}"

as_root=()
if [[ $(id -u) != 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        as_root=(sudo)
    else
        echo "deps.sh: not root and sudo is not installed; run as root:" >&2
        echo "    apt-get install --no-install-recommends ${missing[*]}" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
apt_install() {
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${missing[@]}"
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT
if apt_install 2>&1 | tee "$log"; then
    npm_deps
    exit 0
fi
# The usual first-run failure on a fresh container: no (or stale) package lists.
if grep -qE 'Unable to locate package|has no installation candidate|Failed to fetch|404 +Not Found' "$log"; then
    echo "deps.sh: package lists missing or stale; running apt-get update and retrying."
    "${as_root[@]}" apt-get update -q
    apt_install
    npm_deps
    exit 0
fi
echo "deps.sh: apt-get install failed (see the messages above)." >&2
exit 1
