package dev.chainboot.firmware;

import java.util.List;

/**
 * The iPXE and syslinux binaries chainboot knows, each with the names it is served under (Debian's,
 * pixie's, Fedora's) and the relative paths it may have in a user's firmware directory (a Debian
 * {@code /usr/lib/ipxe} or Fedora {@code /usr/share/ipxe} layout, pixie's names, or the {@code
 * <platform>/<target>} layout of {@code DATA/ipxe/firmware} that {@code chainboot ipxe prepare}
 * writes). The i386 and arm32 EFI binaries have no Debian package ({@link #fromDebian()} is false):
 * they come from a firmware directory or an iPXE build.
 */
public enum BootBinary {
  UNDIONLY_KPXE("undionly.kpxe", List.of("undionly.kpxe"), List.of("undionly.kpxe")),
  UNDIONLY_KKPXE("undionly.kkpxe", List.of("undionly.kkpxe"), List.of("undionly.kkpxe")),
  IPXE_PXE("ipxe.pxe", List.of("ipxe.pxe"), List.of("ipxe.pxe")),
  IPXE_LKRN("ipxe.lkrn", List.of("ipxe.lkrn"), List.of("ipxe.lkrn")),
  IPXE_X86_64_EFI(
      "ipxe-amd64.efi",
      List.of("ipxe.efi", "ipxe64.efi", "ipxe-x86_64.efi"),
      List.of("ipxe-amd64.efi", "ipxe.efi", "ipxe-x86_64.efi", "ipxe64.efi")),
  SNPONLY_X86_64_EFI(
      "snponly.efi",
      List.of("snponly64.efi", "snponly-x86_64.efi"),
      List.of("snponly.efi", "ipxe-snponly-x86_64.efi", "snponly64.efi")),
  /**
   * arm64 iPXE. Debian builds no separate arm64 snponly binary, so pixie's {@code
   * snponly-arm64.efi} name serves this full build (it drives SNP NICs too).
   */
  IPXE_ARM64_EFI(
      "ipxe-arm64.efi",
      List.of("snponly-arm64.efi", "snponly-arm.efi", "ipxe-aa64.efi"),
      List.of(
          "ipxe-arm64.efi", "arm64-efi/ipxe.efi", "arm64-efi/snponly.efi", "snponly-arm64.efi")),
  /**
   * Debian's shim, signed by Microsoft's UEFI CA (package shim-signed): the first stage of the
   * Secure Boot chain. It loads {@code grubx64.efi} from the directory it was loaded from.
   */
  SHIM_X64(
      "shimx64.efi",
      List.of(),
      List.of("shimx64.efi.signed", "shimx64.efi", "../shim/shimx64.efi.signed"),
      true),
  /**
   * Debian's signed GRUB network image (package grub-efi-amd64-signed), served as {@code
   * grubx64.efi} where shim looks for it.
   */
  GRUBNET_X64(
      "grubnetx64.efi",
      List.of("grubx64.efi"),
      List.of(
          "grubnetx64.efi.signed",
          "grubnetx64.efi",
          "../grub/x86_64-efi-signed/grubnetx64.efi.signed"),
      true),
  /** 32-bit x86 UEFI, full iPXE (pixie's {@code ipxe32.efi}); no Debian package. */
  IPXE_I386_EFI(
      "ipxe32.efi",
      List.of("ipxe-i386.efi", "ipxe-ia32.efi"),
      List.of("ipxe32.efi", "i386-efi/ipxe.efi", "ipxe-i386.efi"),
      false),
  /** 32-bit x86 UEFI, SNP only (pixie's {@code snponly32.efi}); no Debian package. */
  SNPONLY_I386_EFI(
      "snponly32.efi",
      List.of("snponly-i386.efi"),
      List.of("snponly32.efi", "i386-efi/snponly.efi", "snponly-i386.efi"),
      false),
  /** 32-bit ARM UEFI, full iPXE; no Debian package. */
  IPXE_ARM32_EFI(
      "ipxe-arm32.efi",
      List.of("ipxe-arm.efi"),
      List.of("ipxe-arm32.efi", "arm32-efi/ipxe.efi"),
      false),
  /** 32-bit ARM UEFI, SNP only (pixie's {@code snponly-arm32.efi}); no Debian package. */
  SNPONLY_ARM32_EFI(
      "snponly-arm32.efi", List.of(), List.of("snponly-arm32.efi", "arm32-efi/snponly.efi"), false),
  ISOLINUX_BIN("isolinux.bin", List.of(), List.of("isolinux.bin", "ISOLINUX/isolinux.bin")),
  ISOHDPFX_BIN("isohdpfx.bin", List.of(), List.of("isohdpfx.bin", "ISOLINUX/isohdpfx.bin")),
  LDLINUX_C32(
      "ldlinux.c32",
      List.of(),
      List.of("ldlinux.c32", "syslinux/modules/bios/ldlinux.c32", "modules/bios/ldlinux.c32"));

  /** HTTP path under which the binaries are served by name (UEFI HTTP boot clients). */
  public static final String HTTP_PATH = "/firmware/";

  private final String fileName;
  private final List<String> aliases;
  private final List<String> searchPaths;
  private final boolean fromDebian;

  BootBinary(String fileName, List<String> aliases, List<String> searchPaths) {
    this(fileName, aliases, searchPaths, true);
  }

  BootBinary(String fileName, List<String> aliases, List<String> searchPaths, boolean fromDebian) {
    this.fileName = fileName;
    this.aliases = aliases;
    this.searchPaths = searchPaths;
    this.fromDebian = fromDebian;
  }

  /** Whether the pinned Debian packages ship it (so every complete build embeds it). */
  public boolean fromDebian() {
    return fromDebian;
  }

  /** The binaries every complete build embeds. */
  public static List<BootBinary> debian() {
    return java.util.Arrays.stream(values()).filter(BootBinary::fromDebian).toList();
  }

  /** Debian's name, and the name of the copy embedded in the jar. */
  public String fileName() {
    return fileName;
  }

  /** Other names this binary is served under over TFTP and HTTP. */
  public List<String> aliases() {
    return aliases;
  }

  /** Relative paths tried, in order, inside a user's {@code --firmware-dir}. */
  public List<String> searchPaths() {
    return searchPaths;
  }

  /** The binary served under {@code name} (its file name or an alias, in any case), if any. */
  public static java.util.Optional<BootBinary> byName(String name) {
    for (BootBinary b : values()) {
      if (b.fileName.equals(name) || b.aliases.contains(name)) {
        return java.util.Optional.of(b);
      }
    }
    for (BootBinary b : values()) {
      if (b.fileName.equalsIgnoreCase(name)
          || b.aliases.stream().anyMatch(a -> a.equalsIgnoreCase(name))) {
        return java.util.Optional.of(b);
      }
    }
    return java.util.Optional.empty();
  }
}
