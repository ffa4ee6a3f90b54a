package dev.chainboot.ipxe;

import dev.chainboot.text.Printable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one place that decides what may enter an iPXE script. iPXE splits a line on whitespace,
 * expands {@code ${...}} anywhere, treats the words {@code ||}, {@code &&} and {@code ;} as command
 * separators, and a word starting with {@code #} as a comment; a newline starts a new command.
 * Every value from outside (a request, a label, an operator's field, a URL for boot media) passes
 * through one of these methods:
 *
 * <ul>
 *   <li>{@link #value} percent-encodes everything but a small safe alphabet (request and machine
 *       data in templates: cannot fail, cannot inject);
 *   <li>{@link #url}, {@link #urlProblem}, {@link #cmdline}, {@link #host}, {@link #hostName}
 *       validate and reject (operator-written fields: a bad one is an error, not silently changed);
 *   <li>{@link #text} makes a message safe for {@code echo}.
 * </ul>
 */
public final class IpxeSafe {

  /** Characters that never mean anything to iPXE's parser. */
  private static final String SAFE_PUNCT = "._~:/@+=,-";

  /** The schemes iPXE's {@code kernel}, {@code initrd} and {@code chain} fetch for profiles. */
  public static final Set<String> FETCH_SCHEMES = Set.of("http", "https", "tftp", "ftp");

  /** Every scheme iPXE's {@code chain} understands (boot media may use any of them). */
  public static final Set<String> CHAIN_SCHEMES =
      Set.of("http", "https", "tftp", "ftp", "nfs", "iscsi");

  /** Longest URL accepted. */
  public static final int MAX_URL = 2048;

  /**
   * RFC 3986 unreserved and reserved characters and '%', minus those iPXE's parser interprets
   * (whitespace, quotes, backslash, '#'); '{' and '}' are not URI characters either.
   */
  private static final String URL_ALLOWED =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/?[]@!$&()*+,;=%";

  private static final Pattern ARG = Pattern.compile("[A-Za-z0-9._~:/@%+=,\\[\\]-]+");
  private static final String HOST_NAME = "[A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\]";
  private static final Pattern HOST = Pattern.compile("(" + HOST_NAME + ")(:[0-9]{1,5})?");
  private static final Pattern HOST_ONLY = Pattern.compile(HOST_NAME);

  private IpxeSafe() {}

  /** Thrown when a value would change the meaning of a script. */
  public static final class UnsafeValueException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public UnsafeValueException(String message) {
      super(message);
    }
  }

  /**
   * {@code s} with every byte outside {@code [A-Za-z0-9._~:/@+=,-]} percent-encoded (UTF-8), so the
   * result is one iPXE word with no expansion, separator, quote or line break in it.
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
            b.append('%')
                .append(Character.toUpperCase(Character.forDigit((x >> 4) & 0xf, 16)))
                .append(Character.toUpperCase(Character.forDigit(x & 0xf, 16)));
          }
        }
        break;
      }
    }
    return b == null ? s : b.toString();
  }

  private static boolean isSafe(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || SAFE_PUNCT.indexOf(c) >= 0;
  }

  /**
   * A URL a profile may make iPXE fetch: http, https, tftp or ftp, passing {@link #urlProblem},
   * and, since profile URLs are rendered from templates, without the characters {@value
   * #FETCH_EXCLUDED} and without {@code &&} (the conservative alphabet profiles have always had).
   *
   * @throws UnsafeValueException otherwise, saying which character at which position and how to
   *     write it
   */
  public static String url(String s) {
    Optional<String> problem = urlProblem(s, FETCH_SCHEMES).or(() -> fetchProblem(s));
    if (problem.isPresent()) {
      throw new UnsafeValueException("not a safe URL: " + problem.get());
    }
    return s;
  }

  /**
   * Why {@code url} cannot be written into an iPXE script as one word that fetches it, or empty
   * when it can: a scheme of {@code schemes} with its host, then only printable ASCII that is legal
   * in a URI and means nothing to iPXE's parser (no whitespace, quotes, backslash, {@code #},
   * {@code ${...}} settings, control or non-ASCII characters), every '%' starting a
   * percent-encoding, at most {@value #MAX_URL} characters. The message names the character, its
   * position and its percent-encoding.
   */
  public static Optional<String> urlProblem(String url, Set<String> schemes) {
    if (url == null || url.isEmpty()) {
      return Optional.of(
          "no URL given: pass the URL iPXE should chain to, e.g. http://boot.example/boot.ipxe");
    }
    if (url.length() > MAX_URL) {
      return Optional.of(
          "URL is " + url.length() + " characters long; at most " + MAX_URL + " fit");
    }
    for (int i = 0; i < url.length(); i++) {
      char c = url.charAt(i);
      if (URL_ALLOWED.indexOf(c) < 0) {
        return Optional.of(
            "URL character "
                + describe(url, i)
                + " at position "
                + (i + 1)
                + " is not allowed in a boot script URL"
                + hint(url, i));
      }
      if (c == '$' && i + 1 < url.length() && url.charAt(i + 1) == '{') {
        return Optional.of(
            "URL contains '${' at position "
                + (i + 1)
                + ": iPXE would expand it as a setting; percent-encode '$' as %24 if it is literal");
      }
      if (c == '%'
          && !(i + 2 < url.length() && isHex(url.charAt(i + 1)) && isHex(url.charAt(i + 2)))) {
        return Optional.of(
            "URL has a '%' at position "
                + (i + 1)
                + " that does not start a percent-encoding (%XX); write a literal '%' as %25");
      }
    }
    int colon = url.indexOf(':');
    String scheme = colon > 0 ? url.substring(0, colon).toLowerCase(Locale.ROOT) : "";
    if (!schemes.contains(scheme)) {
      return Optional.of(
          "URL scheme "
              + (scheme.isEmpty() ? "is missing" : "'" + scheme + "' is not one iPXE can fetch")
              + "; use one of "
              + String.join(", ", schemes.stream().sorted().toList())
              + " (e.g. http://HOST/boot.ipxe)");
    }
    String rest = url.substring(colon + 1);
    if (scheme.equals("iscsi")) {
      if (rest.isEmpty() || rest.startsWith("/")) {
        return Optional.of("iscsi URL must look like iscsi:SERVER:PROTOCOL:PORT:LUN:TARGET");
      }
      return Optional.empty();
    }
    if (!rest.startsWith("//")) {
      return Optional.of(scheme + " URL must start with " + scheme + "://HOST");
    }
    String authority = rest.substring(2).split("[/?]", 2)[0];
    String host =
        authority.contains("@") ? authority.substring(authority.lastIndexOf('@') + 1) : authority;
    if (host.isEmpty() || host.startsWith(":")) {
      return Optional.of(scheme + " URL has no host: " + url);
    }
    return Optional.empty();
  }

  /** Characters a profile URL may not hold even where a URI could (see {@link #url}). */
  private static final String FETCH_EXCLUDED = "$()*;";

  private static Optional<String> fetchProblem(String url) {
    for (int i = 0; i < url.length(); i++) {
      if (FETCH_EXCLUDED.indexOf(url.charAt(i)) >= 0) {
        return Optional.of(
            "URL character "
                + describe(url, i)
                + " at position "
                + (i + 1)
                + " is not allowed in a profile URL"
                + hint(url, i));
      }
    }
    int and = url.indexOf("&&");
    if (and >= 0) {
      return Optional.of(
          "URL contains '&&' at position " + (and + 1) + "; percent-encode the second '&' as %26");
    }
    return Optional.empty();
  }

  private static boolean isHex(char c) {
    return c < 128 && Character.digit(c, 16) >= 0;
  }

  private static String describe(String url, int i) {
    int cp = url.codePointAt(i);
    String name =
        switch (cp) {
          case ' ' -> "space";
          case '\t' -> "tab";
          case '\n' -> "line feed";
          case '\r' -> "carriage return";
          case '"' -> "double quote";
          case '\'' -> "single quote";
          case '\\' -> "backslash";
          case '#' -> "'#' (fragment)";
          default -> cp < 0x20 || cp == 0x7F ? "control character" : null;
        };
    String code = String.format("U+%04X", cp);
    if (name != null) {
      return name + " (" + code + ")";
    }
    return "'" + new String(Character.toChars(cp)) + "' (" + code + ")";
  }

  private static String hint(String url, int i) {
    byte[] utf8 =
        new String(Character.toChars(url.codePointAt(i))).getBytes(StandardCharsets.UTF_8);
    StringBuilder enc = new StringBuilder();
    for (byte b : utf8) {
      enc.append(String.format("%%%02X", b & 0xFF));
    }
    return "; percent-encode it as " + enc;
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
        throw new UnsafeValueException(
            "unsafe kernel argument (allowed: letters, digits and"
                + " ._~:/@%+=,[]-): "
                + Printable.of(t));
      }
      tokens.add(t);
    }
    return String.join(" ", tokens);
  }

  /** A host or {@code host:port} (from a Host header or configuration). */
  public static String host(String s) {
    if (s != null && KNOWN_HOSTS.containsKey(s)) {
      return s; // a server answers under a handful of names: the regex once per name
    }
    if (s == null || !HOST.matcher(s).matches()) {
      throw new UnsafeValueException("not a host[:port]: " + Printable.of(s));
    }
    if (KNOWN_HOSTS.size() >= 256) {
      KNOWN_HOSTS.clear();
    }
    KNOWN_HOSTS.put(s, Boolean.TRUE);
    return s;
  }

  /** Hosts {@link #host} has accepted (at most 256; every request's Host header comes here). */
  private static final java.util.Map<String, Boolean> KNOWN_HOSTS =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** A DNS name, an IPv4 address or a bracketed IPv6 address, without a port. */
  public static String hostName(String s) {
    if (s == null || !HOST_ONLY.matcher(s).matches()) {
      throw new UnsafeValueException("not a host name or address: " + Printable.of(s));
    }
    return s;
  }

  /**
   * {@code s} made safe as the arguments of {@code echo}: letters, digits, spaces and {@code
   * .,:/()_=+-@[]%} kept, everything else replaced by {@code ?}; at most 300 characters.
   */
  public static String text(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(Math.min(s.length(), 300));
    for (int i = 0; i < s.length() && i < 300; i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || " .,:/()_=+-@[]%".indexOf(c) >= 0;
      b.append(ok ? c : '?');
    }
    return b.toString().strip();
  }
}
