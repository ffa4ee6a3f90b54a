#!/usr/bin/env bash
# Re-captures the firmware DHCPDISCOVERs in this directory: QEMU's SeaBIOS + e1000 iPXE ROM and
# OVMF (virtio-net, the firmware's own PXE), on a tap device in a throw-away namespace with no
# DHCP server (run as root). Each .bin is the UDP payload of the first DISCOVER.
#   src/test/resources/dhcp/capture-qemu.sh [OUTDIR]
set -euo pipefail
out=${1:-$(cd "$(dirname "$0")" && pwd)}
ns=capq$$
tmp=$(mktemp -d)
cleanup() { pkill -F "$tmp/qemu.pid" 2>/dev/null || true; ip netns del "$ns" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" tuntap add dev tap0 mode tap
ip -n "$ns" link set tap0 up
capture() { # name, qemu machine args...
  local name=$1; shift
  ip netns exec "$ns" timeout 120 tcpdump -i tap0 -U --immediate-mode -w "$tmp/$name.pcap" -c 1 'udp dst port 67' 2>/dev/null &
  local td=$!
  sleep 1
  ip netns exec "$ns" qemu-system-x86_64 -accel tcg -display none -serial none -monitor none -m 256 \
    -netdev tap,id=n0,ifname=tap0,script=no,downscript=no -daemonize -pidfile "$tmp/qemu.pid" "$@"
  wait "$td" || true
  pkill -F "$tmp/qemu.pid" || true
  sleep 1
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
capture seabios-ipxe-rom-discover -boot n -device e1000,netdev=n0,mac=52:54:00:12:34:56 \
  -smbios type=1,uuid=11223344-5566-7788-99aa-bbccddeeff00
cp /usr/share/OVMF/OVMF_VARS_4M.fd "$tmp/vars.fd"
capture ovmf-pxe-discover -machine q35 \
  -drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd \
  -drive if=pflash,format=raw,file="$tmp/vars.fd" \
  -fw_cfg name=opt/org.tianocore/IPv6PXESupport,string=no \
  -smbios type=1,uuid=11223344-5566-7788-99aa-bbccddeeff00 \
  -device virtio-net-pci,netdev=n0,romfile=,bootindex=0,mac=52:54:00:12:34:56
