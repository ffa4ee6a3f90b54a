package dev.chainboot.boot;

import java.util.Locale;
import java.util.Optional;

/** CPU architecture of a booting machine, as iPXE's {@code ${buildarch}} names it. */
public enum Arch {
  I386("i386"),
  X86_64("x86_64"),
  ARM32("arm32"),
  ARM64("arm64");

  private final String ipxeName;

  Arch(String ipxeName) {
    this.ipxeName = ipxeName;
  }

  public String ipxeName() {
    return ipxeName;
  }

  /** Accepts iPXE's names and the common aliases (amd64, aarch64, x64, ...). */
  public static Optional<Arch> parse(String s) {
    if (s == null) {
      return Optional.empty();
    }
    return switch (s.strip().toLowerCase(Locale.ROOT)) {
      case "i386", "i686", "x86", "ia32" -> Optional.of(I386);
      case "x86_64", "amd64", "x64" -> Optional.of(X86_64);
      case "arm32", "arm", "armhf" -> Optional.of(ARM32);
      case "arm64", "aarch64", "aa64" -> Optional.of(ARM64);
      default -> Optional.empty();
    };
  }
}
