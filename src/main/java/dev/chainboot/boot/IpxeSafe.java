package dev.chainboot.boot;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The one place that decides what may enter an iPXE script. iPXE splits a line on whitespace,
 * expands {@code ${...}} anywhere, treats {@code ||}, {@code &&} as command separators, and
 * {@code #} at the start of a line as a comment; a newline starts a new command. Every value
 * from outside (a request, a label, an operator's field) passes through one of these methods:
 *
 * <ul>
 *   <li>{@link #value} percent-encodes everything but a small safe alphabet (request and
 *       machine data in templates: cannot fail, cannot inject);
 *   <li>{@link #url}, {@link #cmdline}, {@link #host} validate and reject (operator-written
 *       fields: a bad one is an error, not silently changed);
 *   <li>{@link #text} makes a message safe for {@code echo}.
 * </ul>
 */
public final class IpxeSafe {

  /** Characters that never mean anything to iPXE's parser. */
  private static final String SAFE_PUNCT = "._~:/@+=,-";

  private static final Pattern URL = Pattern.compile(
      "(?i)(https?|tftp|ftp)://[A-Za-z0-9.\\[\\]:-]+(/[A-Za-z0-9._~:/?@!%+=,&\\[\\]-]*)?");
  private static final Pattern ARG = Pattern.compile("[A-Za-z0-9._~:/@%+=,\\[\\]-]+");
  private static final Pattern HOST = Pattern.compile(
      "([A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\])(:[0-9]{1,5})?");

  private IpxeSafe() {}

  /** Thrown when a value would change the meaning of a script. */
  public static final class UnsafeValueException extends IllegalArgumentException {
    public UnsafeValueException(String message) {
      super(message);
    }
  }

  /**
   * {@code s} with every byte outside {@code [A-Za-z0-9._~:/@+=,-]} percent-encoded (UTF-8), so
   * the result is one iPXE word with no expansion, separator, quote or line break in it.
   */
  public static String value(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!isSafe(c)) {
        b = new StringBuilder(s.length() + 16);
        b.append(s, 0, i);
        byte[] rest = s.substring(i).getBytes(StandardCharsets.UTF_8);
        for (byte x : rest) {
          char d = (char) (x & 0xff);
          if (x >= 0 && isSafe(d)) {
            b.append(d);
          } else {
            b.append('%').append(Character.toUpperCase(Character.forDigit((x >> 4) & 0xf, 16)))
                .append(Character.toUpperCase(Character.forDigit(x & 0xf, 16)));
          }
        }
        break;
      }
    }
    return b == null ? s : b.toString();
  }

  private static boolean isSafe(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || SAFE_PUNCT.indexOf(c) >= 0;
  }

  /**
   * A URL iPXE may fetch: http, https, tftp or ftp; no whitespace, control characters,
   * {@code $}, braces, quotes, backslash, {@code ;}, {@code |}, {@code #} or {@code &&}.
   *
   * @throws UnsafeValueException otherwise
   */
  public static String url(String s) {
    if (s == null || s.length() > 2048 || !URL.matcher(s).matches() || s.contains("&&")) {
      throw new UnsafeValueException("not a safe URL (http, https, tftp or ftp; no spaces,"
          + " quotes, '$', '{', '}', ';', '|', '&&' or control characters): " + printable(s));
    }
    return s;
  }

  /**
   * A kernel command line: space-separated tokens of {@code [A-Za-z0-9._~:/@%+=,[]-]}; runs of
   * spaces collapse to one.
   *
   * @throws UnsafeValueException when a token has anything else (quotes, {@code $}, {@code ;},
   *     {@code &&}, {@code ||}, control characters, ...)
   */
  public static String cmdline(String s) {
    if (s == null || s.isBlank()) {
      return "";
    }
    if (s.length() > 4096) {
      throw new UnsafeValueException("kernel command line longer than 4096 characters");
    }
    List<String> tokens = new ArrayList<>();
    for (String t : s.strip().split(" +")) {
      if (!ARG.matcher(t).matches()) {
        throw new UnsafeValueException("unsafe kernel argument (allowed: letters, digits and"
            + " ._~:/@%+=,[]-): " + printable(t));
      }
      tokens.add(t);
    }
    return String.join(" ", tokens);
  }

  /** A host or {@code host:port} (from a Host header or configuration). */
  public static String host(String s) {
    if (s == null || !HOST.matcher(s).matches()) {
      throw new UnsafeValueException("not a host[:port]: " + printable(s));
    }
    return s;
  }

  /**
   * {@code s} made safe as the arguments of {@code echo}: letters, digits, spaces and
   * {@code .,:/()_=+-@[]%} kept, everything else replaced by {@code ?}; at most 300 characters.
   */
  public static String text(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(Math.min(s.length(), 300));
    for (int i = 0; i < s.length() && i < 300; i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || " .,:/()_=+-@[]%".indexOf(c) >= 0;
      b.append(ok ? c : '?');
    }
    return b.toString().strip();
  }

  /** {@code s} for a log line or an error message: control characters as '?', 200 max. */
  public static String printable(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder(Math.min(s.length(), 200));
    for (int i = 0; i < s.length() && i < 200; i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return b.toString();
  }
}
