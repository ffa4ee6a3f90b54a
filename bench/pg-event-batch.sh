#!/usr/bin/env bash
# PostgreSQL's CPU per boot event by the size of the batch that carries it: the question behind
# the durable event writer's group commits (issue 11). chainboot's own statement (the one of
# PostgresStore.INSERT_EVENTS: the event lock, key 0x636861696e626f6f, taken by the statement, the
# events as ten arrays; keep the two alike) runs as a prepared statement from psql, one autocommit
# transaction per batch, with synchronous_commit off as chainboot's connections have it; the
# backend's user+system CPU comes from /proc/PID/stat. Prints a Markdown table.
#   bench/pg-event-batch.sh [events per size (default 25600)]
# Env: SIZES (default "1 4 8 16 32 64 128"). Needs: postgresql (Debian's), python3, a JDK >= 21
# (the schema comes from chainboot's own migrations); run as root (PostgreSQL runs as postgres).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/lib/java.sh
. scripts/lib/bench.sh
. scripts/lib/pg.sh
jdk=$(find_jdk_home)
jar=${JAR:-$root/target/chainboot.jar}
[ -f "$jar" ] || JAVA_HOME=$jdk ./mvnw -B -q -DskipTests package
total=${1:-25600}
sizes=${SIZES:-1 4 8 16 32 64 128}
work=$(mktemp -d)
chmod 755 "$work"
cleanup() {
  pg_stop "$work/pg"
  rm -rf "$work"
}
trap cleanup EXIT
port=$(free_port)
pg_start "$work/pg" "$port"
url="postgresql://chainboot@127.0.0.1:$port/postgres"
# chainboot migrates the database when it opens it: an empty SQLite install copied over
"$jdk/bin/java" -jar "$jar" machine list --data "$work/data" >/dev/null
"$jdk/bin/java" -jar "$jar" db copy --from "$work/data/chainboot.db" --to "$url" >/dev/null

python3 - "$work" "$total" $sizes <<'PY'
import sys
work, total, sizes = sys.argv[1], int(sys.argv[2]), [int(s) for s in sys.argv[3:]]
types = "bigint[],varchar[],varchar[],varchar[],text[],varchar[],varchar[],boolean[],varchar[],text[]"
cols = "at, mac, client_ip, match_kind, reason, profile, protocol, once_consumed, stage, detail"
sql = f"""WITH l AS MATERIALIZED (SELECT pg_advisory_xact_lock(7163082312784179055) AS locked)
INSERT INTO boot_events ({cols})
SELECT u.at, u.mac, u.client_ip, u.match_kind, u.reason, u.profile, u.protocol, u.once_consumed,
  u.stage, u.detail
FROM l, unnest($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) WITH ORDINALITY AS u({cols}, n)
ORDER BY u.n RETURNING id"""
def arr(v): return "'{" + ",".join(v) + "}'"
for n in sizes:
    args = [arr([str(1796220974929 + i) for i in range(n)]), arr(['"52:54:00:aa:00:01"'] * n),
            arr(['"127.0.0.1"'] * n), arr(["static"] * n), arr(['"static assignment"'] * n),
            arr(["linux"] * n), arr(["http"] * n), arr(["f"] * n), arr(["script"] * n),
            arr(["NULL"] * n)]
    with open(f"{work}/batch-{n}.sql", "w") as f:
        f.write("SET synchronous_commit = off;\n")
        f.write(f"PREPARE p({types}) AS {sql};\n")
        f.write(f"EXECUTE p({','.join(args)});\n" * (total // n))
PY

echo "PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}'), $total events per size," \
  "$(nproc) cores, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| events per batch | batches | backend CPU per event (us) | backend CPU per batch (us) | wall (s) |"
echo "|---|---|---|---|---|"
tick=$(getconf CLK_TCK)
for n in $sizes; do
  # psql waits on a FIFO until its backend's CPU time is read, so the figure is the batches' alone
  rm -f "$work/go" && mkfifo "$work/go" && chmod 666 "$work/go"
  runuser -u postgres -- sh -c "cat '$work/go' - | '$pgbin/psql' -h 127.0.0.1 -p $port -U chainboot \
    -d postgres -qAt -v ON_ERROR_STOP=1 >/dev/null" <"$work/batch-$n.sql" &
  client=$!
  exec 3>"$work/go"
  # the backend whose client is this psql
  be=
  for _ in $(seq 1 100); do
    be=$(runuser -u postgres -- "$pgbin/psql" -h 127.0.0.1 -p $port -U chainboot -d postgres -qAt \
      -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'psql' AND pid <> pg_backend_pid()" | head -1)
    [ -n "$be" ] && break
    sleep 0.05
  done
  [ -n "$be" ] || { echo "no backend for the batches of $n" >&2; exit 1; }
  before=$(cpu_ticks "$be")
  start=$(date +%s.%N)
  exec 3>&-
  last=$before
  while kill -0 "$client" 2>/dev/null; do
    t=$(cpu_ticks "$be") # 0 once the backend is gone: keep the last reading
    [ "$t" -ge "$last" ] && last=$t
    sleep 0.02
  done
  wait "$client"
  end=$(date +%s.%N)
  python3 -c "n=$n; b=$total//n; cpu=($last-$before)/$tick; print(f'| {n} | {b} | {cpu*1e6/(b*n):.1f} | {cpu*1e6/b:.0f} | {$end-$start:.1f} |')"
done
