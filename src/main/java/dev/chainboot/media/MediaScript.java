package dev.chainboot.media;

import dev.chainboot.ipxe.ChainScripts;
import java.nio.charset.StandardCharsets;

/** The iPXE script put on boot media: the chain script to a URL, or a user's own. */
public final class MediaScript {

  static final int MAX_BYTES = 64 * 1024;

  private MediaScript() {}

  /**
   * {@code #!ipxe}, DHCP with retries, {@code chain URL}; on failure a clear message and the iPXE
   * shell (never a reboot loop). See {@link ChainScripts#mediaChain}.
   */
  public static byte[] chainTo(ChainUrl url) {
    return chainTo(url, "");
  }

  /**
   * Like {@link #chainTo(ChainUrl)}, with {@code trustedSuffix} appended to the URL in the {@code
   * chain} line: a constant of chainboot's own (such as iPXE settings that identify the machine,
   * {@code ${mac:hexhyp}}), never user input.
   */
  public static byte[] chainTo(ChainUrl url, String trustedSuffix) {
    return ChainScripts.mediaChain(url.value(), trustedSuffix).getBytes(StandardCharsets.US_ASCII);
  }

  /** Checks a user's script: it must start with {@code #!ipxe} and whitespace, and be text. */
  public static byte[] userScript(byte[] script) {
    if (script.length > MAX_BYTES) {
      throw new MediaInputException(
          "script is " + script.length + " bytes; at most " + MAX_BYTES + " fit");
    }
    String head = new String(script, 0, Math.min(script.length, 7), StandardCharsets.ISO_8859_1);
    if (!head.startsWith("#!ipxe")
        || head.length() < 7
        || !Character.isWhitespace(head.charAt(6))) {
      throw new MediaInputException(
          "script must start with '#!ipxe' and a line break: iPXE runs nothing else");
    }
    for (int i = 0; i < script.length; i++) {
      if (script[i] == 0) {
        throw new MediaInputException(
            "script contains a NUL byte at offset " + i + ": it must be text");
      }
    }
    return script.clone();
  }
}
