package dev.chainboot.media;

import java.util.Locale;
import java.util.Set;

/**
 * A URL that iPXE's {@code chain} can fetch and that can be written into an iPXE script
 * verbatim without changing it: a scheme iPXE knows (http, https, tftp, ftp, nfs, iscsi), then
 * only printable ASCII that is legal in a URI and has no meaning to the iPXE script parser
 * (no whitespace, quotes, backslash, {@code #}, {@code ${...}} settings, control or non-ASCII
 * characters). Nothing is fetched.
 */
public record ChainUrl(String value, String scheme) {

  static final int MAX_LENGTH = 2048;
  private static final Set<String> SCHEMES = Set.of("http", "https", "tftp", "ftp", "nfs", "iscsi");
  /** RFC 3986 unreserved + reserved characters and '%', minus those iPXE's parser interprets. */
  private static final String ALLOWED =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/?[]@!$&()*+,;=%";

  public static ChainUrl parse(String url) {
    if (url == null || url.isEmpty()) {
      throw new MediaInputException("no URL given: pass the URL iPXE should chain to, e.g. http://boot.example/boot.ipxe");
    }
    if (url.length() > MAX_LENGTH) {
      throw new MediaInputException("URL is " + url.length() + " characters long; at most " + MAX_LENGTH + " fit");
    }
    for (int i = 0; i < url.length(); i++) {
      char c = url.charAt(i);
      if (ALLOWED.indexOf(c) < 0) {
        throw new MediaInputException("URL character " + describe(url, i) + " at position " + (i + 1)
            + " is not allowed in a boot script URL" + hint(url, i));
      }
      if (c == '$' && i + 1 < url.length() && url.charAt(i + 1) == '{') {
        throw new MediaInputException("URL contains '${' at position " + (i + 1)
            + ": iPXE would expand it as a setting; percent-encode '$' as %24 if it is literal");
      }
      if (c == '%' && !(i + 2 < url.length() && isHex(url.charAt(i + 1)) && isHex(url.charAt(i + 2)))) {
        throw new MediaInputException("URL has a '%' at position " + (i + 1)
            + " that does not start a percent-encoding (%XX); write a literal '%' as %25");
      }
    }
    int colon = url.indexOf(':');
    String scheme = colon > 0 ? url.substring(0, colon).toLowerCase(Locale.ROOT) : "";
    if (!SCHEMES.contains(scheme)) {
      throw new MediaInputException("URL scheme " + (scheme.isEmpty() ? "is missing" : "'" + scheme + "' is not one iPXE can chain")
          + "; use one of http, https, tftp, ftp, nfs, iscsi (e.g. http://HOST/boot.ipxe)");
    }
    String rest = url.substring(colon + 1);
    if (scheme.equals("iscsi")) {
      if (rest.isEmpty() || rest.startsWith("/")) {
        throw new MediaInputException("iscsi URL must look like iscsi:SERVER:PROTOCOL:PORT:LUN:TARGET");
      }
    } else {
      if (!rest.startsWith("//")) {
        throw new MediaInputException(scheme + " URL must start with " + scheme + "://HOST");
      }
      String authority = rest.substring(2).split("[/?]", 2)[0];
      String host = authority.contains("@") ? authority.substring(authority.lastIndexOf('@') + 1) : authority;
      if (host.isEmpty() || host.startsWith(":")) {
        throw new MediaInputException(scheme + " URL has no host: " + url);
      }
    }
    return new ChainUrl(url, scheme);
  }

  /** The note to print for https (iPXE trusts only its own root CA unless built otherwise). */
  public java.util.Optional<String> note() {
    if (scheme.equals("https")) {
      return java.util.Optional.of("note: an https URL works only if the iPXE build trusts the server's "
          + "certificate authority (Debian's iPXE trusts only the iPXE root CA); otherwise use http");
    }
    return java.util.Optional.empty();
  }

  private static boolean isHex(char c) {
    return Character.digit(c, 16) >= 0 && c < 128;
  }

  private static String describe(String url, int i) {
    int cp = url.codePointAt(i);
    String name = switch (cp) {
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
    byte[] utf8 = new String(Character.toChars(url.codePointAt(i))).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    StringBuilder enc = new StringBuilder();
    for (byte b : utf8) {
      enc.append(String.format("%%%02X", b & 0xFF));
    }
    return "; percent-encode it as " + enc;
  }

  @Override
  public String toString() {
    return value;
  }
}
