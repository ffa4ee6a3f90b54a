#!/usr/bin/env bash
# Boot decisions per second on each store, in one run, side by side (wrk on loopback):
#   sqlite  - one instance on SQLite (DATA/chainboot.db)
#   pg      - one instance on PostgreSQL (Debian's, started here with initdb/pg_ctl)
#   pg+hap  - one instance on PostgreSQL behind the same HAProxy set-up: the proxy hop's cost, apart
#             from what three instances cost
#   pg x3   - three instances on that PostgreSQL behind HAProxy (Debian's haproxy)
# Cases as bench/http-resolve.sh: known machine, unknown machine (registered on first boot),
# once consumption (a different armed machine per request).
# Usage: bench/stores.sh [seconds per run (default 10)] [connections (default 32)]
# Env: N_ONCE (armed machines, default 150000), N_WARM (armed machines for the warm-up of the once
# case, default 80000), JAR (the jar to measure, default
# target/chainboot.jar), PER_CLIENT (--max-http-per-client, default 64: wrk, and HAProxy in front
# of the three instances, are one client address, which the default of 4 would make the limit),
# PG_PARAMS (URL parameters for PostgreSQL, e.g. synchronous_commit=on; default none: off),
# WARMUP (seconds of known-machine requests each instance gets first, default 15: a JVM here
# needs more than 6 s of load to reach its speed, and three on two cores longer), CPU=1 (also print
# the CPU time per request of chainboot, PostgreSQL, HAProxy and the rest, from /proc),
# INSTANCE_CPU (e.g. 0.3: every chainboot instance may use at most that many cores, each in a
# cgroup of its own, as if each ran on a machine of its own of that size; PostgreSQL, HAProxy and
# wrk are not capped. Three instances then show what coordination through PostgreSQL leaves of
# adding instances, apart from three JVMs sharing the same 2 cores).
# Needs: wrk, sqlite3, haproxy, postgresql, a JDK >= 21; run as root (PostgreSQL runs as the
# postgres user). Prints a Markdown table.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/lib/java.sh
. scripts/lib/bench.sh
. scripts/lib/pg.sh
dur=${1:-10}
conns=${2:-32}
jdk=$(find_jdk_home)
java="$jdk/bin/java"
jar=${JAR:-$root/target/chainboot.jar}
[ -f "$jar" ] || JAVA_HOME=$jdk ./mvnw -B -q -DskipTests -DskipITs package
per_client=${PER_CLIENT:-64}
warmup=${WARMUP:-15}

work=$(mktemp -d)
chmod 755 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pg_stop "$work/pg"
  [ -n "${INSTANCE_CPU:-}" ] && cpu_cap_clear
  rm -rf "$work"
}
trap cleanup EXIT
# sqlite-jdbc unpacks its native library into the temp directory and deletes "old" copies there:
# with other JVMs starting beside the bench, an instance lost its copy and died. Keep ours apart.
mkdir -p "$work/sqlite-tmp"
sqlite_tmp=-Dorg.sqlite.tmpdir=$work/sqlite-tmp

cb() { "$java" $sqlite_tmp -jar "$jar" "$@" --data "$work/data" >/dev/null; }

# --- the data: one known machine, n_once armed machines (as bench/http-resolve.sh)
known=52:54:00:aa:00:01
cb machine add $known --arch x86_64
cb profile add linux --kernel 'http://10.0.0.1/vmlinuz' --initrd 'http://10.0.0.1/initrd.img' \
  --cmdline 'console=ttyS0,115200 ip=dhcp BOOTIF=01-{{mac_hexhyp}}'
cb boot static $known linux
n_once=${N_ONCE:-150000}
# Armed machines of their own for the warm-up of the once case (52:54:03:...), so that the
# measured seconds start on machines still armed: a slice of them for each warm-up run.
n_warm=${N_WARM:-80000}
sqlite3 "$work/data/chainboot.db" >/dev/null <<SQL
PRAGMA busy_timeout=10000;
BEGIN;
$(armed_sql 01 "$n_once")
$(armed_sql 03 "$n_warm")
COMMIT;
SQL
mkdir -p "$work/pristine" && cp "$work/data/chainboot.db" "$work/pristine/chainboot.db"

