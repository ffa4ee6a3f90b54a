#!/usr/bin/env bash
# proxyDHCP under a burst of 1000 simulated PXE DISCOVERs, chainboot vs dnsmasq in proxy mode,
# on the same throw-away namespace LAN (run as root; needs dnsmasq, python3, a built jar).
#   bench/dhcp.sh [N]
# Env: RUNS measured bursts per server (default 3; the median is printed last), WARMUP bursts
# before them (default 5: chainboot's JIT compiles the answer path over the first few thousand).
# JAR another chainboot build (default target/chainboot.jar). CHAINBOOT_JAVA_OPTS more JVM options for chainboot (e.g. -XX:StartFlightRecording=...).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-1000}
RUNS=${RUNS:-3}
WARMUP=${WARMUP:-5}
. "$root/scripts/lib/java.sh"
java="$(find_java)"
jar="${JAR:-$root/target/chainboot.jar}"
[ -f "$jar" ] || (cd "$root" && JAVA_HOME=$(find_jdk_home) ./mvnw -B -q -DskipTests package)
id=cbb$$; srv=${id}s; cli=${id}c; net=10.$((RANDOM % 150 + 100)).$((RANDOM % 250 + 1))
tmp=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  ip netns del "$srv" 2>/dev/null || true; ip netns del "$cli" 2>/dev/null || true; rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add "$srv"; ip netns add "$cli"
ip link add "${id}a" type veth peer name "${id}b"
ip link set "${id}a" netns "$srv"; ip link set "${id}b" netns "$cli"
ip -n "$srv" addr add "$net.1/24" dev "${id}a"; ip -n "$srv" link set "${id}a" up; ip -n "$srv" link set lo up
ip -n "$cli" addr add "$net.50/24" dev "${id}b"; ip -n "$cli" link set "${id}b" up

burst() { # label: WARMUP bursts, then RUNS measured ones; prints each and the median
  for _ in $(seq "$WARMUP"); do
    ip netns exec "$cli" python3 "$root/bench/dhcp_burst.py" "${id}b" "$n" 5 >/dev/null || true
  done
  sleep 1
  local before line rates=()
  for i in $(seq "$RUNS"); do
    before=$(ip netns exec "$srv" nstat -az UdpRcvbufErrors | awk '/UdpRcvbufErrors/{print $2}')
    line="$(ip netns exec "$cli" python3 "$root/bench/dhcp_burst.py" "${id}b" "$n" 5 || true)"
    echo "$1 run $i: $line" \
      "server_rcvbuf_drops=$(( $(ip netns exec "$srv" nstat -az UdpRcvbufErrors | awk '/UdpRcvbufErrors/{print $2}') - before ))"
    rates+=("$(echo "$line" | sed -n 's/.*offers_per_s=\([0-9]*\).*answered=.*//p;s/.*answered=\([0-9]*\) offers_per_s=\([0-9]*\).*/\2 (answered \1)/p')")
    sleep 1
  done
  echo "$1: median offers/s of $RUNS runs: $(printf '%s\n' "${rates[@]}" | sort -n | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}')"
}

# chainboot's boot core must have something for these machines: a default profile
"$java" -jar "$jar" profile add --data "$tmp/data" --chain "http://$net.1:8080/marker.ipxe" bench >/dev/null
"$java" -jar "$jar" boot default --data "$tmp/data" bench >/dev/null
ip netns exec "$srv" "$java" ${CHAINBOOT_JAVA_OPTS:-} -jar "$jar" serve --proxy-dhcp --tftp off --http 127.0.0.1:0 --admin 127.0.0.1:0 \
  --data "$tmp/data" > "$tmp/chainboot.log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "proxyDHCP listening" "$tmp/chainboot.log" && break; sleep 0.2; done
burst "chainboot --proxy-dhcp"
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=

ip netns exec "$srv" dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface="${id}a" \
  --bind-interfaces --dhcp-range="$net.0,proxy" --pxe-service=x86PC,"chainboot",undionly \
  --pid-file="$tmp/dnsmasq.pid" > "$tmp/dnsmasq.log" 2>&1 &
pid=$!
sleep 1
burst "dnsmasq $(dnsmasq --version | head -1 | awk '{print $3}') proxy"
