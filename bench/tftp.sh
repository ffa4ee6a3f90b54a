#!/usr/bin/env bash
# TFTP benchmark, side by side on loopback in one run: tftpd-hpa, atftpd (unpacked from its
# .deb; it conflicts with tftpd-hpa as a package) and chainboot, same files, same options.
#   bench/tftp.sh            (as root; needs tftpd-hpa, atftp, apt-get download)
# Env: SIZE_MB (default 24), RUNS (best of, default 2), CONC (default 100), MEMCONC (default 500)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/lib/java.sh
JAVA=$(find_java)
SIZE_MB=${SIZE_MB:-24}
RUNS=${RUNS:-2}
CONC=${CONC:-100}
MEMCONC=${MEMCONC:-500}
jar=target/chainboot.jar
[ -f "$jar" ] || JAVA_HOME=$(find_jdk_home) ./mvnw -q -B -DskipTests package

work=$(mktemp -d /tmp/tftp-bench.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# --- files: one big random file and ipxe.efi, identical for every server
files=$work/files
mkdir -p "$files"
head -c $((SIZE_MB << 20)) /dev/urandom > "$files/big.bin"
cp target/firmware-resources/dev/chainboot/firmware/bin/ipxe-amd64.efi "$files/ipxe.efi"
chmod 755 "$files"; chmod 644 "$files"/*

# --- servers
P_HPA=16901; P_ATFTPD=16902; P_CB=16903; P_HTTP=16904
/usr/sbin/in.tftpd -L -a 127.0.0.1:$P_HPA -s "$files" & pids+=($!)

mkdir -p "$work/atftpd"
( cd "$work/atftpd" && apt-get download -q atftpd >/dev/null 2>&1 && dpkg-deb -x atftpd_*.deb x )
"$work/atftpd/x/usr/sbin/atftpd" --daemon --no-fork --bind-address 127.0.0.1 --port $P_ATFTPD \
  --user root --group root --logfile /dev/null -m 1000 "$files" & pids+=($!)

mkdir -p "$work/cb/tftp"
cp "$files/big.bin" "$files/ipxe.efi" "$work/cb/tftp/"
head -c 262144 /dev/urandom > "$work/cb/tftp/mem.bin"
CHAINBOOT_LOG_LEVEL=WARN "$JAVA" -jar "$jar" serve --data "$work/cb" --tftp 127.0.0.1:$P_CB \
  --http 127.0.0.1:$P_HTTP 2>"$work/cb.log" & cbpid=$!; pids+=($cbpid)
for _ in $(seq 100); do grep -q ready "$work/cb.log" 2>/dev/null && break; sleep 0.2; done
sleep 1

want=$(sha256sum < "$files/big.bin")
now() { date +%s%N; }
# one timed download with atftp; prints MiB/s (best of RUNS), "fail" if the bytes differ
get_big() { # port blksize windowsize
  local best=0
  for _ in $(seq "$RUNS"); do
    rm -f "$work/out.bin"
    local t0; t0=$(now)
    atftp --option "blksize $2" --option "windowsize $3" -g -r big.bin -l "$work/out.bin" 127.0.0.1 "$1" >/dev/null 2>&1 || true
    local t1; t1=$(now)
    if [ "$(sha256sum < "$work/out.bin" 2>/dev/null)" != "$want" ]; then echo fail; return; fi
    local ms=$(( (t1 - t0) / 1000000 ))
    local rate=$(( SIZE_MB * 1000 * 10 / (ms > 0 ? ms : 1) ))
    [ "$rate" -gt "$best" ] && best=$rate
  done
  echo "$((best / 10)).$((best % 10))"
}

echo "machine: $(nproc) cores, load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "## single transfer of ${SIZE_MB} MiB, atftp client, MiB/s (best of $RUNS)"
printf '| blksize | windowsize | tftpd-hpa | atftpd | chainboot |\n|---|---|---|---|---|\n'
for b in 512 1468; do
  for w in 1 8 16; do
    if [ "$w" = 1 ]; then hpa=$(get_big $P_HPA "$b" 1); else hpa="n/a (no windowsize)"; fi
    at=$(get_big $P_ATFTPD "$b" "$w")
    cb=$(get_big $P_CB "$b" "$w")
    printf '| %s | %s | %s | %s | %s |\n' "$b" "$w" "$hpa" "$at" "$cb"
  done
done

# concurrent downloads of ipxe.efi with curl (blksize 1468); prints seconds for all, and failures
conc() { # port n
  local dir=$work/conc.$1; rm -rf "$dir"; mkdir -p "$dir"
  local t0; t0=$(now)
  for i in $(seq "$2"); do
    curl -s --max-time 120 --tftp-blksize 1468 -o "$dir/$i" "tftp://127.0.0.1:$1/ipxe.efi" &
  done
  wait_clients
  local t1; t1=$(now)
  local okc; okc=$(cd "$dir" && sha256sum -- * 2>/dev/null | grep -c "$(sha256sum < "$files/ipxe.efi" | cut -d' ' -f1)" || true)
  echo "$(( (t1 - t0) / 1000000 )) ms, $okc/$2 ok"
}
wait_clients() { # wait for the background curls only (not the servers)
  local p
  for p in $(jobs -p); do
    case " ${pids[*]} " in *" $p "*) ;; *) wait "$p" 2>/dev/null || true ;; esac
  done
}

echo
echo "## $CONC concurrent downloads of ipxe.efi ($(stat -c %s "$files/ipxe.efi") bytes), curl --tftp-blksize 1468"
printf '| server | wall time, verified |\n|---|---|\n'
printf '| tftpd-hpa | %s |\n' "$(conc $P_HPA "$CONC")"
printf '| atftpd | %s |\n' "$(conc $P_ATFTPD "$CONC")"
printf '| chainboot | %s |\n' "$(conc $P_CB "$CONC")"

echo
echo "## chainboot memory under $MEMCONC concurrent transfers (256 KiB file, blksize 512, curl)"
rss() { awk '/VmRSS/ {print $2}' "/proc/$cbpid/status"; }
idle=$(rss)
dir=$work/mem; mkdir -p "$dir"
cpids=()
for i in $(seq "$MEMCONC"); do
  curl -s --max-time 120 -o "$dir/$i" "tftp://127.0.0.1:$P_CB/mem.bin" & cpids+=($!)
done
peak=$idle
alive() { local p; for p in "${cpids[@]}"; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
while alive; do
  r=$(rss); [ "$r" -gt "$peak" ] && peak=$r
  sleep 0.1
done
for p in "${cpids[@]}"; do wait "$p" 2>/dev/null || true; done
okc=$(cd "$dir" && sha256sum -- * | grep -c "$(sha256sum < "$work/cb/tftp/mem.bin" | cut -d' ' -f1)" || true)
echo "| RSS idle | RSS peak during $MEMCONC transfers | verified | load |"
echo "|---|---|---|---|"
echo "| $((idle / 1024)) MiB | $((peak / 1024)) MiB | $okc/$MEMCONC | $(cut -d' ' -f1-3 /proc/loadavg) |"
