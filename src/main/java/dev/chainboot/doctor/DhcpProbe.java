package dev.chainboot.doctor;

import dev.chainboot.boot.MacAddress;
import dev.chainboot.dhcp.DhcpCodec;
import dev.chainboot.dhcp.DhcpMessage;
import dev.chainboot.dhcp.DhcpOptions;
import dev.chainboot.dhcp.MalformedPacketException;
import dev.chainboot.dhcp.ProxyDhcpAnswerer;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Asks a DHCP server for a boot file the way a client's firmware does. On the PXE port (4011) it
 * sends a REQUEST, which chainboot's proxyDHCP answers by unicast to the sender's port: no root
 * needed. On any other port (67) it sends a DISCOVER from port 68 and waits for the broadcast
 * OFFER: that needs root (or CAP_NET_BIND_SERVICE) for port 68.
 */
public final class DhcpProbe {

  /** What came of asking. */
  public sealed interface Outcome {}

  public record Answered(DhcpMessage reply) implements Outcome {}

  /** No (usable) answer, and why; {@code malformed}: something came back that does not parse. */
  public record NoAnswer(String why, boolean malformed) implements Outcome {}

  /** The question could not be asked (port 68 without privilege, no route). */
  public record CannotAsk(String why) implements Outcome {}

  private DhcpProbe() {}

  /** iPXE's feature sub-options of option 175: HTTP (0x13) and HTTPS (0x14). */
  static final int FEATURE_HTTP = 0x13;

  static final int FEATURE_HTTPS = 0x14;

  /**
   * The request {@code client}'s firmware (or, with {@code asIpxe}, the iPXE it loaded) sends.
   *
   * @param type DISCOVER or REQUEST
   * @param ipxeHttps as iPXE, say it can fetch https:// (a Debian build can)
   */
  public static DhcpMessage request(
      ClientType client,
      boolean asIpxe,
      boolean ipxeHttps,
      MacAddress mac,
      byte[] uuid,
      int type,
      Inet4Address ciaddr,
      int xid) {
    DhcpOptions.Builder o =
        DhcpOptions.builder()
            .putByte(DhcpOptions.MESSAGE_TYPE, type)
            .putU16(DhcpOptions.MAX_MESSAGE_SIZE, 1472)
            .put(
                DhcpOptions.PARAMETER_REQUEST_LIST,
                new byte[] {1, 3, 6, 12, 13, 15, 17, 43, 60, 66, 67, (byte) 93, (byte) 97})
            .putU16(DhcpOptions.CLIENT_ARCH, client.arch())
            .put(DhcpOptions.CLIENT_NDI, new byte[] {1, 3, 16})
            .put(DhcpOptions.CLIENT_UUID, concat(new byte[] {0}, uuid))
            .put(DhcpOptions.VENDOR_CLASS, client.vendorClass());
    if (asIpxe || client.ipxe()) {
      o.put(DhcpOptions.USER_CLASS, "iPXE");
      DhcpOptions.Builder features = DhcpOptions.builder().putByte(FEATURE_HTTP, 1);
      if (ipxeHttps) {
        features.putByte(FEATURE_HTTPS, 1);
      }
      o.put(DhcpOptions.IPXE_ENCAPSULATED, features.build());
    }
    byte[] chaddr = new byte[16];
    System.arraycopy(mac.bytes(), 0, chaddr, 0, 6);
    return new DhcpMessage(
        DhcpMessage.BOOTREQUEST,
        DhcpMessage.HTYPE_ETHERNET,
        6,
        0,
        xid,
        0,
        type == DhcpMessage.DISCOVER ? DhcpMessage.FLAG_BROADCAST : 0,
        ciaddr,
        DhcpMessage.ZERO,
        DhcpMessage.ZERO,
        DhcpMessage.ZERO,
        chaddr,
        "",
        "",
        o.build());
  }

  /** A random transaction id, as firmware picks one. */
  public static int xid() {
    return ThreadLocalRandom.current().nextInt();
  }

