package dev.chainboot.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reads UDP/IPv4 datagrams from a tcpdump capture (classic pcap, Ethernet link type). */
public final class Pcap {

  private Pcap() {}

  public record Udp(InetAddress src, int srcPort, InetAddress dst, int dstPort, byte[] payload) {}

  public static List<Udp> udp(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    List<Udp> out = new ArrayList<>();
    if (all.length < 24) {
      return out;
    }
    ByteBuffer b = ByteBuffer.wrap(all);
    int magic = b.getInt(0);
    b.order(
        magic == 0xa1b2c3d4 || magic == 0xa1b23c4d
            ? ByteOrder.BIG_ENDIAN
            : ByteOrder.LITTLE_ENDIAN);
    int at = 24;
    while (at + 16 <= all.length) {
      int incl = b.getInt(at + 8);
      int frame = at + 16;
      at = frame + incl;
      if (at > all.length || incl < 14 + 20 + 8) {
        break;
      }
      if ((all[frame + 12] & 0xff) != 0x08 || all[frame + 13] != 0x00) {
        continue; // not IPv4
      }
      int ip = frame + 14;
      int ihl = (all[ip] & 0x0f) * 4;
      if (all[ip + 9] != 17) {
        continue; // not UDP
      }
      int udp = ip + ihl;
      int len = ((all[udp + 4] & 0xff) << 8 | (all[udp + 5] & 0xff)) - 8;
      int end = Math.min(udp + 8 + len, frame + incl);
      out.add(
          new Udp(
              InetAddress.getByAddress(Arrays.copyOfRange(all, ip + 12, ip + 16)),
              (all[udp] & 0xff) << 8 | (all[udp + 1] & 0xff),
              InetAddress.getByAddress(Arrays.copyOfRange(all, ip + 16, ip + 20)),
              (all[udp + 2] & 0xff) << 8 | (all[udp + 3] & 0xff),
              Arrays.copyOfRange(all, udp + 8, end)));
    }
    return out;
  }
}
