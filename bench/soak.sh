#!/usr/bin/env bash
# Soak: a packaged chainboot serves TFTP_COUNT TFTP transfers (a 70 KiB file, like undionly.kpxe)
# and HTTP_COUNT HTTP boots (/boot.ipxe, then /boot/resolve) spread evenly over SECONDS, while
# bench/soak.py samples its RSS, threads and open fds; exits non-zero if anything failed or grew.
#
#   bench/soak.sh [SECONDS=600] [TFTP_COUNT=10000] [HTTP_COUNT=100000]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/lib/java.sh"
. "$root/scripts/lib/bench.sh"
seconds=${1:-600}
tftp_count=${2:-10000}
http_count=${3:-100000}
jdk=$(find_jdk_home)
jar=${JAR:-$root/target/chainboot.jar}
[ -f "$jar" ] || (cd "$root" && JAVA_HOME=$jdk ./mvnw -B -q -DskipTests package)
work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
cb() { "$jdk/bin/java" -jar "$jar" "$@" --data "$work/data" >/dev/null; }
# 1000 known machines with a profile (the MACs bench/soak.py boots)
cb profile add linux --kernel 'http://10.0.0.1/vmlinuz' --initrd 'http://10.0.0.1/initrd.img' \
  --cmdline 'console=ttyS0 BOOTIF=01-{{mac_hexhyp}}'
cb boot default linux
mkdir -p "$work/data/tftp"
head -c 71680 /dev/urandom >"$work/data/tftp/soak.bin"
hport=$(free_port)
tport=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$jdk/bin/java" -Xmx512m -jar "$jar" serve --data "$work/data" --http 127.0.0.1:$hport \
  --tftp 127.0.0.1:$tport >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$hport/health" >/dev/null && break; sleep 0.2; done
curl -fs "http://127.0.0.1:$hport/health" >/dev/null || { tail -20 "$work/server.log" >&2; exit 1; }
echo "# bench/soak.sh $seconds $tftp_count $http_count; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%F %H:%M') UTC"
python3 "$root/bench/soak.py" --pid "$pid" --tftp 127.0.0.1:$tport --http "http://127.0.0.1:$hport" \
  --tftp-count "$tftp_count" --http-count "$http_count" --seconds "$seconds" ${SOAK_ARGS:-}
