package dev.chainboot.ipxe;

/**
 * Builds an iPXE script line by line, with the one shape of retry loop every chainboot script uses
 * (chain scripts, profile downloads, boot media, Zero-OS). Lines are trusted text: values from
 * outside must already have passed {@link IpxeSafe}.
 */
public final class IpxeScript {

  /**
   * The setting a chainboot script sets just before it leaves iPXE on purpose (nothing to boot,
   * boot the local disk, an error): the scripts that chained to it see it and leave with the same
   * status instead of retrying, so the firmware really gets that status and tries its next boot
   * device.
   */
  public static final String LEAVE = "chainboot-leave";

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

  /**
   * Leaves iPXE with exit {@code status} (see {@link #LEAVE}): {@code set chainboot-leave N} and
   * {@code exit N}.
   */
  public IpxeScript leave(int status) {
    return line("set " + LEAVE + " " + status).line("exit " + status);
  }

  /** {@link #leave} when {@code test} (an iPXE condition command such as {@code iseq}) holds. */
  public IpxeScript leaveIf(String test, int status) {
    return line(test + " && set " + LEAVE + " " + status + " && exit " + status + " ||");
  }

  /**
   * After a {@code chain} that failed: if the chained script left on purpose, leave with its status
   * too.
   */
  public IpxeScript propagateLeave() {
    return line("isset ${" + LEAVE + "} && exit ${" + LEAVE + "} ||");
  }

  /**
   * {@code set NAME:int32 0}: a counter for {@link #retry}. It must be typed: {@code inc} on a
   * setting stored as a string (plain {@code set NAME 0}) fails with "Operation not supported" and
   * ends the script at its first retry (seen with Debian's iPXE in QEMU).
   */
  public IpxeScript counter(String name) {
    return line("set " + name + ":int32 0");
  }

  /** {@code :name} */
  public IpxeScript label(String name) {
    return line(":" + name);
  }

  /**
   * A bounded retry loop, {@code counter} starting from whatever the script set it to (with {@link
   * #counter}):
   *
   * <pre>
   * :label
   * command &amp;&amp; goto success ||
   * (for chain: isset ${chainboot-leave} &amp;&amp; exit ${chainboot-leave} ||)
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
    label(label).line(command + " && goto " + success + " ||");
    if (command.startsWith("chain ")) {
      propagateLeave();
    }
    return line("inc " + counter)
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
   * (for chain: isset ${chainboot-leave} &amp;&amp; exit ${chainboot-leave} ||)
   * echo message
   * sleep seconds || shell
   * goto label
   * </pre>
   */
  public IpxeScript retryForever(
      String label, String command, String success, String message, int seconds) {
    label(label).line(command + " && goto " + success + " ||");
    if (command.startsWith("chain ")) {
      propagateLeave();
    }
    return line("echo " + message).line("sleep " + seconds + " || shell").line("goto " + label);
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
