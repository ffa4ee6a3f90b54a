#!/usr/bin/env python3
"""Simulated machines for bench/storm: N machines booting over the network at once, each in its
own network namespace (made by bench/storm, one veth per machine on a bridge, its own MAC),
driven by --procs processes (default: one per core, at least 2; machine i in process i mod procs),
each an asyncio loop over its share: every socket is opened inside the machine's namespace
(setns), so what goes on the wire is what that machine's firmware would send, from its own MAC
and address. The coordinating process starts them all at one moment, samples the server from
/proc meanwhile, and prints one table; it also reports the simulator's own CPU time and how late
its event loops ran, so that a starved simulator is seen rather than measured as the server.

Each machine does what a PXE ROM and then iPXE do, with their timeouts and retries:
  dhcp      PXE ROM: DISCOVER (broadcast flag, PXEClient arch 0) resent after 4, 8, 16, 32 s until
            it holds an address OFFER and a proxyDHCP OFFER with a boot file; REQUEST the address
            (resent after 1, 2, 3, 4 s); a PXE boot-server REQUEST to port 4011 when the proxy
            offer names no file
  tftp      the boot file from next-server: blksize 1468 + tsize, or a share of clients with no
            options at all (512-byte blocks); RRQ and ACK resent after 1, 2, 4, 8 s
  ipxedhcp  iPXE: DISCOVER with user class iPXE, resent after 1, 2, 4, 8 s; waits up to 2 s
            after the first address OFFER for a proxyDHCP OFFER; REQUEST resent after 0.25 .. 8 s
  script    iPXE runs the boot file URL as a script (a small interpreter: chain, kernel, initrd,
            boot, goto, iseq, inc, set, sleep, echo, exit); HTTP answers with Retry-After are
            retried after that many seconds, as iPXE does; TCP connect gives up after 15 s
  kernel,   the script's kernel and initrd downloads (body discarded in the kernel with
  initrd    MSG_TRUNC; every 100th machine reads and checks the sha256 instead)
A machine that fails a stage is counted as failed there (a real one would fall through to its
next boot device). Time to kernel: from the machine's start to the end of its initrd download.

    storm_sim.py --label L --prefix NSPREFIX --n N --ramp all|RATE [--share512 F]
                 [--server-pids PIDS] [--deadline S] [--procs K] [--json FILE]
                 [--expect NAME=SHA256 ...]
Prints one summary table (markdown) for the run.
"""
import argparse, asyncio, collections, ctypes, hashlib, json, os, random, re, resource, socket, struct, sys
import shutil, signal, tempfile, time

CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)
ROOT_NS = os.open('/proc/self/ns/net', os.O_RDONLY)


def setns(fd):
    if libc.setns(fd, CLONE_NEWNET) != 0:
        e = ctypes.get_errno()
        raise OSError(e, 'setns: ' + os.strerror(e))


class InNs:
    """Runs a block inside a network namespace (this thread only), then back to the root one."""

    def __init__(self, fd):
        self.fd = fd

    def __enter__(self):
        setns(self.fd)

    def __exit__(self, *a):
        setns(ROOT_NS)


# ------------------------------------------------------------------ netlink (address, link up)

def _nl(msg_type, flags, payload):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    try:
        hdr = struct.pack('=LHHLL', 16 + len(payload), msg_type, flags | 0x1 | 0x4, 1, 0)  # REQUEST|ACK
        s.sendto(hdr + payload, (0, 0))
        data = s.recv(65536)
        typ, = struct.unpack_from('=H', data, 4)
        if typ == 2:  # NLMSG_ERROR
            err, = struct.unpack_from('=i', data, 16)
            if err not in (0, -17):  # ok, EEXIST
                raise OSError(-err, os.strerror(-err))
    finally:
        s.close()


def _rta(t, data):
    n = 4 + len(data)
    return struct.pack('=HH', n, t) + data + b'\0' * ((4 - n % 4) % 4)


def link_up(ifindex):
    # RTM_NEWLINK=16, ifinfomsg: family, pad, type, index, flags, change; IFF_UP=1
    _nl(16, 0, struct.pack('=BxHiII', 0, 0, ifindex, 1, 1))


def addr(ifindex, ip, prefix, add=True):
    # RTM_NEWADDR=20 / RTM_DELADDR=21; ifaddrmsg: family, prefixlen, flags, scope, index
    a = socket.inet_aton(ip)
    payload = struct.pack('=BBBBI', socket.AF_INET, prefix, 0, 0, ifindex) + _rta(2, a) + _rta(1, a)
    _nl(20 if add else 21, (0x400 | 0x100) if add else 0, payload)  # CREATE|REPLACE


# ------------------------------------------------------------------ DHCP

MAGIC = b'\x63\x82\x53\x63'
PXE_VCI = b'PXEClient:Arch:00000:UNDI:002001'
PRL = bytes([1, 2, 3, 5, 6, 11, 12, 13, 15, 17, 18, 22, 23, 28, 40, 41, 42, 43, 50, 51, 54, 58,
             59, 60, 66, 67, 97, 128, 129, 130, 131, 132, 133, 134, 135])
IPXE_PRL = bytes([1, 3, 6, 7, 12, 15, 17, 26, 43, 60, 66, 67, 119, 128, 129, 130, 131, 132, 133,
                  134, 135, 175, 203])


def opt(code, data):
    return bytes([code, len(data)]) + data


