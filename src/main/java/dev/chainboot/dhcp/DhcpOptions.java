package dev.chainboot.dhcp;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * DHCP options (or the sub-options of an encapsulated option such as 43 or 175), in the order they
 * appeared. A code that appeared more than once holds the concatenation of its values (RFC 3396).
 * Immutable; values are copied in and out.
 */
public final class DhcpOptions {

  public static final int PAD = 0;
  public static final int END = 255;
  public static final int VENDOR_SPECIFIC = 43;
  public static final int REQUESTED_IP = 50;
  public static final int LEASE_TIME = 51;
  public static final int OVERLOAD = 52;
  public static final int MESSAGE_TYPE = 53;
  public static final int SERVER_ID = 54;
  public static final int PARAMETER_REQUEST_LIST = 55;
  public static final int MAX_MESSAGE_SIZE = 57;
  public static final int VENDOR_CLASS = 60;
  public static final int CLIENT_ID = 61;
  public static final int TFTP_SERVER_NAME = 66;
  public static final int BOOTFILE_NAME = 67;
  public static final int USER_CLASS = 77;
  public static final int CLIENT_ARCH = 93;
  public static final int CLIENT_NDI = 94;
  public static final int CLIENT_UUID = 97;
  public static final int IPXE_ENCAPSULATED = 175;

  /** PXE vendor sub-option (in option 43): discovery control bits. */
  public static final int PXE_DISCOVERY_CONTROL = 6;

  private static final DhcpOptions EMPTY = new DhcpOptions(new LinkedHashMap<>());

  private final Map<Integer, byte[]> values;

  private DhcpOptions(LinkedHashMap<Integer, byte[]> values) {
    this.values = Collections.unmodifiableMap(values);
  }

