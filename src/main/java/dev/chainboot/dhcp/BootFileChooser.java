package dev.chainboot.dhcp;

import dev.chainboot.boot.FirmwareSettings;
import dev.chainboot.firmware.BootBinary;
import dev.chainboot.ipxe.ChainScripts;
import dev.chainboot.text.Printable;
import java.util.function.Predicate;

/**
 * Which file a network-booting client should load next, from its architecture (option 93) and
 * whether it is already iPXE: the iPXE binary for its firmware over TFTP, the same binary as an
 * {@code http://} URL for UEFI HTTP boot, or the HTTP {@code /boot.ipxe} for iPXE itself (which
 * ends the chain-loading loop). Pure: the server's address and ports come in as arguments.
 */
public final class BootFileChooser {

  private final BootBinary x86_64Efi;
  private final Predicate<BootBinary> available;
  private final boolean https;

  /**
   * @param x86_64Efi the binary for x86_64 UEFI (option 93 = 7 or 9): {@code snponly.efi} (uses the
   *     firmware's NIC driver; the robust default) or {@code ipxe.efi}; a machine's {@code
   *     efi-binary} setting wins
   * @param available whether a binary can actually be served
   */
  public BootFileChooser(BootBinary x86_64Efi, Predicate<BootBinary> available) {
    this(x86_64Efi, available, false);
  }

  /**
   * @param https whether this server answers HTTPS: iPXE that can use it (and whose machine does
   *     not say {@code https=off}) is sent to {@link ChainScripts#HTTPS_ENTRY_PATH}
   */
  public BootFileChooser(BootBinary x86_64Efi, Predicate<BootBinary> available, boolean https) {
    if (x86_64Efi != BootBinary.SNPONLY_X86_64_EFI && x86_64Efi != BootBinary.IPXE_X86_64_EFI) {
      throw new IllegalArgumentException("not an x86_64 EFI binary: " + x86_64Efi.fileName());
    }
    this.x86_64Efi = x86_64Efi;
    this.available = available;
    this.https = https;
  }

  /** A decision: the file (a TFTP name or a URL) or why there is none. */
  public sealed interface Choice permits BootFile, NoFile, Target {}

  /**
   * @param file what goes into the reply's boot file name
   * @param http the file is a URL fetched over HTTP (the reply says {@code HTTPClient})
   */
  public record BootFile(String file, boolean http) implements Choice {}

  public record NoFile(String reason) implements Choice {}

  /**
   * The iPXE binary for a (non-iPXE) client of this architecture, if chainboot knows one: for i386
   * and arm32 UEFI (no Debian binaries) the SNP-only build when it is available, else the full one.
   */
  public java.util.Optional<BootBinary> binaryFor(ClientArch arch) {
    return binaryFor(arch, FirmwareSettings.NONE);
  }

  /**
   * The iPXE binary for a (non-iPXE) client of this architecture with these firmware settings
   * ({@code efi-binary}), if chainboot has one. Codes 7 and 9 are both x86_64 UEFI (firmware sends
   * either; treating 9 as something else makes machines loop).
   */
  public java.util.Optional<BootBinary> binaryFor(ClientArch arch, FirmwareSettings fw) {
    BootBinary efi =
        fw.efiBinary()
            .map(
                b ->
                    b == FirmwareSettings.EfiBinary.IPXE
                        ? BootBinary.IPXE_X86_64_EFI
                        : BootBinary.SNPONLY_X86_64_EFI)
            .orElse(x86_64Efi);
    return java.util.Optional.ofNullable(
        switch (arch) {
          case BIOS -> BootBinary.UNDIONLY_KPXE;
          case EFI_X86_64, EFI_BC, EFI_X86_64_HTTP -> efi;
          case EFI_ARM64, EFI_ARM64_HTTP -> BootBinary.IPXE_ARM64_EFI;
          case EFI_IA32, EFI_IA32_HTTP ->
              firstAvailable(BootBinary.SNPONLY_I386_EFI, BootBinary.IPXE_I386_EFI);
          case EFI_ARM32, EFI_ARM32_HTTP ->
              firstAvailable(BootBinary.SNPONLY_ARM32_EFI, BootBinary.IPXE_ARM32_EFI);
        });
  }

  private BootBinary firstAvailable(BootBinary preferred, BootBinary other) {
    return available.test(preferred) || !available.test(other) ? preferred : other;
  }

  /**
   * What a client gets, before it is addressed: a TFTP file name, or a path on this server's HTTP
   * port (the {@code /boot.ipxe} for iPXE, a binary for UEFI HTTP boot).
   *
   * @param name the TFTP file name, or the HTTP path starting with '/'
   * @param http fetched over HTTP
   */
  public record Target(String name, boolean http) implements Choice {

    /** The file for the reply, with the URL's host and port when it is fetched over HTTP. */
    public BootFile at(String host, int httpPort) {
      return new BootFile(http ? "http://" + host + ":" + httpPort + name : name, http);
    }
  }

  /**
   * @param client what the client said
   * @return a {@link Target} or a {@link NoFile}
   */
  public Choice choose(PxeClient client) {
    return choose(client, FirmwareSettings.NONE);
  }