def dhcp_packet(xid, mac, msgtype, options, broadcast, ciaddr=b'\0' * 4, secs=0):
    hdr = struct.pack('!BBBBIHH4s4s4s4s16s64s128s', 1, 1, 6, 0, xid, secs,
                      0x8000 if broadcast else 0, ciaddr, b'\0' * 4, b'\0' * 4, b'\0' * 4,
                      mac + b'\0' * 10, b'', b'')
    return hdr + MAGIC + opt(53, bytes([msgtype])) + options + b'\xff'


def parse_dhcp(data):
    if len(data) < 240 or data[0] != 2 or data[236:240] != MAGIC:
        return None
    o = {}
    i = 240
    while i < len(data):
        c = data[i]
        if c == 255:
            break
        if c == 0:
            i += 1
            continue
        if i + 1 >= len(data):
            break
        n = data[i + 1]
        o[c] = o.get(c, b'') + data[i + 2:i + 2 + n]
        i += 2 + n
    file = data[108:236].split(b'\0', 1)[0].decode('latin-1')
    if 67 in o:
        file = o[67].split(b'\0', 1)[0].decode('latin-1')
    return {
        'xid': struct.unpack('!I', data[4:8])[0], 'chaddr': data[28:34],
        'yiaddr': socket.inet_ntoa(data[16:20]), 'siaddr': socket.inet_ntoa(data[20:24]),
        'type': o.get(53, b'\0')[0], 'server': socket.inet_ntoa(o[54]) if 54 in o else None,
        'file': file, 'opts': o,
    }


def bpf(ins):
    """Assembles classic BPF: jump targets may be 'drop' or 'ok' (the last two instructions)."""
    ins = ins + [(0x06, 0, 0, 0x40000), (0x06, 0, 0, 0)]
    ok, drop = len(ins) - 2, len(ins) - 1
    out = []
    for i, (code, jt, jf, k) in enumerate(ins):
        jt = {'ok': ok, 'drop': drop}.get(jt, jt)
        jf = {'ok': ok, 'drop': drop}.get(jf, jf)
        out.append(struct.pack('=HBBI', code, jt - i - 1 if isinstance(jt, int) and jt > i else 0,
                               jf - i - 1 if isinstance(jf, int) and jf > i else 0, k))
    buf = ctypes.create_string_buffer(b''.join(out))
    return buf, struct.pack('HL', len(ins), ctypes.addressof(buf))


def dhcp_filter(mac):
    """For a packet socket on the machine's NIC: IPv4 (no options), UDP to port 68, and a DHCP
    chaddr that is this machine's MAC: a NIC's firmware discards everyone else's replies, and on a
    flat LAN every machine sees every broadcast. Offsets count from the Ethernet header."""
    w, h = struct.unpack('!IH', mac)
    return bpf([
        (0x28, 0, 0, 12), (0x15, 2, 'drop', 0x0800),     # ldh [12]; jeq IPv4
        (0x30, 0, 0, 14), (0x15, 4, 'drop', 0x45),       # ldb [14]; jeq 0x45 (IHL 5)
        (0x30, 0, 0, 23), (0x15, 6, 'drop', 17),         # ldb [23]; jeq UDP
        (0x28, 0, 0, 36), (0x15, 8, 'drop', 68),         # ldh [36]; jeq port 68
        (0x20, 0, 0, 70), (0x15, 10, 'drop', w),         # ld [70]; jeq chaddr[0:4]
        (0x28, 0, 0, 74), (0x15, 'ok', 'drop', h),       # ldh [74]; jeq chaddr[4:6]
    ])


def ip_checksum(b):
    s = sum(struct.unpack('!10H', b))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


def frame(mac, payload, src='0.0.0.0', dst='255.255.255.255', dst_mac=b'\xff' * 6):
    """An Ethernet frame with IPv4 and UDP 68 -> 67, as firmware builds it before it has an
    address (UDP checksum 0: none, allowed for IPv4)."""
    udp = struct.pack('!HHHH', 68, 67, 8 + len(payload), 0) + payload
    iph = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), random.getrandbits(16), 0, 64, 17,
                      0, socket.inet_aton(src), socket.inet_aton(dst))
    iph = iph[:10] + struct.pack('!H', ip_checksum(iph)) + iph[12:]
    return dst_mac + mac + b'\x08\x00' + iph + udp


class Inbox:
    """Datagrams of one non-blocking socket, read as they come (loop.add_reader) into a deque;
    one waiting future at a time (no Queue, no wait_for task per packet: a lock-step TFTP
    transfer waits for every block, and the simulator must stay cheaper than the server)."""

    def __init__(self, loop, sock):
        self.loop = loop
        self.sock = sock
        self.q = collections.deque()
        self.waiter = None
        loop.add_reader(sock.fileno(), self._ready)

    def _ready(self):
        while True:
            try:
                data, frm = self.sock.recvfrom(65536)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                break
            self.q.append((data, frm))
        w = self.waiter
        if self.q and w is not None and not w.done():
            w.set_result(True)

    def close(self):
        self.loop.remove_reader(self.sock.fileno())
        self.sock.close()


def _wake(f):
    if not f.done():
        f.set_result(False)


async def recv_until(inbox, deadline):
    """The next datagram, or None at the (loop-time) deadline."""
    if inbox.q:
        return inbox.q.popleft()
    loop = inbox.loop
    if deadline - loop.time() <= 0:
        return None
    f = loop.create_future()
    inbox.waiter = f
    timer = loop.call_at(deadline, _wake, f)
    try:
        await f
    finally:
        timer.cancel()
        inbox.waiter = None
    return inbox.q.popleft() if inbox.q else None


# ------------------------------------------------------------------ results

class Stage:
    def __init__(self):
        self.t = None
        self.retries = 0
        self.failed = None


