#!/usr/bin/env python3
"""Soak a running chainboot: many TFTP transfers and HTTP boots spread evenly over a duration,
sampling the server's RSS, threads and open fds (from /proc/PID) as it goes.

  bench/soak.py --pid PID --tftp 127.0.0.1:PORT --http http://127.0.0.1:PORT \
      --tftp-count 10000 --http-count 100000 --seconds 600 [--json out.json]

A TFTP transfer is a lock-step read of FILE (blksize 1468, as iPXE's PXE ROM asks); an HTTP boot
is what iPXE does: GET /boot.ipxe, then the /boot/resolve URL with the machine's MAC (one of 1000).
Exits 1 when a transfer or boot failed, or when the server grew: the medians of the last quarter
of the samples against those of the second quarter (after warm-up) may differ by at most 16
threads, 16 fds and 25% RSS (a JVM's RSS settles as its heap is first used).
"""
import argparse
import http.client
import json
import os
import socket
import statistics
import struct
import sys
import threading
import time


def proc_sample(pid):
    rss = threads = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) * 1024
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    return {"t": time.monotonic(), "rss": rss, "threads": threads, "fds": fds}


def tftp_get(server, name, blksize=1468, timeout=2.0, tries=5):
    """One lock-step RRQ with options; returns bytes received (raises on failure)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        rrq = b"\x00\x01" + name.encode() + b"\x00octet\x00blksize\x00" + str(blksize).encode() + b"\x00"
        s.sendto(rrq, server)
        peer = None
        expect = 1
        got = 0
        last = rrq
        misses = 0
        while True:
            try:
                data, frm = s.recvfrom(65536)
            except socket.timeout:
                misses += 1
                if misses >= tries:
                    raise RuntimeError("tftp timeout")
                s.sendto(last, peer or server)
                continue
            if peer is None:
                peer = frm
            elif frm != peer:
                continue
            op = struct.unpack("!H", data[:2])[0]
            if op == 6:  # OACK
                last = b"\x00\x04\x00\x00"
                s.sendto(last, peer)
                continue
            if op == 5:
                raise RuntimeError("tftp error " + data[4:-1].decode(errors="replace"))
            if op != 3:
                continue
            block = struct.unpack("!H", data[2:4])[0]
            if block == expect & 0xFFFF:
                got += len(data) - 4
                expect += 1
                misses = 0
            last = b"\x00\x04" + data[2:4]
            s.sendto(last, peer)
            if block == (expect - 1) & 0xFFFF and len(data) - 4 < blksize:
                return got
    finally:
        s.close()


def http_boot(host, port, i):
    mac = "52-54-00-5a-%02x-%02x" % (i // 256 % 4, i % 256)
    total = 0
    for path in (f"/boot.ipxe?mac={mac}",
                 f"/boot/resolve?mac={mac}&buildarch=x86_64&platform=pcbios"):
        c = http.client.HTTPConnection(host, port, timeout=20)
        try:
            c.request("GET", path, headers={"User-Agent": "iPXE/1.21.1"})
            r = c.getresponse()
            body = r.read()
            if r.status != 200:
                raise RuntimeError(f"HTTP {r.status} for {path}")
            total += len(body)
        finally:
            c.close()
    return total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--tftp", required=True)
    ap.add_argument("--http", required=True)
    ap.add_argument("--file", default="soak.bin")
    ap.add_argument("--tftp-count", type=int, default=10000)
    ap.add_argument("--http-count", type=int, default=100000)
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--json")
    a = ap.parse_args()
    th, tp = a.tftp.rsplit(":", 1)
    tftp_server = (th, int(tp))
    hh, hp = a.http.split("//", 1)[1].rstrip("/").rsplit(":", 1)
    hp = int(hp)

    # One job list, interleaved evenly: job k is due at start + k * seconds / jobs.
    jobs = []
    for k in range(a.tftp_count):
        jobs.append((k * a.seconds / max(a.tftp_count, 1), "tftp", k))
    for k in range(a.http_count):
        jobs.append((k * a.seconds / max(a.http_count, 1), "http", k))
    jobs.sort()
    lock = threading.Lock()
    nxt = [0]
    stats = {"tftp_ok": 0, "tftp_fail": 0, "http_ok": 0, "http_fail": 0, "bytes": 0, "errors": []}
    start = time.monotonic()

    def worker():
        while True:
            with lock:
                if nxt[0] >= len(jobs):
                    return
                due, kind, k = jobs[nxt[0]]
                nxt[0] += 1
            wait = start + due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                n = tftp_get(tftp_server, a.file) if kind == "tftp" else http_boot(hh, hp, k)
                with lock:
                    stats[kind + "_ok"] += 1
                    stats["bytes"] += n
            except Exception as e:  # noqa: BLE001 - counted and reported
                with lock:
                    stats[kind + "_fail"] += 1
                    if len(stats["errors"]) < 10:
                        stats["errors"].append(f"{kind} {k}: {e}")

    samples = [proc_sample(a.pid)]
    ws = [threading.Thread(target=worker, daemon=True) for _ in range(a.workers)]
    for w in ws:
        w.start()
    every = max(a.seconds / 40, 0.5)
    while any(w.is_alive() for w in ws):
        time.sleep(every)
        samples.append(proc_sample(a.pid))
    samples.append(proc_sample(a.pid))
    elapsed = time.monotonic() - start

    q = max(len(samples) // 4, 1)
    early = samples[q:2 * q] or samples[:1]
    late = samples[-q:]

    def med(ss, key):
        return statistics.median(s[key] for s in ss)

    verdict = {
        "threads": (med(early, "threads"), med(late, "threads")),
        "fds": (med(early, "fds"), med(late, "fds")),
        "rss": (med(early, "rss"), med(late, "rss")),
    }
    flat = (verdict["threads"][1] - verdict["threads"][0] <= 16
            and verdict["fds"][1] - verdict["fds"][0] <= 16
            and verdict["rss"][1] <= verdict["rss"][0] * 1.25)
    ok = stats["tftp_fail"] == 0 and stats["http_fail"] == 0 and flat
    print(f"soak: {elapsed:.0f} s, TFTP {stats['tftp_ok']} ok / {stats['tftp_fail']} failed, "
          f"HTTP boots {stats['http_ok']} ok / {stats['http_fail']} failed, "
          f"{stats['bytes'] / 2**20:.0f} MiB")
    print("| | second quarter (median) | last quarter (median) | max |")
    print("|---|---|---|---|")
    print(f"| RSS MiB | {verdict['rss'][0] / 2**20:.0f} | {verdict['rss'][1] / 2**20:.0f} | "
          f"{max(s['rss'] for s in samples) / 2**20:.0f} |")
    print(f"| threads | {verdict['threads'][0]:.0f} | {verdict['threads'][1]:.0f} | "
          f"{max(s['threads'] for s in samples)} |")
    print(f"| open fds | {verdict['fds'][0]:.0f} | {verdict['fds'][1]:.0f} | "
          f"{max(s['fds'] for s in samples)} |")
    print("flat" if flat else "NOT FLAT")
    if stats["errors"]:
        print("failures: " + "; ".join(stats["errors"]))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"stats": stats, "samples": samples, "flat": flat, "ok": ok,
                       "elapsed": elapsed}, f)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