  public static DhcpOptions empty() {
    return EMPTY;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Parses an option area: code, length, value triples, pad (0) and end (255). Returns the options
   * read up to the end option or the end of the area.
   *
   * @throws MalformedPacketException when a length runs past the end of the area
   */
  public static DhcpOptions parse(byte[] buf, int from, int to) throws MalformedPacketException {
    Builder b = new Builder();
    parseInto(b, buf, from, to);
    return b.build();
  }

  static void parseInto(Builder b, byte[] buf, int from, int to) throws MalformedPacketException {
    int i = from;
    while (i < to) {
      int code = buf[i] & 0xff;
      if (code == PAD) {
        i++;
        continue;
      }
      if (code == END) {
        return;
      }
      if (i + 1 >= to) {
        throw new MalformedPacketException(
            "option " + code + " at offset " + i + " has no length byte");
      }
      int len = buf[i + 1] & 0xff;
      if (i + 2 + len > to) {
        throw new MalformedPacketException(
            "option "
                + code
                + " at offset "
                + i
                + " claims "
                + len
                + " bytes, only "
                + (to - i - 2)
                + " left");
      }
      b.append(code, Arrays.copyOfRange(buf, i + 2, i + 2 + len));
      i += 2 + len;
    }
  }

  /** Parses the value of an encapsulated option (43, 175) as sub-options, if it is well-formed. */
  public Optional<DhcpOptions> encapsulated(int code) {
    byte[] v = values.get(code);
    if (v == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(parse(v, 0, v.length));
    } catch (MalformedPacketException e) {
      return Optional.empty();
    }
  }

  public boolean has(int code) {
    return values.containsKey(code);
  }

  public Set<Integer> codes() {
    return values.keySet();
  }

  public Optional<byte[]> get(int code) {
    byte[] v = values.get(code);
    return v == null ? Optional.empty() : Optional.of(v.clone());
  }

  /** The value as text (ISO-8859-1, so every byte maps to one char), trailing NULs dropped. */
  public Optional<String> string(int code) {
    byte[] v = values.get(code);
    if (v == null) {
      return Optional.empty();
    }
    int n = v.length;
    while (n > 0 && v[n - 1] == 0) {
      n--;
    }
    return Optional.of(new String(v, 0, n, StandardCharsets.ISO_8859_1));
  }

  /** The first byte of a one-byte option. */
  public Optional<Integer> u8(int code) {
    byte[] v = values.get(code);
    return v == null || v.length < 1 ? Optional.empty() : Optional.of(v[0] & 0xff);
  }

  /** A list of 16-bit values (option 93 may carry several). Empty if the length is odd. */
  public List<Integer> u16List(int code) {
    byte[] v = values.get(code);
    if (v == null || v.length % 2 != 0) {
      return List.of();
    }
    List<Integer> out = new ArrayList<>(v.length / 2);
    for (int i = 0; i < v.length; i += 2) {
      out.add(((v[i] & 0xff) << 8) | (v[i + 1] & 0xff));
    }
    return List.copyOf(out);
  }

  /** A 4-byte address option. */
  public Optional<Inet4Address> ipv4(int code) {
    byte[] v = values.get(code);
    if (v == null || v.length != 4) {
      return Optional.empty();
    }
    return Optional.of(DhcpMessage.ipv4(v));
  }

  /** Encoded size of these options (without an end option), splitting long values per RFC 3396. */
  int encodedLength() {
    int n = 0;
    for (byte[] v : values.values()) {
      int chunks = Math.max(1, (v.length + 254) / 255);
      n += 2 * chunks + v.length;
    }
    return n;
  }

  /** Writes the options (long values split into several instances) without an end option. */
  int encodeInto(byte[] out, int at) {
    for (Map.Entry<Integer, byte[]> e : values.entrySet()) {
      byte[] v = e.getValue();
      int off = 0;
      do {
        int len = Math.min(255, v.length - off);
        out[at++] = (byte) (int) e.getKey();
        out[at++] = (byte) len;
        System.arraycopy(v, off, out, at, len);
        at += len;
        off += len;
      } while (off < v.length);
    }
    return at;
  }

  /** These options as the value of an encapsulating option: sub-options then end. */
  public byte[] encodeEncapsulated() {
    byte[] out = new byte[encodedLength() + 1];
    int at = encodeInto(out, 0);
    out[at] = (byte) END;
    return out;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof DhcpOptions other) || other.values.size() != values.size()) {
      return false;
    }
    var a = values.entrySet().iterator();
    var b = other.values.entrySet().iterator();
    while (a.hasNext()) {
      var x = a.next();
      var y = b.next();
      if (!x.getKey().equals(y.getKey()) || !Arrays.equals(x.getValue(), y.getValue())) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = 1;
    for (var e : values.entrySet()) {
      h = 31 * h + e.getKey() * 7 + Arrays.hashCode(e.getValue());
    }
    return h;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("{");
    for (var e : values.entrySet()) {
      if (s.length() > 1) {
        s.append(", ");
      }
      s.append(e.getKey()).append('=').append(java.util.HexFormat.of().formatHex(e.getValue()));
    }
    return s.append('}').toString();
  }

  /** Collects options in order; appending a code again concatenates (RFC 3396). */
  public static final class Builder {
    private final LinkedHashMap<Integer, byte[]> values = new LinkedHashMap<>();

    private Builder() {}

    public Builder append(int code, byte[] value) {
      checkCode(code);
      values.merge(
          code,
          value.clone(),
          (a, b) -> {
            byte[] c = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, c, a.length, b.length);
            return c;
          });
      return this;
    }

    /** Sets (replaces) an option. */
    public Builder put(int code, byte[] value) {
      checkCode(code);
      values.put(code, value.clone());
      return this;
    }

    public Builder put(int code, String ascii) {
      return put(code, ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    public Builder putByte(int code, int value) {
      return put(code, new byte[] {(byte) value});
    }

    public Builder putU16(int code, int... values) {
      byte[] v = new byte[values.length * 2];
      for (int i = 0; i < values.length; i++) {
        v[2 * i] = (byte) (values[i] >> 8);
        v[2 * i + 1] = (byte) values[i];
      }
      return put(code, v);
    }

    public Builder put(int code, InetAddress address) {
      return put(code, address.getAddress());
    }

    public Builder put(int code, DhcpOptions encapsulated) {
      return put(code, encapsulated.encodeEncapsulated());
    }

    public Builder remove(int code) {
      values.remove(code);
      return this;
    }

    public DhcpOptions build() {
      return new DhcpOptions(new LinkedHashMap<>(values));
    }

    private static void checkCode(int code) {
      if (code <= PAD || code >= END) {
        throw new IllegalArgumentException("not an option code: " + code);
      }
    }
  }
}
