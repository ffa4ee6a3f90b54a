package dev.chainboot.dhcp;

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

  /**
   * @param x86_64Efi the binary for x86_64 UEFI (option 93 = 7 or 9): {@code snponly.efi} (uses the
   *     firmware's NIC driver; the robust default) or {@code ipxe.efi}
   * @param available whether a binary can actually be served
   */
  public BootFileChooser(BootBinary x86_64Efi, Predicate<BootBinary> available) {
    if (x86_64Efi != BootBinary.SNPONLY_X86_64_EFI && x86_64Efi != BootBinary.IPXE_X86_64_EFI) {
      throw new IllegalArgumentException("not an x86_64 EFI binary: " + x86_64Efi.fileName());
    }
    this.x86_64Efi = x86_64Efi;
    this.available = available;
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
    return java.util.Optional.ofNullable(
        switch (arch) {
          case BIOS -> BootBinary.UNDIONLY_KPXE;
          case EFI_X86_64, EFI_BC, EFI_X86_64_HTTP -> x86_64Efi;
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
    if (!client.pxe() && !client.httpClient()) {
      return new NoFile(
          "not a PXE or HTTP boot client (vendor class '"
              + Printable.ascii(client.vendorClass(), 64)
              + "')");
    }
    if (client.archCode().isEmpty()) {
      return new NoFile("no client architecture (option 93)");
    }
    if (client.clientArch().isEmpty()) {
      return new NoFile("unknown client architecture " + client.archCode().get());
    }
    ClientArch arch = client.clientArch().get();
    if (client.ipxe()) {
      return new Target(ChainScripts.BOOT_PATH, true);
    }
    var binary = binaryFor(arch);
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
