#!/usr/bin/env python3
"""A PXE client's boot-server request: DHCPREQUEST (PXEClient, arch from argv) from CLIENT_IP:68
to SERVER:4011, as UEFI firmware sends it after a proxy offer. Prints the reply's source port
and the reply as hex, or exits 1 after 5 s without one.
    pxe4011.py CLIENT_IP SERVER ARCH"""
import socket, struct, sys
client, server, arch = sys.argv[1], sys.argv[2], int(sys.argv[3])
mac = bytes.fromhex('525400401101')
hdr = struct.pack('!BBBBIHH4s4s4s4s16s64s128s', 1, 1, 6, 0, 0x4011cafe, 0, 0,
                  socket.inet_aton(client), b'\0' * 4, b'\0' * 4, b'\0' * 4, mac + b'\0' * 10, b'', b'')
vc = b'PXEClient:Arch:%05d:UNDI:003016' % arch
uuid = bytes([0]) + bytes(range(16))
opts = (b'\x63\x82\x53\x63' + b'\x35\x01\x03' + b'\x5d\x02' + struct.pack('!H', arch)
        + b'\x5e\x03\x01\x03\x00' + bytes([60, len(vc)]) + vc + bytes([97, 17]) + uuid
        + b'\x2b\x07\x47\x04\x80\x00\x00\x00\xff' + b'\xff')
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((client, 68))
s.settimeout(5)
s.sendto(hdr + opts, (server, 4011))
data, addr = s.recvfrom(4096)
print(addr[1])
print(data.hex())
