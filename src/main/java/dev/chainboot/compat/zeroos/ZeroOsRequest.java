package dev.chainboot.compat.zeroos;

import dev.chainboot.ipxe.IpxeSafe;
import dev.chainboot.text.Printable;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Zero-OS bootstrap's URL grammar, {@code <runmode>[/<farmer>[/<extra>[/<kernel>]]]} (after {@code
 * /ipxe/}, {@code /iso/}, {@code /usb/}, {@code /uefi/}, {@code /uefimg/}), parsed and validated in
 * one place: the runmode must be configured, the farmer id is digits, the extra argument ({@code
 * ___} stands for {@code /}) is a list of safe kernel arguments, the kernel is a plain file name.
 * Nothing that passes can add a line or a command to an iPXE script.
 *
 * @param runmode a configured runmode key
 * @param farmerId digits, if given
 * @param extraArgs extra kernel arguments, already split and checked
 * @param kernel a kernel file name under DATA/kernels overriding the runmode's default
 */
public record ZeroOsRequest(
    String runmode, Optional<String> farmerId, List<String> extraArgs, Optional<String> kernel) {

  /** Longest extra argument accepted. */
  public static final int MAX_EXTRA = 1024;

  public ZeroOsRequest {
    extraArgs = List.copyOf(extraArgs);
  }

  /** A request that does not fit the grammar; {@link #status()} is 400 or 404. */
  public static final class Invalid extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public Invalid(int status, String message) {
      super(message);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  /**
   * @param path what follows the endpoint's prefix, already percent-decoded (e.g. {@code
   *     prod/1234/console=ttyS0___dev}); a trailing slash is allowed
   * @param runmodes the configured runmode keys
   * @throws Invalid 404 for an unknown runmode or too many segments, 400 for a bad farmer id, extra
   *     argument or kernel name
   */
  public static ZeroOsRequest parse(String path, Set<String> runmodes) {
    String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    String[] seg = p.split("/", -1);
    if (seg.length > 4) {
      throw new Invalid(
          404, "too many path segments: expected <runmode>[/<farmer>[/<extra>[/<kernel>]]]");
    }
    if (seg.length > 1 && seg[1].isEmpty()) {
      throw new Invalid(400, "farmer id must be a number (1-19 digits), got ''");
    }
    return of(
        seg[0],
        seg.length > 1 ? seg[1] : "",
        seg.length > 2 ? seg[2].replace("___", "/") : "",
        seg.length > 3 ? seg[3] : null,
        runmodes);
  }

  /**
   * Validates the parts of a request given separately (e.g. a row of Zero-OS's provision database).
   *
   * @param farmer digits, or empty for none
   * @param extra kernel arguments separated by spaces ({@code ___} already replaced), or empty
   * @param kernel a kernel file name, or null for the runmode's default
   */
  public static ZeroOsRequest of(
      String runmode, String farmer, String extra, String kernel, Set<String> runmodes) {
    if (!runmodes.contains(runmode)) {
      throw new Invalid(
          404,
          "unknown runmode '"
              + Printable.of(runmode, 80)
              + "' (configured: "
              + String.join(", ", runmodes)
              + ")");
    }
    Optional<String> farmerId = Optional.empty();
    if (!farmer.isEmpty()) {
      if (!farmer.matches("[0-9]{1,19}")) {
        throw new Invalid(
            400,
            "farmer id must be a number (1-19 digits), got '" + Printable.of(farmer, 80) + "'");
      }
      farmerId = Optional.of(farmer);
    }
    if (extra.length() > MAX_EXTRA) {
      throw new Invalid(400, "extra kernel arguments longer than " + MAX_EXTRA + " characters");
    }
    List<String> args;
    try {
      String cmdline = IpxeSafe.cmdline(extra);
      args = cmdline.isEmpty() ? List.of() : List.of(cmdline.split(" "));
    } catch (IpxeSafe.UnsafeValueException e) {
      throw new Invalid(400, "unsafe extra kernel argument: " + e.getMessage());
    }
    if (kernel != null && !isPlainFileName(kernel)) {
      throw new Invalid(
          400,
          "kernel must be a plain file name (letters, digits, '.', '_', '+', '-'),"
              + " got '"
              + Printable.of(kernel, 80)
              + "'");
    }
    return new ZeroOsRequest(runmode, farmerId, args, Optional.ofNullable(kernel));
  }

  /** A file name without directories that does not start with a dot. */
  public static boolean isPlainFileName(String s) {
    return s.matches("[A-Za-z0-9_+-][A-Za-z0-9._+-]{0,127}");
  }

  /** The seed's fixed arguments: {@code nomodeset version=v3 runmode=<runmode> panic=7200}. */
  public static final String SEED_CMDLINE = "nomodeset version=v3 runmode={runmode} panic=7200";

  /**
   * The seed's command line: {@code nomodeset version=v3 runmode=<runmode> panic=7200
   * [farmer_id=<farmer>] [<extra>...]}.
   */
  public String kernelCommandLine() {
    return kernelCommandLine(SEED_CMDLINE);
  }

  /**
   * {@code template} with {@code {runmode}} replaced, then {@code [farmer_id=<farmer>]
   * [<extra>...]}.
   *
   * @param template fixed arguments already checked with {@code IpxeSafe.cmdline} (from the
   *     configuration file)
   */
  public String kernelCommandLine(String template) {
    StringBuilder b = new StringBuilder(template.replace("{runmode}", runmode));
    farmerId.ifPresent(f -> b.append(" farmer_id=").append(f));
    for (String a : extraArgs) {
      b.append(' ').append(a);
    }
    return b.toString();
  }
}
