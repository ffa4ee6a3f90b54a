#!/usr/bin/env bash
# HTTP script resolution vs nginx serving a static file of the same size, side by side, on
# loopback, with wrk. Three chainboot cases:
#   known   - a machine with a static kernel profile (the common case)
#   unknown - a new MAC on every request (first boot: registered, no match, exit script)
#   once    - a different machine per request, each with a once-assignment armed (consumed)
# Usage: bench/http-resolve.sh [seconds per run (default 10)] [connections (default 32)]
# CHAINBOOT_JAR=path/to/chainboot.jar benchmarks that build instead of target/chainboot.jar.
# The access log stays on (INFO, one line per request, to a file) as operators run it;
# CHAINBOOT_LOG_LEVEL=WARN turns it off. Needs: wrk, nginx, sqlite3, a JDK >= 21.
# Prints a Markdown table.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/lib/java.sh
. scripts/lib/bench.sh
dur=${1:-10}
conns=${2:-32}
jdk=$(find_jdk_home)
java="$jdk/bin/java"
jar=${CHAINBOOT_JAR:-${JAR:-$root/target/chainboot.jar}} # CHAINBOOT_JAR (or JAR): compare another build
[ -f "$jar" ] || JAVA_HOME=$jdk ./mvnw -B -q -DskipTests package

work=$(mktemp -d)
chmod 755 "$work" # nginx's workers run as another user
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cb() { "$java" -jar "$jar" "$@" --data "$work/data" >/dev/null; }

# --- chainboot setup (through the CLI, like an operator)
known=52:54:00:aa:00:01
cb machine add $known --arch x86_64
cb profile add linux --kernel 'http://10.0.0.1/vmlinuz' --initrd 'http://10.0.0.1/initrd.img' \
  --cmdline 'console=ttyS0,115200 ip=dhcp BOOTIF=01-{{mac_hexhyp}}'
cb boot static $known linux
# once: many machines, each armed with a once-assignment (bulk, straight into SQLite)
n_once=400000
sqlite3 "$work/data/chainboot.db" <<SQL
PRAGMA busy_timeout=10000;
BEGIN;
$(armed_sql 01 "$n_once")
COMMIT;
SQL

port=$(free_port)
CHAINBOOT_LOG_LEVEL=${CHAINBOOT_LOG_LEVEL:-INFO} "$java" -Xmx1g -jar "$jar" serve \
  --data "$work/data" --http 127.0.0.1:$port --tftp off --admin 127.0.0.1:0 ${SERVE_ARGS:-} >"$work/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 150); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done

known_url="http://127.0.0.1:$port/boot/resolve?mac=52-54-00-aa-00-01&buildarch=x86_64&platform=pcbios"
body=$(curl -fs "$known_url")
size=${#body}

# --- nginx with a static file of the same size
mkdir -p "$work/nginx/www" "$work/nginx/tmp"
printf '%s' "$body" >"$work/nginx/www/known.ipxe"
nport=$(free_port)
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/tmp;
  proxy_temp_path $work/nginx/tmp;
  fastcgi_temp_path $work/nginx/tmp;
  uwsgi_temp_path $work/nginx/tmp;
  scgi_temp_path $work/nginx/tmp;
  default_type text/plain;
  server { listen 127.0.0.1:$nport; root $work/nginx/www; }
}
CONF
nginx -c "$work/nginx/nginx.conf" -g 'daemon off;' &
pids+=($!)
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$nport/known.ipxe" >/dev/null && break; sleep 0.1; done

cat >"$work/unknown.lua" <<'LUA'
local n = 0
offset = math.random(0, 2^20) * 16
request = function()
  n = n + 1
  local id = n * 16 + math.random(0, 15) + offset
  return wrk.format("GET", string.format(
    "/boot/resolve?mac=52-54-02-%02x-%02x-%02x&buildarch=x86_64&platform=pcbios",
    math.floor(id / 65536) % 256, math.floor(id / 256) % 256, id % 256))
end
LUA
# each wrk thread takes its own residue class so no two requests hit the same machine
cat >"$work/once.lua" <<'LUA'
local counter = 0
local threads = {}
setup = function(thread)
  thread:set("id", counter)
  counter = counter + 1
end
init = function(args)
  n = 0
end
request = function()
  local m = 1 + id + n * 2
  n = n + 1
  return wrk.format("GET", string.format(
    "/boot/resolve?mac=52-54-01-%02x-%02x-%02x&buildarch=x86_64&platform=pcbios",
    math.floor(m / 65536) % 256, math.floor(m / 256) % 256, m % 256))
end
LUA

run() { # name url [script]
  local out
  out=$(wrk -t2 -c"$conns" -d"${dur}s" --latency ${3:+-s "$3"} "$2")
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  local errs
  errs=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  printf '| %s | %s | %s | %s |\n' "$1" "$rps" "$p99" "${errs:-0}"
  echo "$rps" >"$work/rps-$1"
}

# warm the JVM up (JIT) on both chainboot paths before measuring
wrk -t2 -c"$conns" -d5s "$known_url" >/dev/null
wrk -t2 -c"$conns" -d3s -s "$work/unknown.lua" "http://127.0.0.1:$port/" >/dev/null

echo "wrk -t2 -c$conns -d${dur}s --latency, loopback, $(nproc) cores; script size $size bytes"
echo
echo "| case | requests/s | p99 latency | non-2xx |"
echo "|---|---|---|---|"
run "nginx static file ($size B)" "http://127.0.0.1:$nport/known.ipxe"
run "chainboot known machine (static kernel profile)" "$known_url"
run "chainboot unknown machine (new MAC each request)" "http://127.0.0.1:$port/" "$work/unknown.lua"
run "chainboot once consumption (new machine each request)" "http://127.0.0.1:$port/" "$work/once.lua"
sleep 2 # let requests still in flight when wrk stopped finish
armed=$(sqlite3 "$work/data/chainboot.db" "PRAGMA busy_timeout=10000; SELECT count(*) FROM assignments WHERE kind='once';" | tail -1)
consumed=$((n_once - armed))
nginx_rps=$(cat "$work/rps-nginx static file ($size B)")
known_rps=$(cat "$work/rps-chainboot known machine (static kernel profile)")
echo
echo "known machine: $(awk -v a="$known_rps" -v b="$nginx_rps" 'BEGIN {printf "%.0f%%", 100 * a / b}') of nginx's requests/s; once-assignments consumed during the once run: $consumed"
# every decision must have been recorded (the event writer batches in the background)
events=$(sqlite3 "$work/data/chainboot.db" "PRAGMA busy_timeout=10000; SELECT count(*) FROM boot_events WHERE once_consumed;" | tail -1)
echo "BootEvents with once consumed: $events"
grep -E "ERROR|dropped" "$work/server.log" | head -5 || true
