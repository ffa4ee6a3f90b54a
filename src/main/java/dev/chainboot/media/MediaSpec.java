package dev.chainboot.media;

import dev.chainboot.boot.Arch;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;

/**
 * What to put on one boot medium: format, architectures (x86_64 = BIOS + UEFI x64, arm64 = UEFI
 * AA64), the iPXE script and the volume label. Validated on construction.
 */
public record MediaSpec(MediaFormat format, Set<Arch> archs, byte[] script, String label) {

  public static final String DEFAULT_LABEL = "CHAINBOOT";

  public MediaSpec {
    archs = archs.isEmpty() ? EnumSet.of(Arch.X86_64) : EnumSet.copyOf(archs);
    for (Arch a : archs) {
      if (a != Arch.X86_64 && a != Arch.ARM64) {
        throw new MediaInputException(
            "architecture "
                + a.ipxeName()
                + " is not supported on boot media; use x86_64 and/or arm64");
      }
    }
    label = checkLabel(label == null ? DEFAULT_LABEL : label);
    script = MediaScript.userScript(script);
  }

  /** Parses {@code --arch}: a comma-separated list of x86_64 (amd64, x64) and arm64 (aarch64). */
  public static Set<Arch> parseArchs(String list) {
    Set<Arch> out = EnumSet.noneOf(Arch.class);
    for (String s : list.split(",")) {
      Arch a =
          Arch.parse(s)
              .filter(x -> x == Arch.X86_64 || x == Arch.ARM64)
              .orElseThrow(
                  () ->
                      new MediaInputException(
                          "unknown architecture '"
                              + s.strip()
                              + "': use x86_64, arm64 or x86_64,arm64"));
      out.add(a);
    }
    return out;
  }

  /** A volume label for both the ISO and the FAT file system: 1-11 of A-Z, 0-9, '_'. */
  public static String checkLabel(String label) {
    String l = label.toUpperCase(Locale.ROOT);
    if (!l.matches("[A-Z0-9_]{1,11}")) {
      throw new MediaInputException(
          "label '" + label + "' is not valid: use 1 to 11 characters of A-Z, 0-9 and _");
    }
    return l;
  }

  /** SHA-256 over everything that determines the output (but the firmware binaries). */
  public byte[] digest() {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(
          (format.name() + "\0" + archs + "\0" + label + "\0").getBytes(StandardCharsets.US_ASCII));
      md.update(script);
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public String digestHex() {
    return HexFormat.of().formatHex(digest());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MediaSpec m
        && m.format == format
        && m.archs.equals(archs)
        && m.label.equals(label)
        && Arrays.equals(m.script, script);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(digest());
  }

  @Override
  public String toString() {
    return "MediaSpec["
        + format
        + ", "
        + archs
        + ", "
        + label
        + ", script "
        + script.length
        + " bytes]";
  }
}
