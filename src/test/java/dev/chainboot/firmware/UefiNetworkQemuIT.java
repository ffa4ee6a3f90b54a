package dev.chainboot.firmware;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.boot.Arch;
import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Machine;
import dev.chainboot.boot.Platform;
import dev.chainboot.boot.Profile;
import dev.chainboot.testing.BootLab;
import dev.chainboot.testing.Guest;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The UEFI network paths without an option ROM, each a real firmware in QEMU on a namespace LAN
 * whose own DHCP server (dnsmasq) knows nothing about booting: chainboot's proxyDHCP is the only
 * source of boot information.
 *
 * <ul>
 *   <li>UEFI HTTP boot, x86_64 (OVMF) and arm64 (AAVMF), PXE switched off: the firmware asks with
 *       {@code HTTPClient} and architecture 16 or 19, gets a URL and {@code HTTPClient} back, loads
 *       the iPXE binary over HTTP, and iPXE continues to {@code /boot.ipxe}.
 *   <li>arm64 PXE (AAVMF): the offer names {@code ipxe-arm64.efi}, our TFTP serves it, iPXE
 *       continues to {@code /boot.ipxe}.
 * </ul>
 *
 * Each ends at the machine's profile (a marker URL that names its MAC), and the machine's boot
 * events and record say what the core decided and which architecture it saw. The guests boot
 * concurrently (one lab, one chainboot).
 */
@Tag("qemu")
@Execution(ExecutionMode.CONCURRENT)
class UefiNetworkQemuIT {

  static final String HTTP_X64 = "52:54:00:a1:16:01";
  static final String HTTP_ARM64 = "52:54:00:a1:19:01";
  static final String PXE_ARM64 = "52:54:00:a1:11:01";

  @TempDir static Path tmp;
  static BootLab lab;

  @BeforeAll
  static void start() throws Exception {
    lab = BootLab.create(tmp);
    lab.store().putProfile(Profile.chain("marker", lab.markerUrl()));
    for (String mac : List.of(HTTP_X64, HTTP_ARM64, PXE_ARM64)) {
      lab.machine(mac, "marker");
    }
    lab.serve();
  }

  @AfterAll
  static void stop() {
    if (lab != null) {
      lab.log()
          .lines()
          .filter(l -> l.contains("proxyDHCP") || l.contains("tftp") || l.contains("GET"))
          .forEach(System.out::println);
      lab.close();
    }
  }

  /** Boots until the machine's marker is fetched; returns how many seconds it took. */
  static long bootToMarker(String tap, Guest.Firmware fw, Guest.Net net, String mac)
      throws Exception {
    long t0 = System.nanoTime();
    try (Guest g = lab.boot(tap, fw, net, mac)) {
      assertThat(g.await(() -> lab.markers().contains(BootLab.markerRequest(mac)), 300))
          .as("marker for %s; chainboot log:%n%s%n%s", mac, lab.log(), g.describe())
          .isTrue();
    }
    long s = (System.nanoTime() - t0) / 1_000_000_000L;
    System.out.println(tap + ": marker after " + s + " s");
    return s;
  }

  /** The core decided for this MAC (static -> marker) and recorded the firmware it saw. */
  static void assertDecided(String mac, Arch arch) throws Exception {
    assertThat(lab.events(mac, e -> e.match() == BootEvent.Match.STATIC))
        .anySatisfy(
            e -> {
              assertThat(e.match()).isEqualTo(BootEvent.Match.STATIC);
              assertThat(e.profile()).contains("marker");
              assertThat(e.protocol()).isEqualTo("http");
            });
    Machine m = lab.store().machine(MacAddress.parse(mac).orElseThrow()).orElseThrow();
    assertThat(m.arch()).contains(arch);
    assertThat(m.platform()).contains(Platform.EFI);
  }

  static int size(BootBinary b) {
    return FirmwareCatalog.embedded().require(b).length;
  }

  @Test
  @Timeout(400)
  void uefiHttpBootX64LoadsSnponlyOverHttpThenBootsItsProfile() throws Exception {
    bootToMarker("cbhttp16", Guest.Firmware.OVMF, Guest.Net.HTTP, HTTP_X64);
    String log = lab.log();
    String base = "http://" + lab.server() + ":8080";
    assertThat(log)
        .contains(
            "proxyDHCP offer to "
                + HTTP_X64
                + " arch=16(EFI_X86_64_HTTP) file="
                + base
                + "/firmware/snponly.efi");
    assertThat(log)
        .contains(" GET /firmware/snponly.efi 200 " + size(BootBinary.SNPONLY_X86_64_EFI) + "B");
    assertThat(log)
        .contains(
            "proxyDHCP offer to "
                + HTTP_X64
                + " arch=7(EFI_X86_64) iPXE file="
                + base
                + "/boot.ipxe");
    assertDecided(HTTP_X64, Arch.X86_64);
  }

  @Test
  @Timeout(400)
  void uefiHttpBootArm64LoadsIpxeOverHttpThenBootsItsProfile() throws Exception {
    bootToMarker("cbhttp19", Guest.Firmware.AAVMF, Guest.Net.HTTP, HTTP_ARM64);
    String log = lab.log();
    String base = "http://" + lab.server() + ":8080";
    assertThat(log)
        .contains(
            "proxyDHCP offer to "
                + HTTP_ARM64
                + " arch=19(EFI_ARM64_HTTP) file="
                + base
                + "/firmware/ipxe-arm64.efi");
    assertThat(log)
        .contains(" GET /firmware/ipxe-arm64.efi 200 " + size(BootBinary.IPXE_ARM64_EFI) + "B");
    assertThat(log)
        .contains(
            "proxyDHCP offer to "
                + HTTP_ARM64
                + " arch=11(EFI_ARM64) iPXE file="
                + base
                + "/boot.ipxe");
    assertDecided(HTTP_ARM64, Arch.ARM64);
  }

  @Test
  @Timeout(400)
  void arm64PxeLoadsIpxeOverTftpThenBootsItsProfile() throws Exception {
    bootToMarker("cbpxe11", Guest.Firmware.AAVMF, Guest.Net.PXE, PXE_ARM64);
    String log = lab.log();
    assertThat(log)
        .contains("proxyDHCP offer to " + PXE_ARM64 + " arch=11(EFI_ARM64) file=ipxe-arm64.efi");
    assertThat(log)
        .containsPattern(
            "file=\"ipxe-arm64.efi\".*bytes=" + size(BootBinary.IPXE_ARM64_EFI) + " .*result=ok");
    assertThat(log)
        .contains(
            "proxyDHCP offer to "
                + PXE_ARM64
                + " arch=11(EFI_ARM64) iPXE file=http://"
                + lab.server()
                + ":8080/boot.ipxe");
    assertDecided(PXE_ARM64, Arch.ARM64);
  }
}
