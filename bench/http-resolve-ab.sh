#!/usr/bin/env bash
# Two builds side by side on http-resolve.sh's known-machine case (a machine with a static
# kernel profile, /boot/resolve?mac=...), for "the boot path did not slow down" on a busy
# machine: both servers run at once on their own data directories, warmed up alike, and wrk
# measures them in alternation (A B B A ...), so that load from elsewhere hits both. Reports
# requests/s and the server's CPU time per request (from /proc/PID/stat: steadier than
# requests/s when other processes compete for the cores).
# Usage: bench/http-resolve-ab.sh A.jar B.jar [rounds (default 6)] [seconds per run (default 10)]
# Env: WARMUP seconds of wrk per server before measuring (default 20); SERVE_ARGS_A and
# SERVE_ARGS_B more serve options for each build, e.g. SERVE_ARGS_B="--max-http-per-client 64"
# (wrk is one client address: the storm control's default per-client limit of 4, from issue 12,
# would be what is measured; a build before it has no such option). Both run with --admin off: the
# second lost the default admin port 9090 to the first and exited.
# Needs: wrk, curl, a JDK >= 21. Prints a Markdown table and the means.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/lib/java.sh
[ $# -ge 2 ] || { echo "usage: $0 A.jar B.jar [rounds] [seconds]" >&2; exit 2; }
jars=("$(realpath "$1")" "$(realpath "$2")")
rounds=${3:-6}
serve_args=("${SERVE_ARGS_A:-}" "${SERVE_ARGS_B:-}")
dur=${4:-10}
java="$(find_jdk_home)/bin/java"
hz=$(getconf CLK_TCK)

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

known=52:54:00:aa:00:01
ports=()
spids=()
for i in 0 1; do
  d="$work/data$i"
  cb() { "$java" -jar "${jars[$i]}" "$@" --data "$d" >/dev/null; }
  cb machine add $known --arch x86_64
  cb profile add linux --kernel 'http://10.0.0.1/vmlinuz' --initrd 'http://10.0.0.1/initrd.img' \
    --cmdline 'console=ttyS0,115200 ip=dhcp BOOTIF=01-{{mac_hexhyp}}'
  cb boot static $known linux
  port=$(free_port)
  CHAINBOOT_LOG_LEVEL=${CHAINBOOT_LOG_LEVEL:-INFO} "$java" -Xmx1g -jar "${jars[$i]}" serve \
    --data "$d" --http 127.0.0.1:$port --tftp off --admin off ${serve_args[$i]} >"$work/server$i.log" 2>&1 &
  pids+=($!)
  spids+=($!)
  ports+=("$port")
  for _ in $(seq 1 150); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
done

url() { echo "http://127.0.0.1:${ports[$1]}/boot/resolve?mac=52-54-00-aa-00-01&buildarch=x86_64&platform=pcbios"; }
ticks() { awk '{print $14 + $15}' "/proc/${spids[$1]}/stat"; }

for i in 0 1; do wrk -t2 -c32 -d"${WARMUP:-20}s" "$(url $i)" >/dev/null; done # JIT warm-up, both alike (WARMUP seconds)

echo "wrk -t2 -c32 -d${dur}s, loopback, $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg) at the start"
echo "A: $1"
echo "B: $2"
echo
echo "| round | build | requests/s | server CPU µs/request |"
echo "|---|---|---|---|"
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) = 1 ]; then order="0 1"; else order="1 0"; fi
  for i in $order; do
    t0=$(ticks "$i")
    out=$(wrk -t2 -c32 -d"${dur}s" "$(url "$i")")
    t1=$(ticks "$i")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    n=$(awk '/requests in/ {print $1}' <<<"$out")
    cpu=$(awk -v a="$t0" -v b="$t1" -v n="$n" -v hz="$hz" 'BEGIN {printf "%.1f", (b - a) * 1e6 / hz / n}')
    name=$([ "$i" = 0 ] && echo A || echo B)
    printf '| %s | %s | %s | %s |\n' "$r" "$name" "$rps" "$cpu"
    echo "$rps $cpu" >>"$work/res$i"
  done
done
echo
for i in 0 1; do
  name=$([ "$i" = 0 ] && echo A || echo B)
  awk -v name="$name" '{r += $1; c += $2; n++} END {printf "%s: mean %.0f requests/s, %.1f µs CPU/request over %d runs\n", name, r / n, c / n, n}' "$work/res$i"
done
paste "$work/res0" "$work/res1" | awk '{ra += $1; rb += $3; ca += $2; cb += $4} END {printf "B/A: requests/s %+.1f%%, CPU per request %+.1f%%\n", 100 * (rb / ra - 1), 100 * (cb / ca - 1)}'
echo "load average at the end: $(cut -d' ' -f1 /proc/loadavg)"