class Machine:
    def __init__(self, i, ns, mac, small_blocks):
        self.i = i
        self.ns = ns
        self.mac = mac
        self.small_blocks = small_blocks
        self.stages = {k: Stage() for k in STAGES}
        self.e2e = None
        self.failed = None
        self.ip = None
        self.bytes = {'tftp': 0, 'http': 0}
        self.vars = {}
        self.uuid = bytes(random.getrandbits(8) for _ in range(16))
        self.verify = (i % 100 == 99)
        self.verified = []


STAGES = ['dhcp', 'tftp', 'ipxedhcp', 'script', 'kernel', 'initrd']


class Fail(Exception):
    def __init__(self, stage, why):
        super().__init__(why)
        self.stage = stage


# ------------------------------------------------------------------ the machine

class Sim:
    def __init__(self, a):
        self.a = a
        self.machines = []
        self.loop = None
        self.scratch = bytearray(1 << 20)
        self.expect = dict(e.split('=', 1) for e in a.expect)
        self.http_statuses = {}

    def dhcp_socket(self, m):
        """A packet socket on the machine's NIC, as DHCP clients (and firmware) use."""
        with InNs(m.ns):
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            m._bpf, prog = dhcp_filter(m.mac)
            s.setsockopt(socket.SOL_SOCKET, 26, prog)  # SO_ATTACH_FILTER
            s.bind(('eth0', 0x0800))
            s.setblocking(False)
        return Inbox(self.loop, s)

    def common_opts(self, m, ipxe):
        o = opt(57, struct.pack('!H', 1472)) + opt(93, b'\0\0') + opt(94, b'\x01\x02\x01')
        o += opt(97, b'\0' + m.uuid) + opt(60, PXE_VCI)
        if ipxe:
            o += opt(77, b'iPXE') + opt(175, b'\xb1\x05\x01\x80\x86\x10\x0e\x15\x01\x01')
            o += opt(55, IPXE_PRL)
        else:
            o += opt(55, PRL)
        return o

    async def dhcp(self, m, stage, ipxe):
        """DISCOVER/OFFER/REQUEST/ACK as a PXE ROM (ipxe=False) or as iPXE; returns the proxy
        (or boot-server) answer that names the boot file, after configuring the address."""
        st = m.stages[stage]
        loop = self.loop
        inbox = self.dhcp_socket(m)
        s = inbox.sock
        try:
            xid = random.getrandbits(32)
            common = self.common_opts(m, ipxe)
            disc = dhcp_packet(xid, m.mac, 1, common, broadcast=not ipxe)
            schedule = [1, 2, 4, 8] if ipxe else [4, 8, 16, 32]
            address = proxy = None
            for attempt, timeout in enumerate(schedule):
                if attempt:
                    st.retries += 1
                s.send(frame(m.mac, disc))
                end = loop.time() + timeout
                proxy_end = None
                while True:
                    limit = end if proxy_end is None else min(end, proxy_end)
                    got = await recv_until(inbox, limit)
                    if got is None:
                        break
                    p = parse_dhcp(got[0][42:])
                    if not p or p['xid'] != xid or p['chaddr'] != m.mac or p['type'] != 2:
                        continue
                    if p['yiaddr'] != '0.0.0.0':
                        if address is None:
                            address = p
                            if ipxe:
                                proxy_end = loop.time() + 2  # DHCP_DISC_PROXY_TIMEOUT_SEC
                    elif 60 in p['opts'] and p['opts'][60].startswith(b'PXEClient'):
                        proxy = proxy or p
                    if address and proxy:
                        break
                if address and proxy:
                    break
                if ipxe and address and proxy_end is not None and loop.time() >= proxy_end:
                    break  # iPXE goes on with the address alone
            if address is None:
                raise Fail(stage, 'no address offer')
            if proxy is None:
                raise Fail(stage, 'no proxyDHCP offer (no boot file)')
            # REQUEST the address from the server that offered it
            req_opts = opt(50, socket.inet_aton(address['yiaddr'])) + \
                opt(54, socket.inet_aton(address['server'])) + common
            req = dhcp_packet(xid, m.mac, 3, req_opts, broadcast=not ipxe)
            schedule = [0.25, 0.5, 1, 2, 4, 8] if ipxe else [1, 2, 3, 4]
            ack = None
            for attempt, timeout in enumerate(schedule):
                if attempt:
                    st.retries += 1
                s.send(frame(m.mac, req))
                end = loop.time() + timeout
                while ack is None:
                    got = await recv_until(inbox, end)
                    if got is None:
                        break
                    p = parse_dhcp(got[0][42:])
                    if p and p['xid'] == xid and p['chaddr'] == m.mac and p['type'] == 5 \
                            and p['yiaddr'] == address['yiaddr']:
                        ack = p
                if ack:
                    break
            if ack is None:
                raise Fail(stage, 'no ACK for the address')
            if m.ip != ack['yiaddr']:
                with InNs(m.ns):
                    if m.ip:
                        addr(m.ifindex, m.ip, 16, add=False)
                    addr(m.ifindex, ack['yiaddr'], 16)
                m.ip = ack['yiaddr']
            boot = proxy
            if not proxy['file']:
                boot = await self.boot_server(m, st, proxy, xid, common)
            return boot
        finally:
            inbox.close()

    async def boot_server(self, m, st, proxy, xid, common):
        """PXE boot-server discovery on port 4011: the proxy offer listed boot servers."""
        loop = self.loop
        vendor = proxy['opts'].get(43, b'')
        item = b'\x80\x00\x00\x00'
        i = 0
        while i + 1 < len(vendor):  # PXE_BOOT_MENU (9): type(2) len(1) desc
            c, n = vendor[i], vendor[i + 1]
            if c == 9 and n >= 2:
                item = vendor[i + 2:i + 4] + b'\0\0'
                break
            if c == 255:
                break
            i += 2 + n
        with InNs(m.ns):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((m.ip, 68))
            s.setblocking(False)
        inbox = Inbox(loop, s)
        try:
            server = proxy['server'] or proxy['siaddr']
            req = dhcp_packet(xid, m.mac, 3, opt(43, opt(71, item) + b'\xff') + common,
                              broadcast=False, ciaddr=socket.inet_aton(m.ip))
            for attempt, timeout in enumerate([1, 2, 3, 4]):
                if attempt:
                    st.retries += 1
                s.sendto(req, (server, 4011))
                end = loop.time() + timeout
                while True:
                    got = await recv_until(inbox, end)
                    if got is None:
                        break
                    p = parse_dhcp(got[0])
                    if p and p['xid'] == xid and p['type'] == 5 and p['file']:
                        return p
            raise Fail('dhcp', 'no boot-server ACK on port 4011')
        finally:
            inbox.close()

    async def tftp(self, m, server, name):
        st = m.stages['tftp']
        loop = self.loop
        with InNs(m.ns):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((m.ip, 0))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            s.setblocking(False)
        inbox = Inbox(loop, s)
        h = hashlib.sha256()
        try:
            if m.small_blocks:
                rrq = b'\0\1' + name.encode() + b'\0octet\0'
                blk = 512
            else:
                rrq = b'\0\1' + name.encode() + b'\0octet\0tsize\0' + b'0\0blksize\0' + b'1468\0'
                blk = None
            schedule = [1, 2, 4, 8]
            peer = None
            expected = 1
            last = (rrq, (server, 69))
            size = 0
            tries = 0
            while True:
                s.sendto(*last)
                end = loop.time() + schedule[tries]
                progressed = False
                while True:
                    got = await recv_until(inbox, end)
                    if got is None:
                        break
                    data, frm = got
                    if peer is None:
                        peer = frm
                    elif frm != peer:
                        continue
                    op = data[1] if len(data) >= 2 else 0
                    if op == 5:
                        msg = data[4:].split(b'\0', 1)[0].decode('latin-1', 'replace')
                        raise Fail('tftp', 'ERROR %d %s' % (struct.unpack('!H', data[2:4])[0], msg))
                    if op == 6 and expected == 1 and blk is None:
                        parts = data[2:].split(b'\0')
                        o = dict(zip(parts[0::2], parts[1::2]))
                        blk = int(o.get(b'blksize', b'512'))
                        last = (b'\0\4\0\0', peer)
                        progressed = True
                        break
                    if op == 3:
                        n, = struct.unpack('!H', data[2:4])
                        if n != expected & 0xffff:
                            continue  # duplicate or out of order: the timer resends our ACK
                        if blk is None:
                            blk = 512  # no OACK: the server ignored our options
                        payload = data[4:]
                        size += len(payload)
                        if m.verify:
                            h.update(payload)
                        last = (b'\0\4' + data[2:4], peer)
                        expected += 1
                        progressed = True
                        if len(payload) < blk:
                            s.sendto(*last)
                            m.bytes['tftp'] += size
                            if m.verify and name in self.expect:
                                m.verified.append(h.hexdigest() == self.expect[name])
                            return
                        break
                if progressed:
                    tries = 0
                    continue
                tries += 1
                st.retries += 1
                if tries >= len(schedule):
                    raise Fail('tftp', 'timeout at block %d' % expected)
        finally:
            inbox.close()

    # ---------------------------------------------------------------- HTTP as iPXE does it

    async def readable(self, s):
        f = self.loop.create_future()
        self.loop.add_reader(s.fileno(), lambda: f.done() or f.set_result(None))
        try:
            await f
        finally:
            self.loop.remove_reader(s.fileno())

    async def http_get(self, m, url, stage, keep=True, name=None):
        """GET as iPXE: 2xx -> body (or its length when discarded); Retry-After -> wait and ask
        again (counted as a retry); anything else -> None (the command fails)."""
        st = m.stages[stage]
        mm = re.match(r'http://([^/:]+)(?::(\d+))?(/.*)?$', url)
        if not mm:
            return None
        host, port, path = mm.group(1), int(mm.group(2) or 80), mm.group(3) or '/'
        while True:
            with InNs(m.ns):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setblocking(False)
            try:
                try:
                    await asyncio.wait_for(self.loop.sock_connect(s, (host, port)), 15)
                except (OSError, asyncio.TimeoutError):
                    st.retries += 1
                    return None
                req = ('GET %s HTTP/1.1\r\nConnection: keep-alive\r\nHost: %s\r\n'
                       'User-Agent: iPXE/1.21.1+ (g1234567)\r\n\r\n' % (path, mm.group(1) + (
                           ':' + mm.group(2) if mm.group(2) else ''))).encode()
                await self.loop.sock_sendall(s, req)
                head = b''
                while b'\r\n\r\n' not in head:
                    chunk = await asyncio.wait_for(self.loop.sock_recv(s, 65536), 120)
                    if not chunk:
                        st.retries += 1
                        return None
                    head += chunk
                hdr, body = head.split(b'\r\n\r\n', 1)
                lines = hdr.decode('latin-1').split('\r\n')
                status = int(lines[0].split()[1])
                h = {}
                for ln in lines[1:]:
                    k, _, v = ln.partition(':')
                    h[k.strip().lower()] = v.strip()
                self.http_statuses[status] = self.http_statuses.get(status, 0) + 1
                length = int(h.get('content-length', '-1'))
                if status >= 300 and 'retry-after' in h:
                    st.retries += 1
                    try:
                        wait = int(h['retry-after'])
                    except ValueError:
                        wait = 5
                    s.close()
                    await asyncio.sleep(wait)
                    continue
                if status < 200 or status >= 300:
                    return None
                if length < 0:
                    raise Fail(stage, 'no Content-Length from ' + url)
                if keep or m.verify:
                    while len(body) < length:
                        chunk = await asyncio.wait_for(self.loop.sock_recv(s, 1 << 20), 120)
                        if not chunk:
                            return None
                        body += chunk
                    m.bytes['http'] += length
                    if not keep:
                        if name in self.expect:
                            m.verified.append(hashlib.sha256(body).hexdigest() == self.expect[name])
                        return length
                    return body.decode('utf-8', 'replace')
                left = length - len(body)
                while left > 0:
                    try:
                        n = s.recv_into(self.scratch, min(left, len(self.scratch)), socket.MSG_TRUNC)
                    except BlockingIOError:
                        await asyncio.wait_for(self.readable(s), 120)
                        continue
                    if n == 0:
                        return None
                    left -= n
                m.bytes['http'] += length
                return length
            except (OSError, asyncio.TimeoutError):
                st.retries += 1
                return None
            finally:
                s.close()

    def expand(self, m, text):
        def var(mo):
            k = mo.group(1)
            name, _, fmt = k.partition(':')
            if name == 'mac':
                v = m.mac.hex(':') if fmt != 'hexhyp' else m.mac.hex('-')
            elif name == 'uuid':
                v = '%s-%s-%s-%s-%s' % tuple(m.uuid.hex()[a:b] for a, b in
                                              ((0, 8), (8, 12), (12, 16), (16, 20), (20, 32)))
            elif name == 'buildarch':
                v = 'i386'
            elif name == 'platform':
                v = 'pcbios'
            elif name in ('next-server', 'dhcp-server'):
                v = m.next_server
            elif name == 'net0/ip' or name == 'ip':
                v = m.ip
            else:
                v = m.vars.get(name, '')
            return v
        return re.sub(r'\$\{([^}]*)\}', var, text)

    async def script(self, m, url):
        """Fetches and runs an iPXE script; returns when `boot` succeeds; raises Fail."""
        depth = 0
        stage = 'script'
        while True:
            depth += 1
            if depth > 20:
                raise Fail('script', 'chain depth')
            text = await self.http_get(m, url, 'script')
            if text is None:
                raise Fail('script', 'cannot fetch ' + url)
            if not text.startswith('#!ipxe'):
                raise Fail('script', 'not an iPXE script: ' + url)
            lines = text.split('\n')
            labels = {ln[1:].strip(): i for i, ln in enumerate(lines) if ln.startswith(':')}
            loaded = set()
            pc = 0
            nxt = None
            steps = 0
            while pc < len(lines):
                steps += 1
                if steps > 10000:
                    raise Fail(stage, 'script loops')
                line = lines[pc].strip()
                pc += 1
                if not line or line.startswith('#') or line.startswith(':'):
                    continue
                parts = re.split(r'\s+(&&|\|\|)\s*', line)
                ok = None
                jump = None
                chained = None
                booted = False
                i = 0
                op = None
                while i < len(parts):
                    cmd = parts[i]
                    if op is None or (op == '&&' and ok) or (op == '||' and not ok):
                        if not cmd.strip():
                            ok = True
                        else:
                            r = await self.command(m, cmd, labels, loaded)
                            ok, j, c, b = r
                            jump = j if j is not None else jump
                            chained = c or chained
                            booted = booted or b
                            if j is not None or c or b:
                                break
                    if i + 1 < len(parts):
                        op = parts[i + 1]
                    i += 2
                if booted:
                    return
                if chained:
                    url = chained
                    break
                if jump is not None:
                    pc = jump
                if ok is False and op is None and not line.endswith('||'):
                    raise Fail(stage, 'command failed: ' + line[:80])
            else:
                raise Fail(stage, 'script ended without booting')

    async def command(self, m, cmd, labels, loaded):
        """One iPXE command: (ok, jump, chain-url, booted)."""
        words = self.expand(m, cmd).split()
        c, args = words[0], words[1:]
        if c == 'echo' or c == 'prompt':
            return True, None, None, False
        if c == 'set':
            m.vars[args[0]] = ' '.join(args[1:])
            return True, None, None, False
        if c == 'inc':
            m.vars[args[0]] = str(int(m.vars.get(args[0], '0') or 0) + (int(args[1]) if len(args) > 1 else 1))
            return True, None, None, False
        if c == 'iseq':
            return (len(args) >= 2 and args[0] == args[1]), None, None, False
        if c == 'isset':
            return bool(args and args[0]), None, None, False
        if c == 'goto':
            if args[0] not in labels:
                raise Fail('script', 'no label ' + args[0])
            return True, labels[args[0]] + 1, None, False
        if c == 'sleep':
            await asyncio.sleep(int(args[0]))
            return True, None, None, False
        if c in ('exit', 'shell', 'reboot', 'poweroff'):
            raise Fail('script', 'script ran ' + c)
        urls = [a for a in args if a.startswith('http://')]
        if c == 'chain':
            return True, None, urls[0], False
        if c in ('kernel', 'initrd', 'imgfetch', 'module'):
            which = 'kernel' if c == 'kernel' else 'initrd'
            st = m.stages[which]
            t0 = self.loop.time()
            n = await self.http_get(m, urls[0], which, keep=False, name=urls[0].rsplit('/', 1)[-1])
            if n is None:
                return False, None, None, False
            st.t = self.loop.time() - t0
            loaded.add(which)
            return True, None, None, False
        if c == 'boot':
            if 'kernel' not in loaded:
                return False, None, None, False
            return True, None, None, True
        raise Fail('script', 'unknown command ' + c)

    async def boot(self, m, delay):
        await asyncio.sleep(delay)
        t0 = self.loop.time()
        stage = 'dhcp'
        try:
            t = self.loop.time()
            proxy = await self.dhcp(m, 'dhcp', ipxe=False)
            m.stages['dhcp'].t = self.loop.time() - t
            stage = 'tftp'
            m.next_server = proxy['siaddr'] if proxy['siaddr'] != '0.0.0.0' else proxy['server']
            if 66 in proxy['opts']:
                m.next_server = proxy['opts'][66].decode()
            t = self.loop.time()
            await self.tftp(m, m.next_server, proxy['file'])
            m.stages['tftp'].t = self.loop.time() - t
            stage = 'ipxedhcp'
            t = self.loop.time()
            boot = await self.dhcp(m, 'ipxedhcp', ipxe=True)
            m.stages['ipxedhcp'].t = self.loop.time() - t
            stage = 'script'
            url = boot['file']
            if not url.startswith('http://'):
                raise Fail('ipxedhcp', 'iPXE got no HTTP boot file: ' + repr(url))
            t = self.loop.time()
            await self.script(m, url)
            m.stages['script'].t = self.loop.time() - t - (m.stages['kernel'].t or 0) - (
                m.stages['initrd'].t or 0)
            m.e2e = self.loop.time() - t0
        except Fail as f:
            m.failed = (f.stage, str(f))
            m.stages[f.stage].failed = str(f)
        except Exception as e:  # a bug here must not look like a server failure silently
            m.failed = (stage, 'simulator error: %r' % e)
            m.stages[stage].failed = m.failed[1]

    # ---------------------------------------------------------------- one worker's run

    async def lag_watch(self, stop):
        """How late this process's event loop runs a 50 ms timer: when the simulator itself is
        starved (or busy), every firmware timer and every packet it handles is late by as much,
        and the figures measure the simulator rather than the server."""
        loop = self.loop
        while not stop.is_set():
            t = loop.time()
            await asyncio.sleep(0.05)
            self.lags.append(loop.time() - t - 0.05)

    async def run(self, indices, t_start):
        """Boots the machines `indices` (of all N) from the shared start time t_start (epoch
        seconds): machine i starts at t_start + i / ramp, whichever process runs it."""
        a = self.a
        self.loop = asyncio.get_running_loop()
        self.lags = []
        stop = asyncio.Event()
        watch = asyncio.ensure_future(self.lag_watch(stop))
        offset = time.time() - t_start  # how late this loop started
        delays = [0.0 if a.ramp == 'all' else m.i / float(a.ramp) for m in self.machines]
        tasks = [asyncio.ensure_future(self.boot(m, max(0.0, d - offset)))
                 for m, d in zip(self.machines, delays)]
        done, pending = await asyncio.wait(tasks, timeout=max(1.0, a.deadline - offset))
        for t in pending:
            t.cancel()
        stop.set()
        await watch
        for m, d in zip(self.machines, delays):
            if m.e2e is None and m.failed is None:
                m.failed = ('deadline', 'not done after %d s' % a.deadline)
            m.end = (d + m.e2e) if m.e2e is not None else None
            if m.ip:
                try:
                    with InNs(m.ns):
                        addr(m.ifindex, m.ip, 16, add=False)
                except OSError:
                    pass
            os.close(m.ns)

    def results(self):
        return {
            'machines': [{'i': m.i, 'e2e': m.e2e, 'end': m.end, 'failed': m.failed,
                          'stages': {k: [s.t, s.retries, s.failed] for k, s in m.stages.items()},
                          'bytes': m.bytes, 'verified': m.verified} for m in self.machines],
            'http_statuses': self.http_statuses, 'lags': self.lags,
        }


