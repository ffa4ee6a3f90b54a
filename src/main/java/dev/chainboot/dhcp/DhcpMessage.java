package dev.chainboot.dhcp;

import dev.chainboot.boot.MacAddress;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;

/**
 * One DHCP/BOOTP message (RFC 2131): the fixed header and its options. {@code sname} and {@code
 * file} are the header's text fields; when option overload (52) put options there, those options
 * are in {@link #options()} and the text fields are empty.
 */
public record DhcpMessage(
    int op,
    int htype,
    int hlen,
    int hops,
    int xid,
    int secs,
    int flags,
    Inet4Address ciaddr,
    Inet4Address yiaddr,
    Inet4Address siaddr,
    Inet4Address giaddr,
    byte[] chaddr,
    String sname,
    String file,
    DhcpOptions options) {

  public static final int BOOTREQUEST = 1;
  public static final int BOOTREPLY = 2;
  public static final int HTYPE_ETHERNET = 1;
  public static final int FLAG_BROADCAST = 0x8000;

  public static final int DISCOVER = 1;
  public static final int OFFER = 2;
  public static final int REQUEST = 3;
  public static final int DECLINE = 4;
  public static final int ACK = 5;
  public static final int NAK = 6;
  public static final int RELEASE = 7;
  public static final int INFORM = 8;

  public static final Inet4Address ZERO = ipv4(new byte[4]);

  public DhcpMessage {
    if (chaddr.length != 16) {
      throw new IllegalArgumentException("chaddr must be 16 bytes");
    }
    if (hlen < 0 || hlen > 16) {
      throw new IllegalArgumentException("hlen out of range: " + hlen);
    }
    if (sname.length() > 64 || file.length() > 128) {
      throw new IllegalArgumentException("sname or file too long");
    }
    chaddr = chaddr.clone();
  }

  @Override
  public byte[] chaddr() {
    return chaddr.clone();
  }

  /** The DHCP message type (option 53), if present. */
  public Optional<Integer> messageType() {
    return options.u8(DhcpOptions.MESSAGE_TYPE);
  }

  /** The client's hardware address, when it is an Ethernet MAC. */
  public Optional<MacAddress> mac() {
    if (htype != HTYPE_ETHERNET || hlen != 6) {
      return Optional.empty();
    }
    return Optional.of(MacAddress.of(chaddr));
  }

  public boolean broadcastFlag() {
    return (flags & FLAG_BROADCAST) != 0;
  }

  static Inet4Address ipv4(byte[] four) {
    try {
      return (Inet4Address) InetAddress.getByAddress(four);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DhcpMessage m
        && op == m.op
        && htype == m.htype
        && hlen == m.hlen
        && hops == m.hops
        && xid == m.xid
        && secs == m.secs
        && flags == m.flags
        && ciaddr.equals(m.ciaddr)
        && yiaddr.equals(m.yiaddr)
        && siaddr.equals(m.siaddr)
        && giaddr.equals(m.giaddr)
        && Arrays.equals(chaddr, m.chaddr)
        && sname.equals(m.sname)
        && file.equals(m.file)
        && options.equals(m.options);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * xid + Arrays.hashCode(chaddr)) + options.hashCode();
  }

  @Override
  public String toString() {
    return "DhcpMessage[op="
        + op
        + ", xid="
        + Integer.toHexString(xid)
        + ", chaddr="
        + java.util.HexFormat.of().formatHex(chaddr, 0, hlen)
        + ", ciaddr="
        + ciaddr.getHostAddress()
        + ", yiaddr="
        + yiaddr.getHostAddress()
        + ", siaddr="
        + siaddr.getHostAddress()
        + ", giaddr="
        + giaddr.getHostAddress()
        + ", sname="
        + sname
        + ", file="
        + file
        + ", options="
        + options
        + "]";
  }
}
