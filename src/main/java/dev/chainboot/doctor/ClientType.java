package dev.chainboot.doctor;

import java.util.Optional;

/**
 * The clients the doctor plays, each with what its firmware puts into its DHCP request (option 93,
 * the vendor class) and the PE/COFF machine type its firmware runs.
 */
public enum ClientType {
  BIOS("bios", 0, "PXEClient", false, false, Optional.empty(), "i386", "pcbios"),
  UEFI_X64(
      "uefi-x64",
      7,
      "PXEClient",
      false,
      false,
      Optional.of(BootImage.MACHINE_X86_64),
      "x86_64",
      "efi"),
  UEFI_ARM64(
      "uefi-arm64",
      11,
      "PXEClient",
      false,
      false,
      Optional.of(BootImage.MACHINE_ARM64),
      "arm64",
      "efi"),
  HTTP_X64(
      "http-x64",
      16,
      "HTTPClient",
      true,
      false,
      Optional.of(BootImage.MACHINE_X86_64),
      "x86_64",
      "efi"),
  HTTP_ARM64(
      "http-arm64",
      19,
      "HTTPClient",
      true,
      false,
      Optional.of(BootImage.MACHINE_ARM64),
      "arm64",
      "efi"),
  /**
   * 32-bit x86 UEFI PXE: Debian ships no iPXE for it, so only with the operator's binaries (not
   * played unless asked for).
   */
  UEFI_IA32(
      "uefi-ia32",
      6,
      "PXEClient",
      false,
      false,
      Optional.of(BootImage.MACHINE_I386),
      "i386",
      "efi"),
  /** An iPXE that came from elsewhere (a NIC ROM, QEMU's): it asks as iPXE from the start. */
  IPXE("ipxe", 7, "PXEClient", false, true, Optional.empty(), "x86_64", "efi");

  private final String id;
  private final int arch;
  private final String vendor;
  private final boolean http;
  private final boolean ipxe;
  private final Optional<Integer> machine;
  private final String buildarch;
  private final String platform;

  ClientType(
      String id,
      int arch,
      String vendor,
      boolean http,
      boolean ipxe,
      Optional<Integer> machine,
      String buildarch,
      String platform) {
    this.id = id;
    this.arch = arch;
    this.vendor = vendor;
    this.http = http;
    this.ipxe = ipxe;
    this.machine = machine;
    this.buildarch = buildarch;
    this.platform = platform;
  }

  /** The name on the command line ({@code --client}) and in the output. */
  public String id() {
    return id;
  }

  /** Option 93. */
  public int arch() {
    return arch;
  }

  /**
   * Option 60 as this firmware sends it: {@code PXEClient:Arch:00007:UNDI:003016} (EDK2, PXE ROMs)
   * or {@code HTTPClient:Arch:00016:UNDI:003000}.
   */
  public String vendorClass() {
    return String.format("%s:Arch:%05d:UNDI:%s", vendor, arch, ipxe ? "002001" : "003016");
  }

  /** UEFI HTTP boot: the boot file is a URL. */
  public boolean http() {
    return http;
  }

  /** Already iPXE (sends user class {@code iPXE}). */
  public boolean ipxe() {
    return ipxe;
  }

  /** The PE/COFF machine type its firmware runs; empty for BIOS (and an iPXE). */
  public Optional<Integer> machine() {
    return machine;
  }

  /** iPXE's {@code ${buildarch}} for this client. */
  public String buildarch() {
    return buildarch;
  }

  /** iPXE's {@code ${platform}} for this client. */
  public String platform() {
    return platform;
  }

  /** Played without {@code --client}: every type but 32-bit UEFI. */
  public static java.util.List<ClientType> defaults() {
    return java.util.Arrays.stream(values()).filter(c -> c != UEFI_IA32).toList();
  }

  public static Optional<ClientType> byId(String id) {
    for (ClientType c : values()) {
      if (c.id.equalsIgnoreCase(id.strip())) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }
}
