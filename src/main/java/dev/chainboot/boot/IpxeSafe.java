package dev.chainboot.boot;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Validation of values that go into an iPXE script, so that none of them can add a command:
 * no line breaks or other control characters, no {@code ${...}} expansion, no {@code &&},
 * {@code ||}, {@code ;}, quotes, backslashes, {@code #} comments or redirections. Everything
 * that renders a script (the boot core's templates and the compat adapters) validates with
 * this one class; a value that fails is refused with the returned message, never escaped into
 * something else.
 */
public final class IpxeSafe {

  /** Longest kernel command line accepted from a client. */
  public static final int MAX_KERNEL_ARGS = 1024;

  private IpxeSafe() {}

  /** A character allowed inside one kernel argument: letters, digits and {@code ._-=,:/+@%~}. */
  public static boolean isKernelArgChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || "._-=,:/+@%~".indexOf(c) >= 0;
  }

  /** Why {@code token} is not one safe kernel argument, or empty when it is. */
  public static Optional<String> kernelArgProblem(String token) {
    if (token == null || token.isEmpty()) {
      return Optional.of("empty kernel argument");
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (!isKernelArgChar(c)) {
        return Optional.of("character " + describe(c) + " is not allowed in a kernel argument"
            + " (allowed: letters, digits and ._-=,:/+@%~)");
      }
    }
    return Optional.empty();
  }

  /**
   * Splits a kernel command line on spaces and checks every argument.
   *
   * @return the arguments, in order (runs of spaces collapse)
   * @throws IllegalArgumentException with a message naming the problem
   */
  public static List<String> kernelArgs(String cmdline) {
    if (cmdline.length() > MAX_KERNEL_ARGS) {
      throw new IllegalArgumentException("kernel arguments longer than " + MAX_KERNEL_ARGS + " characters");
    }
    List<String> out = new ArrayList<>();
    for (String token : cmdline.split(" ", -1)) {
      if (token.isEmpty()) {
        continue;
      }
      Optional<String> problem = kernelArgProblem(token);
      if (problem.isPresent()) {
        throw new IllegalArgumentException(problem.get());
      }
      out.add(token);
    }
    return out;
  }

  /**
   * Why {@code text} cannot be shown with {@code echo} in a script, or empty when it can:
   * letters, digits, spaces and {@code ._-,:/+@()[]!?=} only.
   */
  public static Optional<String> echoTextProblem(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || " ._-,:/+@()[]!?=".indexOf(c) >= 0;
      if (!ok) {
        return Optional.of("character " + describe(c) + " is not allowed in script text");
      }
    }
    return Optional.empty();
  }

  /**
   * Whether {@code url} can be put into a script as one word: an absolute URL of printable
   * ASCII without spaces, quotes, backslashes or {@code ${} expansion, and not an iPXE
   * operator ({@code &&}, {@code ||}, {@code ;} are only operators as separate words, but are
   * refused anywhere to keep the rule simple).
   */
  public static Optional<String> urlProblem(String url) {
    if (url == null || url.isEmpty()) {
      return Optional.of("empty URL");
    }
    if (url.length() > 2048) {
      return Optional.of("URL longer than 2048 characters");
    }
    if (!url.matches("[A-Za-z][A-Za-z0-9+.-]*:.*")) {
      return Optional.of("not an absolute URL (scheme:...)");
    }
    for (int i = 0; i < url.length(); i++) {
      char c = url.charAt(i);
      if (c <= 0x20 || c >= 0x7f || "\"'\\`<>{}|^;$#".indexOf(c) >= 0) {
        return Optional.of("character " + describe(c) + " is not allowed in a URL here"
            + " (percent-encode it)");
      }
    }
    if (url.contains("&&")) {
      return Optional.of("'&&' is not allowed in a URL here (percent-encode it)");
    }
    return Optional.empty();
  }

  static String describe(char c) {
    if (c < 0x20 || c == 0x7f) {
      return String.format("U+%04X (control)", (int) c);
    }
    if (c == ' ') {
      return "' ' (space)";
    }
    if (c > 0x7e) {
      return String.format("U+%04X", (int) c);
    }
    return "'" + c + "'";
  }
}