# ------------------------------------------------------------------ the coordinator

def open_machines(a, indices):
    rnd = random.Random(a.seed)
    small = [rnd.random() < a.share512 for _ in range(a.n)]  # the same machines whatever --procs
    out = []
    for i in indices:
        ns = os.open('/run/netns/%s%d' % (a.prefix, i), os.O_RDONLY)
        with InNs(ns):
            idx = socket.if_nametoindex('eth0')
        m = Machine(i, ns, bytes.fromhex('02cb' + '%08x' % (a.macbase + i)), small[i])
        m.ifindex = idx
        m.next_server = None
        out.append(m)
    return out


def worker(a, w, indices, ready_w, go_r, out):
    """One simulator process (forked): its share of the machines on an event loop of its own."""
    code = 1
    try:
        libc.prctl(1, 9)  # PR_SET_PDEATHSIG SIGKILL: never outlive the coordinator
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        random.seed(os.urandom(16))  # forked children must not share xids and UUIDs
        sim = Sim(a)
        sim.machines = open_machines(a, indices)
        os.write(ready_w, b'r')
        t_start, = struct.unpack('d', os.read(go_r, 8))
        time.sleep(max(0.0, t_start - time.time()))
        asyncio.run(sim.run(indices, t_start))
        with open(out, 'w') as f:
            json.dump(sim.results(), f)
        code = 0
    except BaseException:
        import traceback
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


