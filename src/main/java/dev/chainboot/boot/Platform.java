package dev.chainboot.boot;

import java.util.Locale;
import java.util.Optional;

/** Firmware type of a booting machine, as iPXE's {@code ${platform}} names it. */
public enum Platform {
  PCBIOS("pcbios"),
  EFI("efi");

  private final String ipxeName;

  Platform(String ipxeName) {
    this.ipxeName = ipxeName;
  }

  public String ipxeName() {
    return ipxeName;
  }

  public static Optional<Platform> parse(String s) {
    if (s == null) {
      return Optional.empty();
    }
    return switch (s.strip().toLowerCase(Locale.ROOT)) {
      case "pcbios", "bios" -> Optional.of(PCBIOS);
      case "efi", "uefi" -> Optional.of(EFI);
      default -> Optional.empty();
    };
  }
}
