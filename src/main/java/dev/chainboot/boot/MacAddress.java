package dev.chainboot.boot;

import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/** A 48-bit Ethernet MAC address, the primary identity of a machine. */
public record MacAddress(long value) {

  public MacAddress {
    if (value < 0 || value > 0xFFFF_FFFF_FFFFL) {
      throw new IllegalArgumentException("MAC address out of range");
    }
  }

  public static MacAddress of(byte[] six) {
    if (six.length < 6) {
      throw new IllegalArgumentException("MAC address needs 6 bytes");
    }
    long v = 0;
    for (int i = 0; i < 6; i++) {
      v = (v << 8) | (six[i] & 0xff);
    }
    return new MacAddress(v);
  }

  /**
   * Parses {@code 52:54:00:12:34:56}, {@code 52-54-00-12-34-56}, {@code 5254.0012.3456} or {@code
   * 525400123456}, any case.
   */
  public static Optional<MacAddress> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String hex = text.toLowerCase(Locale.ROOT);
    if (hex.length() == 17) {
      char sep = hex.charAt(2);
      if (sep != ':' && sep != '-') {
        return Optional.empty();
      }
      for (int i = 2; i < 17; i += 3) {
        if (hex.charAt(i) != sep) {
          return Optional.empty();
        }
      }
      hex = hex.replace(String.valueOf(sep), "");
    } else if (hex.length() == 14 && hex.charAt(4) == '.' && hex.charAt(9) == '.') {
      hex = hex.replace(".", "");
    }
    if (hex.length() != 12) {
      return Optional.empty();
    }
    for (int i = 0; i < 12; i++) {
      if (Character.digit(hex.charAt(i), 16) < 0) {
        return Optional.empty();
      }
    }
    return Optional.of(new MacAddress(Long.parseLong(hex, 16)));
  }

  public byte[] bytes() {
    byte[] b = new byte[6];
    for (int i = 5; i >= 0; i--) {
      b[i] = (byte) (value >>> (8 * (5 - i)));
    }
    return b;
  }

  /** {@code 52:54:00:12:34:56} */
  public String colon() {
    return HexFormat.ofDelimiter(":").formatHex(bytes());
  }

  /** {@code 52-54-00-12-34-56}, iPXE's {@code ${mac:hexhyp}} and pixie's file names. */
  public String hexhyp() {
    return HexFormat.ofDelimiter("-").formatHex(bytes());
  }

  /** {@code 525400123456}, iPXE's {@code ${mac:hexraw}}. */
  public String hexraw() {
    return HexFormat.of().formatHex(bytes());
  }

  @Override
  public String toString() {
    return colon();
  }
}
