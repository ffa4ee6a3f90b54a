#!/usr/bin/env python3
"""Simulated PXE clients: sends N DHCPDISCOVERs (PXEClient, arch 0, distinct MAC and xid each)
as one burst to 255.255.255.255:67 through IFACE, and times each client's first OFFER.

    dhcp_burst.py IFACE [N] [TIMEOUT_S]

Prints one line: sent, answered, offers/s (answers over the time from the first send to the
last answer), p50/p99/max latency in ms. Run inside a network namespace made for the test."""
import socket, struct, sys, time, random, multiprocessing as mp

iface = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 5.0

def discover(xid, mac):
    hdr = struct.pack('!BBBBIHH4s4s4s4s16s64s128s', 1, 1, 6, 0, xid, 0, 0x8000,
                      b'\0' * 4, b'\0' * 4, b'\0' * 4, b'\0' * 4, mac + b'\0' * 10, b'', b'')
    vc = b'PXEClient:Arch:00000:UNDI:002001'
    opts = (b'\x63\x82\x53\x63' + b'\x35\x01\x01' + b'\x5d\x02\x00\x00' + b'\x5e\x03\x01\x02\x01'
            + bytes([60, len(vc)]) + vc + b'\x37\x04\x01\x03\x2b\x3c' + b'\xff')
    return hdr + opts

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
s.bind(('0.0.0.0', 68))
s.settimeout(0.2)

base = random.randrange(1 << 30)

def receive(ready, out, until):
    """Separate process, so the sender never holds up the draining of the socket."""
    got = {}
    ready.set()
    while time.perf_counter() < until.value and len(got) < n:
        try:
            data = s.recv(4096)
        except socket.timeout:
            continue
        t = time.perf_counter()
        if len(data) < 240 or data[0] != 2 or b'\x35\x01\x02' not in data[240:]:
            continue
        xid = struct.unpack('!I', data[4:8])[0]
        if base <= xid < base + n and xid not in got:
            got[xid] = t
    out.put(got)

ready, out = mp.Event(), mp.Queue()
until = mp.Value('d', time.perf_counter() + 3600)
rx = mp.Process(target=receive, args=(ready, out, until))
rx.start()
ready.wait()
packets = [(base + i, discover(base + i, b'\x02\xcb' + struct.pack('!I', base + i))) for i in range(n)]
sent_at = {}
start = time.perf_counter()
for xid, p in packets:
    sent_at[xid] = time.perf_counter()
    s.sendto(p, ('255.255.255.255', 67))
until.value = time.perf_counter() + timeout
got = out.get()
rx.join()
lat = sorted((got[x] - sent_at[x]) * 1000 for x in got)
if not lat:
    print(f"sent={n} answered=0")
    sys.exit(1)
span = max(got.values()) - start
pct = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
print(f"sent={n} answered={len(lat)} offers_per_s={len(lat) / span:.0f} "
      f"p50_ms={pct(0.50):.2f} p99_ms={pct(0.99):.2f} max_ms={lat[-1]:.2f}")
