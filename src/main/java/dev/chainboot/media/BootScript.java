package dev.chainboot.media;

import java.nio.charset.StandardCharsets;

/** The iPXE script put on boot media: the default chain script, or a user's own. */
public final class BootScript {

  static final int MAX_BYTES = 64 * 1024;
  static final int DHCP_TRIES = 5;

  private BootScript() {}

  /**
   * {@code #!ipxe}, DHCP with retries, {@code chain URL}; on failure a clear message and the
   * iPXE shell (never a reboot loop).
   */
  public static byte[] chainTo(ChainUrl url) {
    return chainTo(url, "");
  }

  /**
   * Like {@link #chainTo(ChainUrl)}, with {@code trustedSuffix} appended to the URL in the
   * {@code chain} line: a constant of chainboot's own (such as iPXE settings that identify the
   * machine, {@code ${mac:hexhyp}}), never user input.
   */
  static byte[] chainTo(ChainUrl url, String trustedSuffix) {
    if (!trustedSuffix.matches("[^\\s\"'\\\\]*")) {
      throw new IllegalArgumentException("suffix would change the script");
    }
    String u = url.value();
    String target = u + trustedSuffix;
    String s = "#!ipxe\n"
        + "# chainboot boot media: get an address, then chain to the boot server\n"
        + "echo chainboot: booting from " + u + "\n"
        + "set chainboot_try:int32 0\n"
        + ":dhcp\n"
        + "dhcp && goto chain ||\n"
        + "inc chainboot_try\n"
        + "iseq ${chainboot_try} " + DHCP_TRIES + " && goto nonet ||\n"
        + "echo chainboot: no DHCP answer (attempt ${chainboot_try} of " + DHCP_TRIES + "), retrying in 3 s\n"
        + "sleep 3\n"
        + "goto dhcp\n"
        + ":chain\n"
        + "chain " + target + " ||\n"
        + "echo chainboot: could not boot from " + u + "\n"
        + "echo chainboot: check that the server is reachable from ${net0/ip}, then type: chain " + u + "\n"
        + "goto shell\n"
        + ":nonet\n"
        + "echo chainboot: no network configuration after " + DHCP_TRIES + " DHCP attempts; check the cable and the DHCP server\n"
        + ":shell\n"
        + "echo chainboot: starting the iPXE shell (type 'help'; 'dhcp' then 'chain URL' to retry)\n"
        + "shell\n";
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** Checks a user's script: it must start with {@code #!ipxe} and whitespace, and be text. */
  public static byte[] userScript(byte[] script) {
    if (script.length > MAX_BYTES) {
      throw new MediaInputException("script is " + script.length + " bytes; at most " + MAX_BYTES + " fit");
    }
    String head = new String(script, 0, Math.min(script.length, 7), StandardCharsets.ISO_8859_1);
    if (!head.startsWith("#!ipxe") || head.length() < 7 || !Character.isWhitespace(head.charAt(6))) {
      throw new MediaInputException("script must start with '#!ipxe' and a line break: iPXE runs nothing else");
    }
    for (int i = 0; i < script.length; i++) {
      if (script[i] == 0) {
        throw new MediaInputException("script contains a NUL byte at offset " + i + ": it must be text");
      }
    }
    return script.clone();
  }
}
