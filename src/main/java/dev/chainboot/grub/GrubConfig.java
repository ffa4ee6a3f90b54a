package dev.chainboot.grub;

/**
 * Builds a GRUB configuration line by line. Lines are trusted text: every value from outside must
 * already have passed {@link GrubSafe}.
 */
public final class GrubConfig {

  /** Where a machine's GRUB configuration is: {@code /boot/grub/<mac>.cfg} on the HTTP server. */
  public static final String MACHINE_PATH = "/boot/grub/";

  /**
   * The names Debian's signed GRUB network image asks the TFTP server for its configuration under
   * (its prefix is {@code (tftp,SERVER)/grub}).
   */
  public static final java.util.List<String> TFTP_NAMES =
      java.util.List.of("/grub/grub.cfg", "grub/grub.cfg");

  /**
   * The configuration chainboot's TFTP server gives GRUB: load this machine's own configuration
   * from the HTTP server ({@code ${net_default_mac}} is the MAC GRUB booted from), else leave.
   *
   * @param advertisedHost host (validated) of the HTTP server, or empty for GRUB's {@code
   *     ${net_default_server}} (the TFTP server it was loaded from)
   */
  public static String entry(java.util.Optional<String> advertisedHost, int httpPort) {
    String host =
        advertisedHost.map(dev.chainboot.ipxe.IpxeSafe::hostName).orElse("${net_default_server}");
    return new GrubConfig()
        .line("# chainboot: load this machine's GRUB configuration from chainboot's HTTP server")
        .line(
            "configfile (http,"
                + host
                + ":"
                + httpPort
                + ")"
                + MACHINE_PATH
                + "${net_default_mac}.cfg")
        .echo("chainboot: could not load this machine's configuration from chainboot")
        .echo("chainboot: exiting to the next boot device")
        .line("sleep 5")
        .line("exit 1")
        .text();
  }

  private final StringBuilder s = new StringBuilder();

  /** A line, without its line break. */
  public GrubConfig line(String line) {
    s.append(line).append('\n');
    return this;
  }

  /** {@code echo MESSAGE} with the message made safe ({@link GrubSafe#text}). */
  public GrubConfig echo(String message) {
    return line("echo " + GrubSafe.text(message));
  }

  public String text() {
    return s.toString();
  }

  @Override
  public String toString() {
    return text();
  }
}
