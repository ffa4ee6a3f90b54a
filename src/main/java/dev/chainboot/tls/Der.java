package dev.chainboot.tls;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The few DER encodings (X.690) an X.509 certificate needs: each method returns one complete
 * encoded element (tag, length, contents).
 */
final class Der {

  private Der() {}

  static byte[] element(int tag, byte[]... contents) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (byte[] c : contents) {
      body.writeBytes(c);
    }
    byte[] b = body.toByteArray();
    ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + 6);
    out.write(tag);
    if (b.length < 0x80) {
      out.write(b.length);
    } else {
      byte[] len = BigInteger.valueOf(b.length).toByteArray();
      int skip = len[0] == 0 ? 1 : 0;
      out.write(0x80 | (len.length - skip));
      out.write(len, skip, len.length - skip);
    }
    out.writeBytes(b);
    return out.toByteArray();
  }

  static byte[] sequence(byte[]... items) {
    return element(0x30, items);
  }

  static byte[] set(byte[]... items) {
    return element(0x31, items);
  }

  static byte[] integer(BigInteger v) {
    return element(0x02, v.toByteArray());
  }

  static byte[] bool(boolean v) {
    return element(0x01, new byte[] {(byte) (v ? 0xff : 0)});
  }

  static byte[] nul() {
    return new byte[] {0x05, 0x00};
  }

  static byte[] octets(byte[] v) {
    return element(0x04, v);
  }

  /** A BIT STRING holding whole bytes. */
  static byte[] bits(byte[] v) {
    byte[] c = new byte[v.length + 1];
    System.arraycopy(v, 0, c, 1, v.length);
    return element(0x03, c);
  }

  /** A BIT STRING of named bits (0 = the most significant bit of the first byte), as KeyUsage. */
  static byte[] namedBits(int... bits) {
    int max = 0;
    for (int b : bits) {
      max = Math.max(max, b);
    }
    byte[] v = new byte[max / 8 + 1];
    for (int b : bits) {
      v[b / 8] |= (byte) (0x80 >> (b % 8));
    }
    int unused = 7 - (max % 8);
    byte[] c = new byte[v.length + 1];
    c[0] = (byte) unused;
    System.arraycopy(v, 0, c, 1, v.length);
    return element(0x03, c);
  }

  static byte[] oid(String dotted) {
    String[] p = dotted.split("\\.");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(Integer.parseInt(p[0]) * 40 + Integer.parseInt(p[1]));
    for (int i = 2; i < p.length; i++) {
      long v = Long.parseLong(p[i]);
      byte[] tmp = new byte[10];
      int n = 0;
      do {
        tmp[n++] = (byte) (v & 0x7f);
        v >>= 7;
      } while (v > 0);
      for (int j = n - 1; j >= 0; j--) {
        out.write(tmp[j] | (j > 0 ? 0x80 : 0));
      }
    }
    return element(0x06, out.toByteArray());
  }

  static byte[] utf8(String s) {
    return element(0x0c, s.getBytes(StandardCharsets.UTF_8));
  }

  /** UTCTime before 2050, GeneralizedTime from then on (RFC 5280 4.1.2.5). */
  static byte[] time(ZonedDateTime t) {
    ZonedDateTime u = t.withZoneSameInstant(ZoneOffset.UTC);
    if (u.getYear() < 2050) {
      return element(
          0x17,
          u.format(DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'"))
              .getBytes(StandardCharsets.US_ASCII));
    }
    return element(
        0x18,
        u.format(DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'"))
            .getBytes(StandardCharsets.US_ASCII));
  }

  /** {@code [n] EXPLICIT}: a constructed context-specific element around {@code inner}. */
  static byte[] explicit(int n, byte[] inner) {
    return element(0xa0 | n, inner);
  }

  /** {@code [n] IMPLICIT} of a primitive type: context-specific tag, the raw contents. */
  static byte[] implicit(int n, byte[] contents) {
    return element(0x80 | n, contents);
  }
}