# --- PostgreSQL (settings as a production server, fsync on)
pgport=$(free_port)
pg_start "$work/pg" "$pgport" max_connections=200
psql() { runuser -u postgres -- "$pgbin/psql" -h 127.0.0.1 -p "$pgport" -U chainboot -qAt "$@"; }
fresh_pg() { # a new database with the pristine data, printed as its URL
  local db=$1
  psql -d postgres -c "CREATE DATABASE $db" >/dev/null
  "$java" $sqlite_tmp -jar "$jar" db copy --from "$work/pristine/chainboot.db" --to "postgresql://chainboot@127.0.0.1:$pgport/$db" >/dev/null
  echo "postgresql://chainboot@127.0.0.1:$pgport/$db${PG_PARAMS:+?$PG_PARAMS}"
}

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
# once consumption: a different armed machine per request, 52:54:PREFIX:... from FIRST on, wrk's
# two threads taking every other one (wrk ... -- PREFIX FIRST COUNT; past COUNT it wraps around)
cat >"$work/once.lua" <<'LUA'
local counter = 0
setup = function(thread)
  thread:set("id", counter)
  counter = counter + 1
end
init = function(args)
  n = 0
  prefix = args[1]
  first = tonumber(args[2])
  size = tonumber(args[3])
end
request = function()
  local m = first + (id + n * 2) % size
  n = n + 1
  return wrk.format("GET", string.format(
    "/boot/resolve?mac=52-54-%s-%02x-%02x-%02x&buildarch=x86_64&platform=pcbios",
    prefix, math.floor(m / 65536) % 256, math.floor(m / 256) % 256, m % 256))
end
LUA

serve() { # name extra-args... ; sets $port
  local name=$1; shift
  port=$(free_port)
  mkdir -p "$work/d-$name"
  CHAINBOOT_LOG_LEVEL=${CHAINBOOT_LOG_LEVEL:-INFO} "$java" -Xmx512m $sqlite_tmp -jar "$jar" serve \
    --data "$work/d-$name" --http 127.0.0.1:$port --tftp off --admin 127.0.0.1:0 \
    --max-http-per-client "$per_client" "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
  [ -z "${INSTANCE_CPU:-}" ] || cpu_cap "$name" "$INSTANCE_CPU" "${pids[-1]}"
  # a loaded machine can take minutes to start a JVM: wait up to 3 minutes, say why if it died
  for _ in $(seq 1 900); do
    curl -fs "http://127.0.0.1:$port/health" >/dev/null && return 0
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.2
  done
  echo "instance $name did not start; its log:" >&2
  tail -20 "$work/$name.log" >&2
  exit 1
}

hz=$(getconf CLK_TCK)
cpu_now() { # chainboot PostgreSQL HAProxy machine-busy, in clock ticks
  echo "$(cpu_ticks $(pgrep -f -- "-jar $jar serve" || true)) $(cpu_ticks $(pgrep -u postgres || true))" \
    "$(cpu_ticks $(pgrep -x haproxy || true))" \
    "$(awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat)"
}

rps() { # url [script [script-args...]]: requests/s; with CPU=1 also where the CPU went, per request
  local out c0 c1
  c0=$(cpu_now)
  out=$(wrk -t2 -c"$conns" -d"${dur}s" ${2:+-s "$2"} "$1" ${3:+-- "${@:3}"})
  c1=$(cpu_now)
  echo "$out" | awk '/Non-2xx/ {print "non-2xx:" $NF > "/dev/stderr"}'
  echo "$out" | awk -v c0="$c0" -v c1="$c1" -v hz="$hz" -v cpu="${CPU:-0}" '
    /requests in/ {n = $1}
    /Requests\/sec/ {r = $2}
    END {
      if (!cpu || !n) { print r; exit }
      split(c0, a, " "); split(c1, b, " ")
      for (i = 1; i <= 4; i++) d[i] = (b[i] - a[i]) * 1e6 / hz / n
      printf "%s (%.0f/%.0f/%.0f/%.0f)\n", r, d[1], d[2], d[3], d[4] - d[1] - d[2] - d[3]
    }'
}