  /**
   * Whether the client is one this chooser can answer at all (a PXE or HTTP boot client of an
   * architecture chainboot knows), before anyone asks the boot core about the machine.
   *
   * @return empty, or the {@link NoFile} saying why not
   */
  public java.util.Optional<NoFile> unanswerable(PxeClient client) {
    if (!client.pxe() && !client.httpClient()) {
      return java.util.Optional.of(
          new NoFile(
              "not a PXE or HTTP boot client (vendor class '"
                  + Printable.ascii(client.vendorClass(), 64)
                  + "')"));
    }
    if (client.archCode().isEmpty()) {
      return java.util.Optional.of(new NoFile("no client architecture (option 93)"));
    }
    if (client.clientArch().isEmpty()) {
      return java.util.Optional.of(
          new NoFile("unknown client architecture " + client.archCode().get()));
    }
    ClientArch arch = client.clientArch().get();
    if (!client.ipxe() && binaryFor(arch).isEmpty()) {
      return java.util.Optional.of(
          new NoFile("no iPXE binary for architecture " + arch.code() + " (" + arch + ")"));
    }
    return java.util.Optional.empty();
  }

  /**
   * Where chainboot's own iPXE (started by the firmware with this server's DHCP answer, so it
   * trusts the CA the answer names) continues: the HTTPS entry when this server answers HTTPS and
   * the machine does not say {@code https=off}, else {@code /boot.ipxe}.
   */
  public String ipxeEntry(FirmwareSettings fw) {
    return https && fw.https().orElse(true)
        ? ChainScripts.HTTPS_ENTRY_PATH
        : ChainScripts.BOOT_PATH;
  }

  /**
   * What a client gets with its machine's firmware settings: iPXE gets {@code /boot.ipxe} (or the
   * HTTPS entry), firmware the binary of its loader for its architecture.
   *
   * @param client what the client said
   * @param fw the machine's firmware settings (loader, efi-binary, https)
   * @return a {@link Target} or a {@link NoFile}
   */
  public Choice choose(PxeClient client, FirmwareSettings fw) {
    var no = unanswerable(client);
    if (no.isPresent()) {
      return no.get();
    }
    ClientArch arch = client.clientArch().get();
    if (client.ipxe()) {
      if (client.ipxeHttps()) {
        // iPXE that says it can fetch https:// (option 175 feature 0x14) goes on over HTTPS
        return new Target(ipxeEntry(fw), true);
      }
      if (biosRomToUndionly(arch, fw)) {
        return new Target(BootBinary.UNDIONLY_KPXE.fileName(), false);
      }
      return new Target(ChainScripts.BOOT_PATH, true);
    }
    if (fw.loaderOrDefault() == FirmwareSettings.Loader.SHIM_GRUB) {
      return signedChain(arch);
    }
    var binary = binaryFor(arch, fw);
    if (binary.isEmpty()) {
      return new NoFile("no iPXE binary for architecture " + arch.code() + " (" + arch + ")");
    }
    if (!available.test(binary.get())) {
      return new NoFile(binary.get().fileName() + " is not available (see --firmware-dir)");
    }
    if (arch.http()) {
      return new Target(BootBinary.HTTP_PATH + binary.get().fileName(), true);
    }
    return new Target(binary.get().fileName(), false);
  }

  /**
   * Whether a BIOS iPXE that cannot fetch https:// (a NIC's option ROM: QEMU's 2019 build, older
   * cards') is to load chainboot's {@code undionly.kpxe} instead of {@code /boot.ipxe}: when this
   * server answers HTTPS for the machine. That iPXE (Debian's, with HTTPS) runs on the ROM's PXE
   * stack and starts with the ROM's DHCP answer, which carries the CA's fingerprint (option
   * 175.90), so it trusts chainboot's CA; its own DHCP request then says HTTPS and it is sent to
   * the HTTPS entry, which ends the chain (an {@code undionly.kpxe} without HTTPS would loop: the
   * embedded one has it). Without HTTPS, or with {@code https=off}, the ROM stays on plain HTTP.
   */
  private boolean biosRomToUndionly(ClientArch arch, FirmwareSettings fw) {
    return arch == ClientArch.BIOS
        && ipxeEntry(fw).equals(ChainScripts.HTTPS_ENTRY_PATH)
        && available.test(BootBinary.UNDIONLY_KPXE);
  }

  /** The first file of the Secure Boot chain (shim), for x86_64 UEFI PXE only. */
  private Choice signedChain(ClientArch arch) {
    if (arch == ClientArch.EFI_X86_64_HTTP) {
      return new NoFile(
          "the shim-grub loader is served over PXE (TFTP), not UEFI HTTP boot: let this machine"
              + " PXE boot, or give it loader=ipxe");
    }
    if (arch != ClientArch.EFI_X86_64 && arch != ClientArch.EFI_BC) {
      return new NoFile(
          "the shim-grub loader is for x86_64 UEFI (option 93 = 7 or 9), not architecture "
              + arch.code()
              + " ("
              + arch
              + ")");
    }
    for (BootBinary b : java.util.List.of(BootBinary.SHIM_X64, BootBinary.GRUBNET_X64)) {
      if (!available.test(b)) {
        return new NoFile(b.fileName() + " is not available (see --firmware-dir)");
      }
    }
    return new Target(BootBinary.SHIM_X64.fileName(), false);
  }

  /**
   * @param client what the client said
   * @param host the address or name to put into URLs (this server as the client reaches it)
   * @param httpPort this server's HTTP port
   * @return a {@link BootFile} or a {@link NoFile}
   */
  public Choice choose(PxeClient client, String host, int httpPort) {
    Choice c = choose(client);
    return c instanceof Target t ? t.at(host, httpPort) : c;
  }
}
