package dev.chainboot.ipxe;

/**
 * Builds an iPXE script line by line, with the one shape of retry loop every chainboot script uses
 * (chain scripts, profile downloads, boot media, Zero-OS). Lines are trusted text: values from
 * outside must already have passed {@link IpxeSafe}.
 */
public final class IpxeScript {

  private final StringBuilder s = new StringBuilder("#!ipxe\n");

  /** A line of script, without its line break. */
  public IpxeScript line(String line) {
    s.append(line).append('\n');
    return this;
  }

  /** Text that already ends in a line break (a template's rendered body). */
  public IpxeScript raw(String text) {
    s.append(text);
    return this;
  }

  /** {@code :name} */
  public IpxeScript label(String name) {
    return line(":" + name);
  }

  /**
   * A bounded retry loop, {@code counter} starting from whatever the script set it to:
   *
   * <pre>
   * :label
   * command &amp;&amp; goto success ||
   * inc counter
   * iseq ${counter} tries &amp;&amp; goto giveUp ||
   * echo message
   * sleep seconds
   * goto label
   * </pre>
   *
   * @param message shown before each new try (trusted text; may use {@code ${counter}})
   */
  public IpxeScript retry(
      String label,
      String command,
      String success,
      String counter,
      int tries,
      String giveUp,
      String message,
      int seconds) {
    return label(label)
        .line(command + " && goto " + success + " ||")
        .line("inc " + counter)
        .line("iseq ${" + counter + "} " + tries + " && goto " + giveUp + " ||")
        .line("echo " + message)
        .line("sleep " + seconds)
        .line("goto " + label);
  }

  /**
   * A retry loop without a bound (the machine keeps trying until it works; Ctrl-C during the pause
   * opens the iPXE shell):
   *
   * <pre>
   * :label
   * command &amp;&amp; goto success ||
   * echo message
   * sleep seconds || shell
   * goto label
   * </pre>
   */
  public IpxeScript retryForever(
      String label, String command, String success, String message, int seconds) {
    return label(label)
        .line(command + " && goto " + success + " ||")
        .line("echo " + message)
        .line("sleep " + seconds + " || shell")
        .line("goto " + label);
  }

  /** The script so far. */
  public String text() {
    return s.toString();
  }

  @Override
  public String toString() {
    return text();
  }
}
