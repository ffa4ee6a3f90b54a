package dev.chainboot.tftp;

import java.io.ByteArrayOutputStream;

/** RFC 1350 netascii: LF becomes CR LF, a bare CR becomes CR NUL. */
public final class Netascii {

  private Netascii() {}

  /** {@code data} in netascii form. */
  public static byte[] encode(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + data.length / 16 + 16);
    for (byte b : data) {
      if (b == '\n') {
        out.write('\r');
        out.write('\n');
      } else if (b == '\r') {
        out.write('\r');
        out.write(0);
      } else {
        out.write(b);
      }
    }
    return out.toByteArray();
  }
}