measure() { # base-url label [instance-url...]
  local base=$1 label=$2 k u o w
  shift 2
  # Warm the JIT up on every path, each instance directly and as long as a single one (through
  # HAProxy each of three got a third of the warm-up, and the figure measured their compilers).
  # The once case too, on the warm-up's own armed machines (a slice each): once-assignments are
  # taken by code no other case runs, and three instances at a third of the rate each had not
  # compiled it in the measured seconds (their CPU a once was three times one instance's).
  # one slice a warm-up run: each instance directly, and the front if there is one
  local slice=0 size=$((n_warm / ($# > 0 ? $# + 1 : 1)))
  warm_once() { # url
    wrk -t2 -c"$conns" -d5s -s "$work/once.lua" "$1/" -- 03 $((1 + slice * size)) "$size" >/dev/null
    slice=$((slice + 1))
  }
  for w in "${@:-$base}"; do
    wrk -t2 -c"$conns" -d"${warmup}s" "$w/boot/resolve?mac=52-54-00-aa-00-01&buildarch=x86_64&platform=pcbios" >/dev/null
    wrk -t2 -c"$conns" -d5s -s "$work/unknown.lua" "$w/" >/dev/null
    warm_once "$w"
  done
  # Then through the front too, if there is one: HAProxy's requests take branches wrk's direct ones
  # did not (header parsing, the base URL), and the first of them made every instance throw away
  # and recompile its hottest code in the measured seconds (C2 was 10% of the machine's CPU in the
  # three-instance run, -XX:+PrintCompilation: "made not entrant: uncommon trap").
  if [ $# -gt 0 ]; then
    wrk -t2 -c"$conns" -d10s "$base/boot/resolve?mac=52-54-00-aa-00-01&buildarch=x86_64&platform=pcbios" >/dev/null
    wrk -t2 -c"$conns" -d5s -s "$work/unknown.lua" "$base/" >/dev/null
    warm_once "$base"
  fi
  k=$(rps "$base/boot/resolve?mac=52-54-00-aa-00-01&buildarch=x86_64&platform=pcbios")
  u=$(rps "$base/" "$work/unknown.lua")
  o=$(rps "$base/" "$work/once.lua" 01 1 "$n_once")
  printf '| %s | %s | %s | %s |\n' "$label" "$k" "$u" "$o"
}

echo "wrk -t2 -c$conns -d${dur}s, loopback, $(nproc) cores, $n_once armed machines per store," \
  "--max-http-per-client $per_client, warm-up ${warmup}s per instance (and 5 s of once consumption on $n_warm other armed machines), PostgreSQL URL parameters: ${PG_PARAMS:-none}," \
  "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)${INSTANCE_CPU:+, each chainboot instance capped at $INSTANCE_CPU cores}"
echo
[ "${CPU:-0}" = 1 ] && echo "In brackets: CPU µs per request used by chainboot / PostgreSQL / HAProxy / the rest (wrk, kernel)." && echo
echo "| instances | known machine req/s | unknown machine req/s | once consumption req/s |"
echo "|---|---|---|---|"
mkdir -p "$work/d-sqlite" && cp "$work/pristine/chainboot.db" "$work/d-sqlite/chainboot.db"
serve sqlite
measure "http://127.0.0.1:$port" "1 on SQLite"
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

haproxy_front() { # backend-port... ; starts HAProxy in front of them, sets $hport
  hport=$(free_port)
  {
    echo "global"; echo "  maxconn 4096"
    echo "defaults"; echo "  mode http"; echo "  timeout connect 2s"; echo "  timeout client 60s"; echo "  timeout server 60s"
    echo "frontend f"; echo "  bind 127.0.0.1:$hport"; echo "  default_backend b"
    echo "backend b"; echo "  balance roundrobin"; echo "  option httpchk GET /health"; echo "  option redispatch"
    local i=0 b
    for b in "$@"; do echo "  server s$i 127.0.0.1:$b check inter 1s"; i=$((i + 1)); done
  } >"$work/haproxy-$#.cfg"
  haproxy -db -f "$work/haproxy-$#.cfg" >"$work/haproxy-$#.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$hport/health" >/dev/null && break; sleep 0.1; done
}

url=$(fresh_pg one)
serve pg1 --db "$url"
measure "http://127.0.0.1:$port" "1 on PostgreSQL"
# one instance again (a fresh database, so the once case has armed machines again), through the
# same HAProxy hop as the three below: what the hop costs, apart from what three instances cost
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
url=$(fresh_pg onehap)
serve pg1h --db "$url"
one=$port
haproxy_front "$one"
measure "http://127.0.0.1:$hport" "1 on PostgreSQL behind HAProxy" "http://127.0.0.1:$one"
kill "${pids[-1]}" "${pids[-2]}"; wait "${pids[-1]}" "${pids[-2]}" 2>/dev/null || true

url=$(fresh_pg three)
backends=()
for i in 1 2 3; do serve "pg3-$i" --db "$url"; backends+=("$port"); done
haproxy_front "${backends[@]}"
measure "http://127.0.0.1:$hport" "3 on PostgreSQL behind HAProxy" \
  "http://127.0.0.1:${backends[0]}" "http://127.0.0.1:${backends[1]}" "http://127.0.0.1:${backends[2]}"
# every instance must still be up: one that died after its health check (before 2026-12-01 the
# second and third lost the default admin port 9090 to the first) makes this row HAProxy's errors
for i in 1 2 3; do
  kill -0 "${pids[-5 + i]}" 2>/dev/null || { echo "instance pg3-$i died during the run; its log:" >&2
    tail -5 "$work/pg3-$i.log" >&2; }
done
grep -hE "ERROR" "$work"/*.log | head -5 || true
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
