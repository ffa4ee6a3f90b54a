package dev.chainboot.text;

/**
 * The one rule for putting text that came from outside (a request, a file name, a client's option)
 * into a log line or an error message: it can neither forge a line nor flood one.
 */
public final class Printable {

  /** Longest text kept by {@link #of(String)}. */
  public static final int MAX = 200;

  private Printable() {}

  /**
   * {@code s} with control characters as '?', at most {@value #MAX} characters; "null" for null.
   */
  public static String of(String s) {
    return of(s, MAX);
  }

  /** {@code s} with control characters as '?', at most {@code max} characters. */
  public static String of(String s, int max) {
    return replace(s, max, false);
  }

  /** Like {@link #of(String, int)}, and non-ASCII characters as '?' too (bytes from the wire). */
  public static String ascii(String s, int max) {
    return replace(s, max, true);
  }

  private static String replace(String s, int max, boolean asciiOnly) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder(Math.min(s.length(), max));
    for (int i = 0; i < s.length() && i < max; i++) {
      char c = s.charAt(i);
      boolean control = c < 0x20 || c == 0x7f || (asciiOnly && c > 0x7f);
      b.append(control ? '?' : c);
    }
    return b.toString();
  }

  /**
   * {@code s} for a quoted field of a log line: control characters, quotes and backslashes as
   * {@code \xNN}, so a client cannot forge a field; longer than 256 characters is cut and the
   * length given.
   */
  public static String escaped(String s) {
    StringBuilder b = new StringBuilder(Math.min(s.length(), 300));
    for (int i = 0; i < s.length() && i < 256; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
        b.append(String.format("\\x%02x", (int) c));
      } else {
        b.append(c);
      }
    }
    if (s.length() > 256) {
      b.append("...(").append(s.length()).append(" chars)");
    }
    return b.toString();
  }
}
