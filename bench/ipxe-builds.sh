#!/usr/bin/env bash
# iPXE builds per request: Zero-OS's /krn/ (pcbios ipxe.lkrn) and /uefi/ (x86_64 ipxe.efi) with
# the script inside, side by side with what the Zero-OS seed did for every request (copy its
# precompiled template tree, then `make EMBED=`), and boots-from's stated 5-10 s.
#   cold: a path not built before (its script written into the target's script slot; the very
#         first one of a tree makes the slot: one relink of chainboot's warm tree), 5 of each
#   warm: the same path again (chainboot's build cache), 50 of each
#   seed: cp -a of the warm tree + make EMBED= (the seed's generic_image_generator), 3 of each
# Needs an iPXE source tree (prepared here first: minutes per platform, once) or a data
# directory whose trees are prepared already; curl; a JDK 21+.
# Usage: bench/ipxe-builds.sh --source DIR | --data DIR
# Environment: JAR (default target/chainboot.jar, e.g. to compare two builds), COLD (cold
# requests per route, default 5), WARM (warm requests per route, default 50), SEED (seed
# rebuilds per target, default 3; 0 skips the seed).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/lib/java.sh
JAVA_HOME=$(find_jdk_home); export JAVA_HOME
java="$JAVA_HOME/bin/java"
source_dir=""; data=""
case "${1:-}" in
  --source) source_dir=$2 ;;
  --data) data=$2 ;;
  *) echo "usage: bench/ipxe-builds.sh --source IPXE_SOURCE_DIR | --data PREPARED_DATA_DIR" >&2; exit 2 ;;
esac
command -v curl >/dev/null || { echo "bench/ipxe-builds.sh: needs curl" >&2; exit 1; }
jar=${JAR:-target/chainboot.jar}; cold=${COLD:-5}; warm=${WARM:-50}; seed=${SEED:-3}
[ -f "$jar" ] || ./mvnw -B -q -DskipTests -DskipITs package
work=$(mktemp -d); server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
if [ -z "$data" ]; then
  data=$work/data
  "$java" -jar "$jar" ipxe prepare --source "$source_dir" --platform pcbios,x86_64-efi --data "$data"
fi
run=$work/run; mkdir -p "$run/kernels/net"; echo MZ > "$run/kernels/net/prod.efi"
ln -s "$(cd "$data" && pwd)/ipxe" "$run/ipxe"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$java" -jar "$jar" serve --data "$run" --http 127.0.0.1:$port --tftp off > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 120); do curl -sf http://127.0.0.1:$port/health >/dev/null && break; sleep 0.5; done
base=http://127.0.0.1:$port
stats() { sort -n | awk '{a[NR]=$1} END {printf "median %.1f ms, min %.1f ms, max %.1f ms (n=%d)\n", a[int((NR+1)/2)]*1000, a[1]*1000, a[NR]*1000, NR}'; }
t() { curl -s -o /dev/null -w '%{time_total}\n' "$1"; }
echo "$jar; load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
for kind in krn uefi; do
  n0=$RANDOM$RANDOM
  echo "== /$kind/ cold (a new path each: written into the script slot; a relink when the slot is made)"
  for i in $(seq 1 "$cold"); do t "$base/$kind/prod/$n0$i"; done | stats
  echo "== /$kind/ warm (the same path again: the build cache)"
  [ "$cold" -gt 0 ] || t "$base/$kind/prod/${n0}1" >/dev/null || true
  for i in $(seq 1 "$warm"); do t "$base/$kind/prod/${n0}1"; done | stats
done
grep "ipxe: built" "$work/serve.log" | sed 's/^.*ipxe: /  server: /'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$seed" -gt 0 ] || exit 0
echo "== the Zero-OS seed per request: cp -a the template tree, make EMBED= ($seed each)"
for pair in "pcbios bin/ipxe.lkrn" "x86_64-efi bin-x86_64-efi/ipxe.efi"; do
  set -- $pair
  for i in $(seq 1 "$seed"); do
    tmp=$work/seed$i; rm -rf "$tmp"
    printf '#!ipxe\ndhcp\nchain http://10.0.0.1/ipxe/prod/%s\n' "$RANDOM$i" > "$work/boot.ipxe"
    s=$(date +%s.%N)
    cp -a "$data/ipxe/trees/$1" "$tmp"
    make -s -C "$tmp/src" "$2" EMBED="$work/boot.ipxe" NO_WERROR=1 >/dev/null 2>&1
    e=$(date +%s.%N)
    echo "$e - $s" | bc
    rm -rf "$tmp"
  done | stats | sed "s|^|  $1 $2: |"
done
echo "(boots-from states 5-10 s for its iPXE EMBED= rebuild)"
