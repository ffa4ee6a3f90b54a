package dev.chainboot.dhcp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Pure DHCP wire codec: bytes in, {@link DhcpMessage} out, and back. {@link #parse} throws nothing
 * but {@link MalformedPacketException}, whatever the input.
 */
public final class DhcpCodec {

  /** Fixed BOOTP header length, before the magic cookie. */
  public static final int HEADER_LENGTH = 236;

  public static final int MAGIC_COOKIE = 0x63825363;

  /** Largest message accepted (a UDP payload). */
  public static final int MAX_LENGTH = 65_507;

  /** Replies are padded to the BOOTP minimum, which old PXE ROMs expect. */
  public static final int MIN_ENCODED_LENGTH = 300;

  private static final int SNAME_OFFSET = 44;
  private static final int SNAME_LENGTH = 64;
  private static final int FILE_OFFSET = 108;
  private static final int FILE_LENGTH = 128;

  private DhcpCodec() {}

  public static DhcpMessage parse(byte[] buf) throws MalformedPacketException {
    return parse(buf, 0, buf == null ? 0 : buf.length);
  }

  public static DhcpMessage parse(byte[] buf, int offset, int length)
      throws MalformedPacketException {
    if (buf == null || offset < 0 || length < 0 || offset > buf.length - length) {
      throw new MalformedPacketException("no buffer or bad bounds");
    }
    if (length > MAX_LENGTH) {
      throw new MalformedPacketException(
          "message of " + length + " bytes is larger than a UDP payload");
    }
    if (length < HEADER_LENGTH + 4) {
      throw new MalformedPacketException(
          "truncated: " + length + " bytes, a DHCP message has at least 240");
    }
    byte[] b = Arrays.copyOfRange(buf, offset, offset + length);
    int op = b[0] & 0xff;
    if (op != DhcpMessage.BOOTREQUEST && op != DhcpMessage.BOOTREPLY) {
      throw new MalformedPacketException("op " + op + " is neither BOOTREQUEST nor BOOTREPLY");
    }
    int hlen = b[2] & 0xff;
    if (hlen > 16) {
      throw new MalformedPacketException("hardware address length " + hlen + " exceeds 16");
    }
    if (u32(b, HEADER_LENGTH) != MAGIC_COOKIE) {
      throw new MalformedPacketException("no DHCP magic cookie");
    }
    DhcpOptions.Builder opts = DhcpOptions.builder();
    DhcpOptions.parseInto(opts, b, HEADER_LENGTH + 4, b.length);
    DhcpOptions main = opts.build();
    int overload = main.u8(DhcpOptions.OVERLOAD).orElse(0);
    if (main.get(DhcpOptions.OVERLOAD).map(v -> v.length != 1).orElse(false) || overload > 3) {
      throw new MalformedPacketException("bad option overload value");
    }
    boolean fileHoldsOptions = (overload & 1) != 0;
    boolean snameHoldsOptions = (overload & 2) != 0;
    if (fileHoldsOptions) {
      appendOverloaded(opts, b, FILE_OFFSET, FILE_LENGTH);
    }
    if (snameHoldsOptions) {
      appendOverloaded(opts, b, SNAME_OFFSET, SNAME_LENGTH);
    }
    return new DhcpMessage(
        op,
        b[1] & 0xff,
        hlen,
        b[3] & 0xff,
        (int) u32(b, 4),
        u16(b, 8),
        u16(b, 10),
        DhcpMessage.ipv4(Arrays.copyOfRange(b, 12, 16)),
        DhcpMessage.ipv4(Arrays.copyOfRange(b, 16, 20)),
        DhcpMessage.ipv4(Arrays.copyOfRange(b, 20, 24)),
        DhcpMessage.ipv4(Arrays.copyOfRange(b, 24, 28)),
        Arrays.copyOfRange(b, 28, 44),
        snameHoldsOptions ? "" : cString(b, SNAME_OFFSET, SNAME_LENGTH),
        fileHoldsOptions ? "" : cString(b, FILE_OFFSET, FILE_LENGTH),
        opts.build());
  }

  /**
   * Encodes {@code m}: header, cookie, options, end, padded to {@value #MIN_ENCODED_LENGTH} bytes.
   */
  public static byte[] encode(DhcpMessage m) {
    byte[] sname = m.sname().getBytes(StandardCharsets.ISO_8859_1);
    byte[] file = m.file().getBytes(StandardCharsets.ISO_8859_1);
    int optLen = m.options().encodedLength();
    byte[] out = new byte[Math.max(MIN_ENCODED_LENGTH, HEADER_LENGTH + 4 + optLen + 1)];
    out[0] = (byte) m.op();
    out[1] = (byte) m.htype();
    out[2] = (byte) m.hlen();
    out[3] = (byte) m.hops();
    putU32(out, 4, m.xid());
    out[8] = (byte) (m.secs() >> 8);
    out[9] = (byte) m.secs();
    out[10] = (byte) (m.flags() >> 8);
    out[11] = (byte) m.flags();
    System.arraycopy(m.ciaddr().getAddress(), 0, out, 12, 4);
    System.arraycopy(m.yiaddr().getAddress(), 0, out, 16, 4);
    System.arraycopy(m.siaddr().getAddress(), 0, out, 20, 4);
    System.arraycopy(m.giaddr().getAddress(), 0, out, 24, 4);
    System.arraycopy(m.chaddr(), 0, out, 28, 16);
    System.arraycopy(sname, 0, out, SNAME_OFFSET, sname.length);
    System.arraycopy(file, 0, out, FILE_OFFSET, file.length);
    putU32(out, HEADER_LENGTH, MAGIC_COOKIE);
    int at = m.options().encodeInto(out, HEADER_LENGTH + 4);
    out[at] = (byte) DhcpOptions.END;
    return out;
  }

  private static void appendOverloaded(DhcpOptions.Builder opts, byte[] b, int off, int len)
      throws MalformedPacketException {
    DhcpOptions extra = DhcpOptions.parse(b, off, off + len);
    if (extra.has(DhcpOptions.OVERLOAD)) {
      throw new MalformedPacketException("option overload inside an overloaded field");
    }
    for (int code : extra.codes()) {
      opts.append(code, extra.get(code).orElseThrow());
    }
  }

  private static String cString(byte[] b, int off, int len) {
    int n = 0;
    while (n < len && b[off + n] != 0) {
      n++;
    }
    return new String(b, off, n, StandardCharsets.ISO_8859_1);
  }

  private static long u32(byte[] b, int i) {
    return ((b[i] & 0xffL) << 24)
        | ((b[i + 1] & 0xff) << 16)
        | ((b[i + 2] & 0xff) << 8)
        | (b[i + 3] & 0xff);
  }

  private static int u16(byte[] b, int i) {
    return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
  }

  private static void putU32(byte[] b, int i, int v) {
    b[i] = (byte) (v >>> 24);
    b[i + 1] = (byte) (v >>> 16);
    b[i + 2] = (byte) (v >>> 8);
    b[i + 3] = (byte) v;
  }
}
