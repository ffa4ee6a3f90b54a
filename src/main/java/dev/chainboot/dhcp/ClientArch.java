package dev.chainboot.dhcp;

import dev.chainboot.boot.Arch;
import dev.chainboot.boot.Platform;
import java.util.Optional;

/**
 * Client system architecture types (DHCP option 93, RFC 4578 and the IANA registry) that chainboot
 * can boot, with the CPU architecture, firmware type and transport each implies.
 */
public enum ClientArch {
  BIOS(0, Arch.I386, Platform.PCBIOS, false),
  EFI_IA32(6, Arch.I386, Platform.EFI, false),
  EFI_X86_64(7, Arch.X86_64, Platform.EFI, false),
  /** Type 9 is "EFI BC" in RFC 4578, sent by x86_64 firmware in practice. */
  EFI_BC(9, Arch.X86_64, Platform.EFI, false),
  EFI_ARM32(10, Arch.ARM32, Platform.EFI, false),
  EFI_ARM64(11, Arch.ARM64, Platform.EFI, false),
  EFI_IA32_HTTP(15, Arch.I386, Platform.EFI, true),
  EFI_X86_64_HTTP(16, Arch.X86_64, Platform.EFI, true),
  EFI_ARM32_HTTP(18, Arch.ARM32, Platform.EFI, true),
  EFI_ARM64_HTTP(19, Arch.ARM64, Platform.EFI, true);

  private final int code;
  private final Arch arch;
  private final Platform platform;
  private final boolean http;

  ClientArch(int code, Arch arch, Platform platform, boolean http) {
    this.code = code;
    this.arch = arch;
    this.platform = platform;
    this.http = http;
  }

  public int code() {
    return code;
  }

  public Arch arch() {
    return arch;
  }

  public Platform platform() {
    return platform;
  }

  /** UEFI HTTP boot: the boot file is a URL, fetched over HTTP. */
  public boolean http() {
    return http;
  }

  public static Optional<ClientArch> of(int code) {
    for (ClientArch a : values()) {
      if (a.code == code) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }
}