  /**
   * Sends the request for {@code client} to {@code server} and waits for its answer: a REQUEST on
   * port 4011, else a DISCOVER.
   *
   * @param tries attempts, each waiting {@code timeout}
   */
  public static Outcome ask(
      InetSocketAddress server,
      ClientType client,
      boolean asIpxe,
      boolean ipxeHttps,
      MacAddress mac,
      byte[] uuid,
      Duration timeout,
      int tries) {
    if (server.isUnresolved() || !(server.getAddress() instanceof Inet4Address)) {
      return new CannotAsk("not an IPv4 address: " + server);
    }
    boolean pxePort = server.getPort() == ProxyDhcpAnswerer.PXE_PORT;
    int xid = xid();
    try (DatagramSocket s = pxePort ? new DatagramSocket() : port68()) {
      Inet4Address ciaddr = DhcpMessage.ZERO;
      if (pxePort) {
        s.connect(server);
        if (s.getLocalAddress() instanceof Inet4Address a) {
          ciaddr = a;
        }
      }
      DhcpMessage req =
          request(
              client,
              asIpxe,
              ipxeHttps,
              mac,
              uuid,
              pxePort ? DhcpMessage.REQUEST : DhcpMessage.DISCOVER,
              ciaddr,
              xid);
      byte[] wire = DhcpCodec.encode(req);
      s.setSoTimeout((int) Math.max(1, timeout.toMillis()));
      String malformed = null;
      for (int t = 0; t < tries; t++) {
        s.send(new DatagramPacket(wire, wire.length, server));
        long end = System.nanoTime() + timeout.toNanos();
        byte[] buf = new byte[DhcpCodec.MAX_LENGTH];
        while (System.nanoTime() < end) {
          DatagramPacket p = new DatagramPacket(buf, buf.length);
          try {
            s.setSoTimeout((int) Math.max(1, (end - System.nanoTime()) / 1_000_000));
            s.receive(p);
          } catch (SocketTimeoutException e) {
            break;
          }
          DhcpMessage m;
          try {
            m = DhcpCodec.parse(p.getData(), p.getOffset(), p.getLength());
          } catch (MalformedPacketException | RuntimeException e) {
            malformed =
                "a malformed reply from "
                    + p.getAddress().getHostAddress()
                    + " ("
                    + e.getMessage()
                    + ")";
            continue;
          }
          if (m.op() != DhcpMessage.BOOTREPLY || m.xid() != xid) {
            continue;
          }
          if (!pxePort && !bootAnswer(m)) {
            continue; // the LAN's DHCP server offering an address, not a boot file
          }
          return new Answered(m);
        }
      }
      if (malformed != null) {
        return new NoAnswer(malformed, true);
      }
      return new NoAnswer(
          "no answer from "
              + server.getAddress().getHostAddress()
              + ":"
              + server.getPort()
              + " in "
              + tries
              + " x "
              + timeout.toMillis()
              + " ms",
          false);
    } catch (IOException e) {
      if (!pxePort) {
        return new CannotAsk(
            "cannot listen on UDP 68 for the broadcast answer to a DISCOVER ("
                + e.getMessage()
                + "): run as root, or ask chainboot's proxyDHCP on port 4011 (--dhcp ADDR:4011),"
                + " which answers by unicast");
      }
      return new CannotAsk("cannot send to " + server + ": " + e.getMessage());
    }
  }

  /** An answer with a boot file or a PXE/HTTP vendor class (a proxyDHCP or PXE-aware server). */
  private static boolean bootAnswer(DhcpMessage m) {
    String vendor = m.options().string(DhcpOptions.VENDOR_CLASS).orElse("");
    return vendor.startsWith("PXEClient")
        || vendor.startsWith("HTTPClient")
        || !m.file().isEmpty()
        || m.options().has(DhcpOptions.BOOTFILE_NAME);
  }

  private static DatagramSocket port68() throws IOException {
    DatagramSocket s = new DatagramSocket(null);
    try {
      s.setReuseAddress(true);
      s.setBroadcast(true);
      s.bind(new InetSocketAddress(ProxyDhcpAnswerer.CLIENT_PORT));
      return s;
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
