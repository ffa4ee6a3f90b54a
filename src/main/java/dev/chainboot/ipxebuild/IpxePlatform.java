package dev.chainboot.ipxebuild;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The iPXE platforms chainboot builds, each with iPXE's output directory, the binaries a prepared
 * tree holds, and the cross compiler it needs on this host.
 */
public enum IpxePlatform {
  PCBIOS("pcbios", "bin", List.of("ipxe.lkrn"), "x86_64"),
  X86_64_EFI("x86_64-efi", "bin-x86_64-efi", List.of("ipxe.efi", "snponly.efi"), "x86_64"),
  I386_EFI("i386-efi", "bin-i386-efi", List.of("ipxe.efi", "snponly.efi"), "x86_64"),
  ARM64_EFI("arm64-efi", "bin-arm64-efi", List.of("ipxe.efi", "snponly.efi"), "aarch64"),
  ARM32_EFI("arm32-efi", "bin-arm32-efi", List.of("ipxe.efi", "snponly.efi"), "arm") {
    /**
     * Without peephole2, gcc (12, Thumb-2, {@code -Os}) does not pair adjacent word accesses into
     * {@code ldrd}/{@code strd}, which ARMv7 faults on when the address is not 4-byte aligned
     * whatever the firmware allows for single words. iPXE v2.0.0 writes such a pair in {@code
     * tcp_rx_enqueue} ({@code net/tcp.c}) in front of received TCP data that is only 2-byte aligned
     * behind a 14-byte Ethernet header: the machine stopped with a Data Abort on its second HTTP
     * download (AAVMF32, QEMU {@code virt}). With this flag {@code tcp.o} holds no {@code
     * ldrd}/{@code strd} at all (it held 38).
     */
    @Override
    public List<String> makeArgs() {
      return List.of("EXTRA_CFLAGS=-fno-peephole2");
    }
  };

  private final String id;
  private final String binDir;
  private final List<String> targets;
  private final String cpu;

  IpxePlatform(String id, String binDir, List<String> targets, String cpu) {
    this.id = id;
    this.binDir = binDir;
    this.targets = targets;
    this.cpu = cpu;
  }

  /** The name on the command line and in messages: {@code pcbios}, {@code x86_64-efi}, ... */
  public String id() {
    return id;
  }

  /** iPXE's output directory for this platform: {@code bin}, {@code bin-x86_64-efi}, ... */
  public String binDir() {
    return binDir;
  }

  /** The binaries {@code ipxe prepare} builds and later relinks: {@code ipxe.lkrn}, ... */
  public List<String> targets() {
    return targets;
  }

  /**
   * The {@code CROSS=} prefix on a host with CPU {@code hostArch} ({@code os.arch}), or empty when
   * the host's own gcc builds it (x86_64 gcc builds i386 with {@code -m32}).
   */
  public Optional<String> cross(String hostArch) {
    String host = normalizeCpu(hostArch);
    if (cpu.equals(host)) {
      return Optional.empty();
    }
    return Optional.of(
        switch (cpu) {
          case "aarch64" -> "aarch64-linux-gnu-";
          case "arm" -> "arm-linux-gnueabihf-";
          default -> "x86_64-linux-gnu-";
        });
  }

  /**
   * Extra {@code make} arguments this platform is built with, the same for {@code ipxe prepare} and
   * every later relink; recorded with a prepared tree, so that a tree prepared with others is known
   * to need preparing again ({@link IpxeBuilds.Prepared#current()}).
   */
  public List<String> makeArgs() {
    return List.of();
  }

  /** The cross prefix on this machine. */
  public Optional<String> cross() {
    return cross(System.getProperty("os.arch", ""));
  }

  /** The Debian package of the cross compiler for {@code prefix}. */
  static String crossPackage(String prefix) {
    return "gcc-" + prefix.substring(0, prefix.length() - 1);
  }

  private static String normalizeCpu(String arch) {
    return switch (arch.toLowerCase(Locale.ROOT)) {
      case "amd64", "x86_64" -> "x86_64";
      case "aarch64", "arm64" -> "aarch64";
      case "arm", "armhf", "armv7l" -> "arm";
      default -> arch;
    };
  }

  /** The platform named {@code id} ({@code pcbios}, {@code x86_64-efi}, ...). */
  public static Optional<IpxePlatform> byId(String id) {
    for (IpxePlatform p : values()) {
      if (p.id.equalsIgnoreCase(id.strip())) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** Every id, for messages. */
  public static String ids() {
    List<String> out = new ArrayList<>();
    for (IpxePlatform p : values()) {
      out.add(p.id);
    }
    return String.join("|", out);
  }

  @Override
  public String toString() {
    return id;
  }
}
