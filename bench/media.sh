#!/usr/bin/env bash
# Boot media benchmark: time to build a hybrid ISO for a new URL, side by side:
#   1. chainboot in-process (JMH, dev.chainboot.media.MediaBenchmark)
#   2. chainboot as a cold CLI process (java -jar ... media iso URL), via hyperfine
#   3. the same layout built by xorrisofs from the same files, with mformat/mmd/mcopy for the
#      FAT part (what a shell pipeline around xorriso does), via hyperfine
#   4. requests/s of GET /media/<machine>.iso from 'chainboot serve' with a warm cache (wrk)
# Every build uses a URL not seen before. Needs: xorriso, mtools, hyperfine, a JDK 21+.
# Usage: bench/media.sh [--quick]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/lib/java.sh
JAVA_HOME=$(find_jdk_home); export JAVA_HOME
java="$JAVA_HOME/bin/java"
runs=20; jmh=(-wi 3 -w 2 -i 5 -r 2 -f 1)
if [ "${1:-}" = --quick ]; then runs=5; jmh=(-wi 1 -w 1 -i 2 -r 1 -f 1); fi
for t in xorrisofs mformat mcopy hyperfine wrk curl; do
  command -v $t >/dev/null || { echo "bench/media.sh: needs $t (apt-get install xorriso mtools hyperfine)" >&2; exit 1; }
done

./mvnw -B -q -DskipTests package
./mvnw -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt >/dev/null
fw=target/firmware-resources/dev/chainboot/firmware/bin
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

# The xorriso pipeline: same binaries, same tree, same El Torito/isohybrid layout.
cat > "$work/xorriso-pipeline.sh" <<SH
#!/bin/sh
set -e
d=\$(mktemp -d "$work/x.XXXXXX")
cp $root/$fw/isolinux.bin $root/$fw/ldlinux.c32 $root/$fw/ipxe.lkrn "\$d/"
printf 'DEFAULT ipxe\nLABEL ipxe\n KERNEL ipxe.lkrn\n APPEND initrd=autoexec.ipxe\n' > "\$d/isolinux.cfg"
printf '#!ipxe\ndhcp\nchain %s\n' "\$1" > "\$d/autoexec.ipxe"
truncate -s 1000K "\$d/esp.img"
mformat -i "\$d/esp.img" -h 64 -s 32 -v CHAINBOOT ::
mmd -i "\$d/esp.img" ::EFI ::EFI/BOOT
mcopy -i "\$d/esp.img" $root/$fw/ipxe-amd64.efi ::EFI/BOOT/BOOTX64.EFI
mcopy -i "\$d/esp.img" "\$d/autoexec.ipxe" ::EFI/BOOT/autoexec.ipxe
mcopy -i "\$d/esp.img" "\$d/autoexec.ipxe" ::autoexec.ipxe
xorrisofs -quiet -l -V CHAINBOOT -no-emul-boot -eltorito-boot isolinux.bin -boot-load-size 4 -boot-info-table \
  -eltorito-alt-boot -no-emul-boot -e esp.img -isohybrid-mbr $root/$fw/isohdpfx.bin -isohybrid-gpt-basdat \
  -o "\$d.iso" "\$d" 2>/dev/null
rm -rf "\$d" "\$d.iso"
SH
chmod +x "$work/xorriso-pipeline.sh"

echo "== 1. chainboot in-process (JMH, ms/op = ms per image)"
"$java" -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  org.openjdk.jmh.Main 'dev.chainboot.media.MediaBenchmark' "${jmh[@]}" 2>&1 | grep -E '^(Benchmark|MediaBenchmark)'

echo "== 2+3. cold CLI process vs xorriso pipeline (hyperfine, new URL each run)"
export MTOOLS_SKIP_CHECK=1
hyperfine --style basic -w 2 -r "$runs" --export-markdown "$work/h.md" \
  -n 'chainboot media iso (cold JVM)' \
  "$java -jar $root/target/chainboot.jar media iso http://10.0.0.1:8080/boot.ipxe?n=\$RANDOM\$RANDOM -o $work/c.iso" \
  -n 'xorrisofs + mformat/mcopy pipeline' \
  "$work/xorriso-pipeline.sh http://10.0.0.1:8080/boot.ipxe?n=\$RANDOM\$RANDOM"
cat "$work/h.md"
echo "(boots-from states 5-10 s for an iPXE EMBED= rebuild of the same image; not run here: it needs a C toolchain)"

echo "== 4. GET /media/<machine>.iso from 'chainboot serve', warm cache (wrk, 2 threads, 16 connections, 10 s)"
port=$((20000 + RANDOM % 20000))
"$java" -jar target/chainboot.jar machine add --data "$work/data" 52:54:00:12:34:56 >/dev/null
"$java" -jar target/chainboot.jar serve --tftp off --http 127.0.0.1:$port --admin 127.0.0.1:0 --data "$work/data" > "$work/serve.log" 2>&1 &
serve=$!
trap 'kill $serve 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do curl -fs -o /dev/null http://127.0.0.1:$port/health && break; sleep 0.1; done
curl -fs -o /dev/null http://127.0.0.1:$port/media/52-54-00-12-34-56.iso
wrk -t2 -c16 -d10s http://127.0.0.1:$port/media/52-54-00-12-34-56.iso | grep -E 'Requests/sec|Transfer/sec|Latency'
kill $serve; wait $serve 2>/dev/null || true