class Server:
    """The boot server's processes (and what they fork), sampled from /proc by the coordinator."""

    def __init__(self, pids):
        self.pids = pids
        self.peak = {'rss_kib': 0, 'rss_anon_kib': 0, 'fds': 0, 'threads': 0}

    @staticmethod
    def tree(p):
        out = [p]
        try:
            for t in os.listdir('/proc/%d/task' % p):
                with open('/proc/%d/task/%s/children' % (p, t)) as f:
                    for c in f.read().split():
                        out += Server.tree(int(c))
        except OSError:
            pass
        return out

    def sample(self):
        rss = anon = fds = thr = 0
        for root in self.pids:
            for p in self.tree(root):
                try:
                    with open('/proc/%d/status' % p) as f:
                        st = f.read()
                    rss += int(re.search(r'VmRSS:\s+(\d+)', st).group(1))
                    anon += int(re.search(r'RssAnon:\s+(\d+)', st).group(1)) + \
                        int(re.search(r'RssShmem:\s+(\d+)', st).group(1))
                    thr += int(re.search(r'Threads:\s+(\d+)', st).group(1))
                    fds += len(os.listdir('/proc/%d/fd' % p))
                except (OSError, AttributeError):
                    pass
        self.peak['rss_kib'] = max(self.peak['rss_kib'], rss)
        self.peak['rss_anon_kib'] = max(self.peak['rss_anon_kib'], anon)
        self.peak['fds'] = max(self.peak['fds'], fds)
        self.peak['threads'] = max(self.peak['threads'], thr)

    def cpu(self):
        total = 0
        for root in self.pids:
            todo = [root]
            seen = set()
            while todo:
                p = todo.pop()
                if p in seen:
                    continue
                seen.add(p)
                try:
                    with open('/proc/%d/stat' % p) as f:
                        fields = f.read().rsplit(')', 1)[1].split()
                    total += sum(int(x) for x in fields[11:15]) if p == root else \
                        int(fields[11]) + int(fields[12])
                    for t in os.listdir('/proc/%d/task' % p):
                        with open('/proc/%d/task/%s/children' % (p, t)) as f:
                            todo += [int(c) for c in f.read().split()]
                except OSError:
                    pass
        return total / os.sysconf('SC_CLK_TCK')

    def net(self):
        try:
            with open('/proc/%d/net/dev' % self.pids[0]) as f:
                for ln in f:
                    if ln.strip().startswith('eth0:'):
                        v = ln.split(':', 1)[1].split()
                        return int(v[0]), int(v[8])
        except (OSError, IndexError):
            pass
        return 0, 0


