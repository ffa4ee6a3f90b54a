package dev.chainboot.boot;

import java.nio.charset.StandardCharsets;

/**
 * What the boot core answers a boot request with: the script (an iPXE script starting with {@code
 * #!ipxe}, or a seed tool's file as it is) and why it was chosen.
 *
 * @param body the script's bytes
 * @param profile the profile's name, or empty when nothing matched or a seed file was sent
 * @param reason what matched, for logs and events (e.g. "once assignment", "group rack1 (rack=r1)",
 *     "default", "no match, no default")
 */
public record BootAnswer(byte[] body, String profile, String reason) {

  public BootAnswer(String text, String profile, String reason) {
    this(text.getBytes(StandardCharsets.UTF_8), profile, reason);
  }

  /** The script as text (UTF-8). */
  public String text() {
    return new String(body, StandardCharsets.UTF_8);
  }
}
