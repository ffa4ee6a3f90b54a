package dev.chainboot.dhcp;

import dev.chainboot.firmware.BootBinary;
import java.util.function.Predicate;

/**
 * Which file a network-booting client should load next, from its architecture (option 93) and
 * whether it is already iPXE: the iPXE binary for its firmware over TFTP, the same binary as an
 * {@code http://} URL for UEFI HTTP boot, or the HTTP {@code /boot.ipxe} for iPXE itself (which
 * ends the chain-loading loop). Pure: the server's address and ports come in as arguments.
 */
public final class BootFileChooser {

  /** HTTP path under which the boot binaries are served by name. */
  public static final String FIRMWARE_PATH = "/firmware/";

  private final BootBinary x86_64Efi;
  private final Predicate<BootBinary> available;

  /**
   * @param x86_64Efi the binary for x86_64 UEFI (option 93 = 7 or 9): {@code snponly.efi}
   *     (uses the firmware's NIC driver; the robust default) or {@code ipxe.efi}
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
  public sealed interface Choice {}

  /**
   * @param file what goes into the reply's boot file name
   * @param http the file is a URL fetched over HTTP (the reply says {@code HTTPClient})
   */
  public record BootFile(String file, boolean http) implements Choice {}

  public record NoFile(String reason) implements Choice {}

  /** The iPXE binary for a (non-iPXE) client of this architecture, if chainboot has one. */
  public java.util.Optional<BootBinary> binaryFor(ClientArch arch) {
    return java.util.Optional.ofNullable(switch (arch) {
      case BIOS -> BootBinary.UNDIONLY_KPXE;
      case EFI_X86_64, EFI_BC, EFI_X86_64_HTTP -> x86_64Efi;
      case EFI_ARM64, EFI_ARM64_HTTP -> BootBinary.IPXE_ARM64_EFI;
      case EFI_IA32, EFI_IA32_HTTP, EFI_ARM32, EFI_ARM32_HTTP -> null;
    });
  }

  /**
   * @param client what the client said
   * @param host the address or name to put into URLs (this server as the client reaches it)
   * @param httpPort this server's HTTP port
   */
  public Choice choose(PxeClient client, String host, int httpPort) {
    if (!client.pxe() && !client.httpClient()) {
      return new NoFile("not a PXE or HTTP boot client (vendor class '" + printable(client.vendorClass()) + "')");
    }
    if (client.archCode().isEmpty()) {
      return new NoFile("no client architecture (option 93)");
    }
    if (client.clientArch().isEmpty()) {
      return new NoFile("unknown client architecture " + client.archCode().get());
    }
    ClientArch arch = client.clientArch().get();
    String base = "http://" + host + ":" + httpPort;
    if (client.ipxe()) {
      return new BootFile(base + "/boot.ipxe", true);
    }
    var binary = binaryFor(arch);
    if (binary.isEmpty()) {
      return new NoFile("no iPXE binary for architecture " + arch.code() + " (" + arch + ")");
    }
    if (!available.test(binary.get())) {
      return new NoFile(binary.get().fileName() + " is not available (see --firmware-dir)");
    }
    if (arch.http()) {
      return new BootFile(base + FIRMWARE_PATH + binary.get().fileName(), true);
    }
    return new BootFile(binary.get().fileName(), false);
  }

  static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && i < 64; i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c >= 0x7f ? '?' : c);
    }
    return b.toString();
  }
}