def run(a):
    """Forks --procs simulator processes (machine i goes to process i mod procs, so a ramp is
    spread over all of them), starts them at one moment, samples the server meanwhile and
    reports the merged results: the same simulator, whatever the stack."""
    k = max(1, min(a.procs or max(2, os.cpu_count() or 1), a.n))
    signal.signal(signal.SIGTERM, lambda *x: sys.exit(143))  # so that `finally` ends the workers
    tmp = tempfile.mkdtemp(prefix='storm-sim.')
    server = Server([int(p) for p in a.server_pids.split(',') if p])
    ready_r, ready_w = os.pipe()
    children = {}
    try:
        gos = []
        for w in range(k):
            go_r, go_w = os.pipe()
            out = '%s/w%d.json' % (tmp, w)
            sys.stdout.flush()
            pid = os.fork()
            if pid == 0:
                os.close(ready_r)
                os.close(go_w)
                worker(a, w, list(range(w, a.n, k)), ready_w, go_r, out)
            os.close(go_r)
            gos.append(go_w)
            children[pid] = out
        os.close(ready_w)
        got = 0
        while got < k:
            b = os.read(ready_r, k)
            if not b:
                raise SystemExit('storm_sim: a simulator process died while opening its machines')
            got += len(b)
        cpu0, net0 = server.cpu(), server.net()
        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t_start = time.time() + 0.2
        for g in gos:
            os.write(g, struct.pack('d', t_start))
            os.close(g)
        alive = set(children)
        codes = {}
        while alive:
            server.sample()
            time.sleep(0.5)
            for pid in list(alive):
                p, status = os.waitpid(pid, os.WNOHANG)
                if p:
                    alive.discard(pid)
                    codes[pid] = os.waitstatus_to_exitcode(status)
        wall = time.time() - t_start
        cpu, net1 = server.cpu() - cpu0, server.net()
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        sim_cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
        parts = []
        for pid, out in children.items():
            if codes.get(pid) != 0 or not os.path.exists(out):
                raise SystemExit('storm_sim: simulator process %d failed (exit %s)'
                                 % (pid, codes.get(pid)))
            with open(out) as f:
                parts.append(json.load(f))
        return report(a, parts, wall, cpu, (net1[0] - net0[0], net1[1] - net0[1]), server.peak,
                      {'procs': k, 'cpu_s': sim_cpu})
    finally:
        for pid in children:
            try:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
            except OSError:
                pass
        shutil.rmtree(tmp, ignore_errors=True)


