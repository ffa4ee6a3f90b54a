#!/usr/bin/env bash
# Lock-step TFTP (windowsize 1), chainboot against tftpd-hpa, side by side on loopback in one run:
# the same file, the same client (curl), runs alternating server by server, median of RUNS.
#   bench/tftp-lockstep.sh                 (as root or not; needs curl and apt-get download)
# Env: SIZE_MB (default 24), RUNS (default 5), LOAD=1 (two busy loops at nice 10 run during the
# measurement: "a loaded machine"), BLKSIZES (default "512 1468"; 512 is sent without options,
# as a PXE ROM without option support does), JAR (default target/chainboot.jar), BASE_JAR (a
# second chainboot build, e.g. before a change: measured in the same alternation, its own column),
# CHAINBOOT_JAVA_OPTS (e.g. -XX:StartFlightRecording=filename=/tmp/tftp.jfr,settings=profile).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/lib/java.sh
JAVA=$(find_java)
SIZE_MB=${SIZE_MB:-24}
RUNS=${RUNS:-5}
LOAD=${LOAD:-0}
BLKSIZES=${BLKSIZES:-512 1468}
jar=${JAR:-target/chainboot.jar}
BASE_JAR=${BASE_JAR:-}
[ -f "$jar" ] || JAVA_HOME=$(find_jdk_home) ./mvnw -q -B -DskipTests package

# tftpd-hpa unpacked from its .deb (installing the package would start a daemon on port 69)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/chainboot/bench
hpa=$cache/tftpd-hpa/usr/sbin/in.tftpd
if [ ! -x "$hpa" ]; then
  mkdir -p "$cache" && (cd "$cache" && apt-get download -q tftpd-hpa >/dev/null 2>&1 \
    && dpkg-deb -x tftpd-hpa_*.deb tftpd-hpa)
fi
if ! "$hpa" -V >/dev/null 2>&1; then
  echo "tftpd-hpa ($hpa) does not run: $("$hpa" -V 2>&1 | head -1) (apt-get install libwrap0)" >&2
  exit 1
fi

work=$(mktemp -d /tmp/tftp-lockstep.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/files" "$work/cb/tftp"
head -c $((SIZE_MB << 20)) /dev/urandom > "$work/files/big.bin"
cp "$work/files/big.bin" "$work/cb/tftp/big.bin"
chmod 755 "$work/files"; chmod 644 "$work/files/big.bin"
want=$(sha256sum < "$work/files/big.bin")

P_HPA=16911; P_CB=16913; P_HTTP=16914; P_BASE=16915; P_BASE_HTTP=16916
"$hpa" -L -a 127.0.0.1:$P_HPA -s "$work/files" & pids+=($!)
serve() { # jar tftp-port http-port log
  CHAINBOOT_LOG_LEVEL=WARN "$JAVA" ${CHAINBOOT_JAVA_OPTS:-} -jar "$1" serve --data "$work/cb" \
    --tftp 127.0.0.1:$2 --http 127.0.0.1:$3 --admin off 2>"$4" & pids+=($!)
  # (at WARN there is no "ready" line to wait for: wait for the TFTP port)
  for _ in $(seq 300); do ss -Hlun "sport = :$2" | grep -q . && return 0; sleep 0.2; done
  echo "chainboot ($1) did not start: $(tail -3 "$4")" >&2; exit 1
}
serve "$jar" $P_CB $P_HTTP "$work/cb.log"
if [ -n "$BASE_JAR" ]; then serve "$BASE_JAR" $P_BASE $P_BASE_HTTP "$work/base.log"; fi

now() { date +%s%N; }
get_once() { # port blksize: prints MiB/s with one decimal, "fail" if the bytes differ
  rm -f "$work/out.bin"
  local opt=(--tftp-blksize "$2")
  [ "$2" = 512 ] && opt=(--tftp-no-options)
  local t0 t1; t0=$(now)
  curl -s --max-time 300 "${opt[@]}" -o "$work/out.bin" "tftp://127.0.0.1:$1/big.bin" || true
  t1=$(now)
  if [ "$(sha256sum < "$work/out.bin" 2>/dev/null)" != "$want" ]; then echo fail; return; fi
  local us=$(( (t1 - t0) / 1000 ))
  local rate=$(( (SIZE_MB * 10000000) / (us > 0 ? us : 1) ))
  echo "$((rate / 10)).$((rate % 10))"
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# warm-up (chainboot's JIT), not counted
for b in $BLKSIZES; do
  get_once $P_CB "$b" >/dev/null; get_once $P_HPA "$b" >/dev/null
  if [ -n "$BASE_JAR" ]; then get_once $P_BASE "$b" >/dev/null; fi
done
if [ "$LOAD" = 1 ]; then
  for _ in 1 2; do nice -n 10 sh -c 'while :; do :; done' & pids+=($!); done
fi
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), LOAD=$LOAD," \
  "$SIZE_MB MiB, curl $(curl --version | head -1 | cut -d' ' -f2), median of $RUNS alternating runs"
if [ -n "$BASE_JAR" ]; then
  echo "chainboot: $jar; base: $BASE_JAR"
  printf '| blksize | tftpd-hpa MiB/s | chainboot MiB/s | base MiB/s | chainboot / tftpd-hpa | base / tftpd-hpa | runs (hpa; chainboot; base) |\n'
  printf '|---|---|---|---|---|---|---|\n'
else
  printf '| blksize | tftpd-hpa MiB/s | chainboot MiB/s | chainboot / tftpd-hpa | runs (hpa; chainboot) |\n'
  printf '|---|---|---|---|---|\n'
fi
ratio() { awk -v c="$1" -v h="$2" 'BEGIN { if (h > 0) printf "%.2f", c / h; else print "n/a" }'; }
for b in $BLKSIZES; do
  hs=(); cs=(); bs=()
  for i in $(seq "$RUNS"); do
    # the servers take turns, the order rotating run by run
    if [ $((i % 2)) = 1 ]; then
      hs+=("$(get_once $P_HPA "$b")"); cs+=("$(get_once $P_CB "$b")")
      if [ -n "$BASE_JAR" ]; then bs+=("$(get_once $P_BASE "$b")"); fi
    else
      if [ -n "$BASE_JAR" ]; then bs+=("$(get_once $P_BASE "$b")"); fi
      cs+=("$(get_once $P_CB "$b")"); hs+=("$(get_once $P_HPA "$b")")
    fi
  done
  h=$(median "${hs[@]}"); c=$(median "${cs[@]}")
  label=$b
  if [ "$b" = 512 ]; then label="$b (no options)"; fi
  if [ -n "$BASE_JAR" ]; then
    x=$(median "${bs[@]}")
    printf '| %s | %s | %s | %s | %s | %s | %s; %s; %s |\n' "$label" "$h" "$c" "$x" \
      "$(ratio "$c" "$h")" "$(ratio "$x" "$h")" "${hs[*]}" "${cs[*]}" "${bs[*]}"
  else
    printf '| %s | %s | %s | %s | %s; %s |\n' "$label" "$h" "$c" "$(ratio "$c" "$h")" \
      "${hs[*]}" "${cs[*]}"
  fi
done
