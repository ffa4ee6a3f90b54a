#!/usr/bin/env bash
# Re-captures the golden DHCP packets in this directory from real udhcpc clients, inside a
# throw-away pair of network namespaces (run as root). Each .bin is one UDP payload.
#   src/test/resources/dhcp/capture.sh [OUTDIR]
set -euo pipefail
out=${1:-$(cd "$(dirname "$0")" && pwd)}
id=cap$$
srv=${id}s cli=${id}c
cleanup() { ip netns del "$srv" 2>/dev/null || true; ip netns del "$cli" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$srv"; ip netns add "$cli"
ip link add "${id}a" type veth peer name "${id}b"
ip link set "${id}a" netns "$srv"; ip link set "${id}b" netns "$cli"
ip -n "$srv" addr add 10.77.0.1/24 dev "${id}a"; ip -n "$srv" link set "${id}a" up
ip -n "$cli" link set "${id}b" address 52:54:00:12:34:56 up
tmp=$(mktemp -d)
capture() { # name, udhcpc args...
  local name=$1; shift
  ip netns exec "$srv" timeout 6 tcpdump -i "${id}a" -U -w "$tmp/$name.pcap" -c 1 'udp dst port 67' 2>/dev/null &
  local td=$!
  sleep 1
  ip netns exec "$cli" timeout 3 udhcpc -f -q -n -t 1 -T 1 -i "${id}b" -s /bin/true "$@" >/dev/null 2>&1 || true
  wait "$td" || true
  # pcap: 24-byte file header, 16-byte record header, 14 Ethernet, 20 IPv4, 8 UDP
  python3 - "$tmp/$name.pcap" "$out/$name.bin" <<'PY'
import sys
d = open(sys.argv[1], 'rb').read()
rec = d[24:]
incl = int.from_bytes(rec[8:12], 'little')
frame = rec[16:16 + incl]
ihl = (frame[14] & 0x0f) * 4
open(sys.argv[2], 'wb').write(frame[14 + ihl + 8:])
PY
  echo "captured $name"
}
capture udhcpc-bios-discover -V PXEClient:Arch:00000:UNDI:002001 -x 0x5d:0000 -x 0x5e:010201
capture udhcpc-efi64-discover -V PXEClient:Arch:00007:UNDI:003016 -x 0x5d:0007 -x 0x5e:010300 \
  -x 0x61:00000102030405060708090a0b0c0d0e0f
capture udhcpc-ipxe-discover -V PXEClient:Arch:00000:UNDI:002001 -x 0x5d:0000 -x 0x4d:69505845 \
  -x 0xaf:b10101eb0101
capture udhcpc-plain-discover
capture udhcpc-http-discover -V HTTPClient:Arch:00016:UNDI:003001 -x 0x5d:0010
capture udhcpc-arm64-discover -V PXEClient:Arch:00011:UNDI:003001 -x 0x5d:000b
capture udhcpc-rfc3004-userclass-discover -V PXEClient:Arch:00000:UNDI:002001 -x 0x4d:04695058450474657374
rm -rf "$tmp"
