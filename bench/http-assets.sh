#!/usr/bin/env bash
# Asset throughput: chainboot's /assets/ vs nginx serving the same 200 MiB file, side by side
# in one run on loopback. Both servers run at the same time; the clients alternate.
#   bench/http-assets.sh [SECONDS_PER_WRK_RUN]   (default 10)
# Needs: wrk, nginx, curl. Prints a Markdown table for docs/benchmarks.md.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
secs=${1:-10}
for t in wrk nginx curl; do
  command -v "$t" >/dev/null || { echo "bench: '$t' is missing (apt-get install wrk nginx-light curl)" >&2; exit 1; }
done
# shellcheck source=../scripts/lib/java.sh
. "$root/scripts/lib/java.sh"
# shellcheck source=../scripts/lib/bench.sh
. "$root/scripts/lib/bench.sh"
JAVA=$(find_java) || { echo "bench: no Java 21+" >&2; exit 1; }
CHAINBOOT_NO_BUILD=0 "$root/chainboot" --version >/dev/null   # builds the jar when needed

work=$(mktemp -d /tmp/chainboot-bench.XXXXXX)
cb_pid=""; ng_started=""
cleanup() {
  [ -n "$cb_pid" ] && kill "$cb_pid" 2>/dev/null && wait "$cb_pid" 2>/dev/null || true
  [ -n "$ng_started" ] && nginx -p "$work/nginx" -c nginx.conf -s stop 2>/dev/null || true
  [ -n "${KEEP:-}" ] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

cb_port=$(free_port); ng_port=$(free_port)

mkdir -p "$work/data/assets" "$work/nginx/logs"
head -c $((200 * 1024 * 1024)) /dev/urandom > "$work/data/assets/big.img"
chmod -R a+rX "$work"   # nginx workers run unprivileged
sha=$(sha256sum "$work/data/assets/big.img" | cut -d' ' -f1)

cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log;
events { worker_connections 256; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  client_body_temp_path $work/nginx/tmp;
  proxy_temp_path $work/nginx/tmp;
  fastcgi_temp_path $work/nginx/tmp;
  uwsgi_temp_path $work/nginx/tmp;
  scgi_temp_path $work/nginx/tmp;
  server {
    listen 127.0.0.1:$ng_port;
    location /assets/ { alias $work/data/assets/; }
  }
}
CONF
mkdir -p "$work/nginx/tmp"
nginx -p "$work/nginx" -c nginx.conf; ng_started=1

"$JAVA" ${CHAINBOOT_JAVA_OPTS:-} -jar "$root/target/chainboot.jar" serve --data "$work/data" --tftp off --admin 127.0.0.1:0 \
  --http "127.0.0.1:$cb_port" >"$work/chainboot.log" 2>&1 &
cb_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$cb_port/health" >/dev/null && break; sleep 0.2; done

cb_url="http://127.0.0.1:$cb_port/assets/big.img"
ng_url="http://127.0.0.1:$ng_port/assets/big.img"
for u in "$cb_url" "$ng_url"; do
  got=$(curl -s "$u" | sha256sum | cut -d' ' -f1)
  [ "$got" = "$sha" ] || { echo "bench: $u is not byte-identical" >&2; exit 1; }
done

# MB/s of N sequential whole-file downloads with curl (one connection at a time).
curl_mbs() {
  local url=$1 n=$2 total=0 s
  for _ in $(seq "$n"); do
    s=$(curl -s -o /dev/null -w '%{speed_download}' "$url")
    total=$(awk -v a="$total" -v b="$s" 'BEGIN{print a+b}')
  done
  awk -v t="$total" -v n="$n" 'BEGIN{printf "%.0f", t/n/1048576}'
}
# MB/s with wrk, 4 connections, whole-file GETs for $secs seconds.
wrk_mbs() {
  wrk -t2 -c4 -d"${secs}s" "$1" | awk '/Transfer\/sec/{v=$2; u=substr(v,length(v)-1); n=v+0;
    if (u=="GB") n*=1024; else if (u=="KB") n/=1024; printf "%.0f", n}'
}

# warm-up (JIT, page cache)
curl_mbs "$cb_url" 3 >/dev/null; curl_mbs "$ng_url" 3 >/dev/null

cb_curl=$(curl_mbs "$cb_url" 10); ng_curl=$(curl_mbs "$ng_url" 10)
cb_wrk=$(wrk_mbs "$cb_url"); ng_wrk=$(wrk_mbs "$ng_url")
cb_curl2=$(curl_mbs "$cb_url" 10); ng_curl2=$(curl_mbs "$ng_url" 10)
cb_c=$(( (cb_curl + cb_curl2) / 2 )); ng_c=$(( (ng_curl + ng_curl2) / 2 ))

pct() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b>0) printf "%.0f%%", 100*a/b; else print "n/a"}'; }
echo "| client | chainboot MiB/s | nginx MiB/s | chainboot / nginx |"
echo "|---|---|---|---|"
echo "| curl, 1 connection, 20 x 200 MiB | $cb_c | $ng_c | $(pct "$cb_c" "$ng_c") |"
echo "| wrk -t2 -c4 -d${secs}s | $cb_wrk | $ng_wrk | $(pct "$cb_wrk" "$ng_wrk") |"
