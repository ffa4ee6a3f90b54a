package dev.chainboot.grub;

import dev.chainboot.ipxe.IpxeSafe;
import dev.chainboot.text.Printable;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The one place that decides what may enter a GRUB configuration. GRUB's script parser splits
 * words on whitespace, expands {@code $name} and {@code ${name}}, ends a command at {@code ;} or a
 * newline, treats {@code \} as an escape, quotes with {@code '} and {@code "}, opens blocks with
 * {@code {}, and a word starting with {@code #} is a comment. Everything chainboot writes into a
 * GRUB configuration from outside is one single-quoted word (inside single quotes nothing is
 * special but the closing quote), and what goes inside is checked first:
 *
 * <ul>
 *   <li>{@link #word} refuses a quote, a line break, any other control character or non-ASCII;
 *   <li>{@link #file} turns an http:// or tftp:// URL (already valid for iPXE, see {@link
 *       IpxeSafe#url}) into GRUB's {@code (http,HOST:PORT)/PATH} form, refusing https (GRUB has no
 *       TLS) and anything GRUB cannot fetch;
 *   <li>{@link #cmdline} quotes each argument of a kernel command line that passed {@link
 *       IpxeSafe#cmdline};
 *   <li>{@link #text} makes a message safe for {@code echo}.
 * </ul>
 */
public final class GrubSafe {

  private GrubSafe() {}

  /** Thrown when a value cannot be written into a GRUB configuration safely. */
  public static final class UnsafeValueException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public UnsafeValueException(String message) {
      super(message);
    }
  }

  /**
   * {@code s} as one single-quoted GRUB word.
   *
   * @throws UnsafeValueException when {@code s} holds a single quote, a control character (line
   *     breaks included) or a character outside printable ASCII
   */
  public static String word(String s) {
    if (s == null) {
      throw new UnsafeValueException("no value");
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\'' || c < 0x20 || c > 0x7e) {
        throw new UnsafeValueException(
            "character "
                + (c == '\'' ? "'" : String.format(Locale.ROOT, "U+%04X", (int) c))
                + " at position "
                + i
                + " cannot go into a GRUB configuration: "
                + Printable.of(s));
      }
    }
    return "'" + s + "'";
  }

  /**
   * A URL that GRUB fetches ({@code linux}, {@code initrd}, {@code configfile}) in GRUB's device
   * syntax, quoted: {@code http://h:p/path} becomes {@code '(http,h:p)/path'}.
   *
   * @throws UnsafeValueException for another scheme (https: GRUB has no TLS), a URL iPXE would not
   *     accept either, or one without a path
   */
  public static String file(String url) {
    IpxeSafe.url(url); // the same alphabet as iPXE's: no whitespace, quotes, ${...}, control
    URI u;
    try {
      u = new URI(url);
    } catch (URISyntaxException e) {
      throw new UnsafeValueException("not a URL: " + Printable.of(url));
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("tftp")) {
      throw new UnsafeValueException(
          "GRUB fetches http:// and tftp:// URLs only"
              + (scheme.equals("https") ? " (it has no TLS)" : "")
              + ", not "
              + Printable.of(url));
    }
    if (u.getRawAuthority() == null || u.getHost() == null || u.getRawUserInfo() != null) {
      throw new UnsafeValueException("a URL for GRUB needs a plain host: " + Printable.of(url));
    }
    String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
    String rest = path + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
    String server = u.getHost() + (u.getPort() >= 0 ? ":" + u.getPort() : "");
    return word("(" + scheme + "," + server + ")" + rest);
  }

  /**
   * A kernel command line (already checked by {@link IpxeSafe#cmdline}) as single-quoted words,
   * joined by spaces; empty for an empty line.
   */
  public static String cmdline(String s) {
    String checked = IpxeSafe.cmdline(s);
    if (checked.isEmpty()) {
      return "";
    }
    List<String> out = new ArrayList<>();
    for (String t : checked.split(" ")) {
      out.add(word(t));
    }
    return String.join(" ", out);
  }

  /** {@code s} as a message for {@code echo}: {@link IpxeSafe#text}'s alphabet, quoted. */
  public static String text(String s) {
    return word(IpxeSafe.text(s));
  }
}