def report(a, parts, wall, cpu, net, peak, sim):
    ms = sorted((m for p in parts for m in p['machines']), key=lambda m: m['i'])
    statuses = {}
    for p in parts:
        for k, v in p['http_statuses'].items():
            statuses[int(k)] = statuses.get(int(k), 0) + v
    lags = sorted(x for p in parts for x in p['lags'])
    ok = [m for m in ms if m['e2e'] is not None]

    def pct(vals, q):
        if not vals:
            return None
        vals = sorted(vals)
        return vals[min(len(vals) - 1, int(q * len(vals)))]

    def fmt(v):
        return '-' if v is None else ('%.2f' % v)

    rows = []
    for st in STAGES:
        vals = [m['stages'][st][0] for m in ms if m['stages'][st][0] is not None]
        rows.append((st, len(vals), pct(vals, .5), pct(vals, .95), pct(vals, .99),
                     max(vals) if vals else None,
                     sum(1 for m in ms if m['stages'][st][2]),
                     sum(m['stages'][st][1] for m in ms)))
    e2e = [m['e2e'] for m in ok]
    rows.append(('time to kernel', len(e2e), pct(e2e, .5), pct(e2e, .95), pct(e2e, .99),
                 max(e2e) if e2e else None, len(ms) - len(ok),
                 sum(s[1] for m in ms for s in m['stages'].values())))
    reasons = {}
    for m in ms:
        if m['failed']:
            k = '%s: %s' % (m['failed'][0], re.sub(r'\d+', 'N', m['failed'][1])[:90])
            reasons[k] = reasons.get(k, 0) + 1
    verified = [v for m in ms for v in m['verified']]
    total = max(m['end'] for m in ok) if ok else wall
    sim['lag_p99_s'] = pct(lags, .99) or 0.0
    sim['lag_max_s'] = lags[-1] if lags else 0.0
    sim['cpu_share'] = sim['cpu_s'] / (wall * min(sim['procs'], os.cpu_count() or 1))
    res = {
        'label': a.label, 'n': len(ms), 'ok': len(ok), 'wall_s': wall, 'total_s': total,
        'cpu_s': cpu, 'peak': peak, 'net_rx_tx': net, 'simulator': sim,
        'tftp_bytes': sum(m['bytes']['tftp'] for m in ms),
        'http_bytes': sum(m['bytes']['http'] for m in ms),
        'http_statuses': statuses,
        'verified': [sum(verified), len(verified)], 'failures': reasons,
        'stages': [dict(zip(['stage', 'n', 'p50', 'p95', 'p99', 'max', 'failed', 'retries'], r))
                   for r in rows],
    }
    out = ['### %s: %d/%d machines reached their kernel and initrd (ramp %s, %d%% at blksize'
           ' 512 without options)' % (a.label, len(ok), len(ms), a.ramp, round(100 * a.share512)),
           '', '| stage | done | p50 s | p95 s | p99 s | max s | failed | retries |',
           '|---|---|---|---|---|---|---|---|']
    for r in rows:
        out.append('| %s | %d | %s | %s | %s | %s | %d | %d |' % (
            r[0], r[1], fmt(r[2]), fmt(r[3]), fmt(r[4]), fmt(r[5]), r[6], r[7]))
    out.append('')
    out.append('total time (first start to last kernel) %.1f s; server CPU %.1f s; peak RSS '
               '%.0f MiB (%.0f MiB with the pages of memory-mapped files, counted once per '
               'mapping); peak open fds %d; peak threads %d; bytes moved: TFTP %.1f MiB, HTTP '
               '%.1f GiB (server eth0 sent %.2f GiB, received %.1f MiB); HTTP answers %s; '
               'sampled sha256 checks %d/%d' % (
                   total, cpu, peak['rss_anon_kib'] / 1024.0, peak['rss_kib'] / 1024.0,
                   peak['fds'], peak['threads'], res['tftp_bytes'] / 2 ** 20,
                   res['http_bytes'] / 2 ** 30, net[1] / 2 ** 30, net[0] / 2 ** 20,
                   dict(sorted(statuses.items())), sum(verified), len(verified)))
    out.append('')
    late = ''
    if sim['lag_p99_s'] >= 0.5:
        late = (' - THE SIMULATOR RAN LATE: its timers and packets were late by that much, and the '
                'figures above include its delay' + (
                    ' (it was not busy: it waited for CPU time on a loaded machine)'
                    if sim['cpu_share'] < 0.5 else ' (it was busy: use more --procs)'))
    out.append('simulator: %d processes, %.1f CPU s in %.0f s (%.0f%% of %d cores); its event '
               'loops ran a 50 ms timer late by p99 %.3f s, max %.3f s%s' % (
                   sim['procs'], sim['cpu_s'], wall, 100 * sim['cpu_share'],
                   min(sim['procs'], os.cpu_count() or 1), sim['lag_p99_s'], sim['lag_max_s'],
                   late))
    if reasons:
        out.append('')
        out.append('failures: ' + '; '.join('%d x %s' % (n, k) for k, n in
                                              sorted(reasons.items(), key=lambda x: -x[1])))
    print('\n'.join(out), flush=True)
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(res, f, indent=1)
    return res


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--label', required=True)
    p.add_argument('--prefix', required=True)
    p.add_argument('--n', type=int, default=1000)
    p.add_argument('--macbase', type=lambda x: int(x, 0), default=0)
    p.add_argument('--ramp', default='all')
    p.add_argument('--share512', type=float, default=0.2)
    p.add_argument('--server-pids', default='')
    p.add_argument('--deadline', type=float, default=600)
    p.add_argument('--seed', type=int, default=12)
    p.add_argument('--procs', type=int, default=0,
                   help='simulator processes (default: the number of cores, at least 2)')
    p.add_argument('--json')
    p.add_argument('--expect', nargs='*', default=[])
    p.add_argument('--setup', action='store_true',
                   help='only bring the machines\' NICs up (IPv6 off: no chatter) and exit')
    a = p.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if a.setup:
        for i in range(a.n):
            ns = os.open('/run/netns/%s%d' % (a.prefix, i), os.O_RDONLY)
            with InNs(ns):
                for k in ('all', 'default', 'eth0'):
                    with open('/proc/sys/net/ipv6/conf/%s/disable_ipv6' % k, 'w') as f:
                        f.write('1')
                link_up(socket.if_nametoindex('eth0'))
            os.close(ns)
        return
    res = run(a)
    sys.exit(0 if res['ok'] == res['n'] else 1)


if __name__ == '__main__':
    main()
