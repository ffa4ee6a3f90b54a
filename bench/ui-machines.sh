#!/usr/bin/env bash
# The web UI's machine list with 10 000 machines: server time per page (GET /machines on the
# admin listener, 50 machines a page, each row with its labels, assignments and last boot),
# measured with curl on loopback (time to the whole answer). Cases: the first page, a middle
# page, the last page, a label search, the API's paged list, and a middle page with a machine
# changed before every request. 10 000 machines with labels, host names, 2 000 assignments and
# 100 000 boot events go straight into SQLite first. Every page is read from the store (count +
# LIMIT/OFFSET, the search in SQL): nothing is kept between requests. "cold" is the very first
# request of each case after the server started (no warm-up: JIT, pool and SQLite page cache
# cold for that query), then the warm figures after 10 warm-up requests.
# Usage: bench/ui-machines.sh [requests per case (default 40)]
# Needs: curl, sqlite3, a JDK >= 21. Prints a Markdown table (median, p95, max in ms).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/lib/java.sh
. scripts/lib/bench.sh
runs=${1:-40}
jdk=$(find_jdk_home)
java="$jdk/bin/java"
[ -f target/chainboot.jar ] || JAVA_HOME=$jdk ./mvnw -B -q -DskipTests package
jar=$root/target/chainboot.jar

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cb() { "$java" -jar "$jar" "$@" --data "$work/data"; }

cb profile add linux --kernel 'http://10.0.0.1/vmlinuz' >/dev/null
token=$(cb token create bench --role viewer 2>/dev/null)
n=10000
sqlite3 "$work/data/chainboot.db" <<SQL
PRAGMA busy_timeout=10000;
BEGIN;
WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < $n)
INSERT INTO machines (mac, ip, hostname, labels, created_at)
  SELECT printf('52:54:01:%02x:%02x:%02x', n / 65536, (n / 256) % 256, n % 256),
         printf('10.%d.%d.%d', n / 65536, (n / 256) % 256, n % 256),
         printf('node%05d', n),
         printf('{"rack":"r%d","role":"worker"}', n % 100), 0 FROM i;
INSERT INTO assignments (mac, kind, profile, created_at)
  SELECT mac, 'static', 'linux', 0 FROM machines WHERE rowid % 5 = 0;
WITH RECURSIVE e(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM e WHERE k < 100000)
INSERT INTO boot_events (at, mac, client_ip, match_kind, reason, profile, protocol, once_consumed)
  SELECT 1700000000000 + k, printf('52:54:01:%02x:%02x:%02x', (k % $n + 1) / 65536,
         ((k % $n + 1) / 256) % 256, (k % $n + 1) % 256), '10.0.0.1', 'static', 'static', 'linux',
         'http', 0 FROM e;
COMMIT;
SQL

port=$(free_port)
aport=$(free_port)
CHAINBOOT_LOG_LEVEL=${CHAINBOOT_LOG_LEVEL:-WARN} "$java" -Xmx1g -jar "$jar" serve \
  --data "$work/data" --http 127.0.0.1:$port --admin 127.0.0.1:$aport --tftp off \
  >"$work/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 150); do curl -fs "http://127.0.0.1:$aport/health" >/dev/null && break; sleep 0.2; done

measure() { # name path [touch: change a machine before each request]
  local url="http://127.0.0.1:$aport$2" times=() cold
  cold=$(curl -fs -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $token" "$url")
  for _ in $(seq 1 10); do curl -fs -o /dev/null -H "Authorization: Bearer $token" "$url"; done
  for i in $(seq 1 "$runs"); do
    if [ -n "${3:-}" ]; then
      sqlite3 "$work/data/chainboot.db" "PRAGMA busy_timeout=10000;
        UPDATE machines SET labels = '{\"rack\":\"r$i\"}' WHERE mac = '52:54:01:00:00:01';" >/dev/null
    fi
    times+=("$(curl -fs -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $token" "$url")")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v name="$1" -v path="$2" -v cold="$cold" '
    { t[NR] = $1 * 1000 }
    END { printf "| %s | `%s` | %.1f | %.1f | %.1f | %.1f |\n", name, path, cold * 1000,
          t[int((NR + 1) / 2)], t[int(NR * 0.95)], t[NR] }'
}
echo "machines: $n, requests per case: $runs"
echo
echo "| case | path | cold ms | median ms | p95 ms | max ms |"
echo "|---|---|---|---|---|---|"
measure "first page" "/machines"
measure "middle page" "/machines?page=100"
measure "last page" "/machines?page=200"
measure "label search (100 matches)" "/machines?q=rack%3Dr42"
measure "API, a middle page" "/api/v1/machines?limit=50&offset=5000"
measure "middle page, a machine changed before each request" "/machines?page=100" touch
rows=$(curl -fs -H "Authorization: Bearer $token" "http://127.0.0.1:$aport/machines?page=100" |
  grep -c '<tr><td><a href="/machines/' || true)
echo
echo "rows on a page: $rows"
