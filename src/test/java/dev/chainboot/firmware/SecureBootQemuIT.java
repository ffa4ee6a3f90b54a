package dev.chainboot.firmware;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.boot.Assignment;
import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.FirmwareSettings;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Machine;
import dev.chainboot.boot.Profile;
import dev.chainboot.testing.BootLab;
import dev.chainboot.testing.Guest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Secure Boot, for real: OVMF with Secure Boot enabled and Microsoft's keys enrolled ({@code
 * OVMF_CODE_4M.ms.fd}/{@code OVMF_VARS_4M.ms.fd}), chainboot's proxyDHCP and TFTP, and the Debian
 * binaries chainboot embeds (shim-signed, grub-efi-amd64-signed) and a Debian-signed kernel
 * (firmware/test-packages.tsv).
 *
 * <ul>
 *   <li>A machine whose profile needs the signed chain ({@code --loader shim-grub}) is offered
 *       {@code shimx64.efi}; shim loads {@code grubx64.efi} (the signed GRUB network image) from
 *       chainboot's TFTP, GRUB loads chainboot's {@code grub/grub.cfg} and then the machine's own
 *       configuration from {@code /boot/grub/MAC.cfg}, which the boot core decided (its once
 *       assignment, consumed and recorded as for iPXE) and rendered from the profile; GRUB fetches
 *       the signed kernel (it verifies it through shim) and then the initrd; the kernel says Secure
 *       Boot is on.
 *   <li>The negative: a machine whose loader is iPXE is offered {@code snponly.efi} (Debian's iPXE
 *       is unsigned) and the same firmware refuses it: "Access Denied", and no iPXE ever asks.
 * </ul>
 */
@Tag("qemu")
@Execution(ExecutionMode.CONCURRENT)
class SecureBootQemuIT {

  static final String SIGNED = "52:54:00:5b:00:01";
  static final String UNSIGNED = "52:54:00:5b:00:02";

  @TempDir static Path tmp;
  static BootLab lab;
  static byte[] kernel;
  static byte[] initrd;

  @BeforeAll
  static void start() throws Exception {
    Path signed =
        Path.of(System.getProperty("chainboot.testFirmware", "target/test-firmware"))
            .resolve("vmlinuz-signed");
    assertThat(signed)
        .as(
            "the Debian-signed test kernel (scripts/fetch-firmware with firmware/test-packages.tsv,"
                + " run by the build: mvn generate-test-resources)")
        .exists();
    kernel = Files.readAllBytes(signed);
    initrd = new byte[256 * 1024];
    new java.util.Random(13).nextBytes(initrd);
    lab = BootLab.create(tmp);
    Path assets = Files.createDirectories(lab.data.resolve("assets"));
    Files.write(assets.resolve("vmlinuz"), kernel);
    Files.write(assets.resolve("initrd.img"), initrd);
    var store = lab.store();
    store.putProfile(
        Profile.kernel(
                "debian-signed",
                "{{base_url}}/assets/vmlinuz",
                List.of("{{base_url}}/assets/initrd.img"),
                "console=ttyS0 panic=-1 chainboot.mac={{mac_hexhyp}}")
            .withLoader(Optional.of(FirmwareSettings.Loader.SHIM_GRUB)));
    store.putProfile(Profile.localDisk("disk"));
    store.putProfile(Profile.chain("marker", lab.markerUrl()));
    MacAddress signedMac = MacAddress.parse(SIGNED).orElseThrow();
    store.putMachine(Machine.of(signedMac));
    store.assign(new Assignment(signedMac, Assignment.Kind.ONCE, "debian-signed"));
    store.assign(new Assignment(signedMac, Assignment.Kind.STATIC, "disk"));
    lab.machine(UNSIGNED, "marker");
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

  @Test
  @Timeout(400)
  void theSignedChainBootsTheSignedKernelToItsInitrdUnderSecureBoot() throws Exception {
    String initrdGet = " GET /assets/initrd.img 200 " + initrd.length + "B";
    long t0 = System.nanoTime();
    try (Guest g = lab.boot("cbsbok", Guest.Firmware.OVMF_SECURE_BOOT, Guest.Net.PXE, SIGNED)) {
      assertThat(
              g.await(
                  () ->
                      lab.log().contains(initrdGet)
                          && g.console().contains("UEFI Secure Boot is enabled")
                          && g.console().contains("chainboot.mac=" + SIGNED.replace(':', '-')),
                  300))
          .as("initrd fetched and the kernel running; chainboot:%n%s%n%s", lab.log(), g.describe())
          .isTrue();
      System.out.println(
          "signed chain: kernel up after " + (System.nanoTime() - t0) / 1_000_000_000L + " s");
      // the kernel that runs is the one GRUB fetched, with this machine's rendered command line
      assertThat(g.console()).containsPattern("Command line: .*chainboot.mac=52-54-00-5b-00-01");
    }
    String log = lab.log();
    assertThat(log)
        .contains("proxyDHCP offer to " + SIGNED + " arch=7(EFI_X86_64) file=shimx64.efi");
    assertThat(log)
        .containsPattern(
            "file=\"shimx64.efi\".*bytes="
                + FirmwareCatalog.embedded().require(BootBinary.SHIM_X64).length
                + " .*result=ok");
    assertThat(log)
        .containsPattern(
            "file=\"grubx64.efi\".*bytes="
                + FirmwareCatalog.embedded().require(BootBinary.GRUBNET_X64).length
                + " .*result=ok");
    assertThat(log).containsPattern("file=\"/?grub/grub.cfg\".*result=ok");
    assertThat(log).contains(" GET /boot/grub/" + SIGNED + ".cfg 200 ");
    assertThat(log).contains(" GET /assets/vmlinuz 200 " + kernel.length + "B");
    // the once assignment decided, was consumed and recorded like any other boot
    List<BootEvent> events = lab.events(SIGNED, e -> e.match() == BootEvent.Match.ONCE);
    assertThat(events)
        .anySatisfy(
            e -> {
              assertThat(e.match()).isEqualTo(BootEvent.Match.ONCE);
              assertThat(e.onceConsumed()).isTrue();
              assertThat(e.profile()).contains("debian-signed");
              assertThat(e.protocol()).isEqualTo("http");
            });
    assertThat(lab.store().assignment(MacAddress.parse(SIGNED).orElseThrow(), Assignment.Kind.ONCE))
        .isEmpty();
  }

  @Test
  @Timeout(400)
  void theSameFirmwareRefusesDebiansUnsignedIpxe() throws Exception {
    try (Guest g = lab.boot("cbsbno", Guest.Firmware.OVMF_SECURE_BOOT, Guest.Net.PXE, UNSIGNED)) {
      assertThat(g.await(() -> g.console().contains("Access Denied"), 300))
          .as("the firmware refuses snponly.efi; chainboot:%n%s%n%s", lab.log(), g.describe())
          .isTrue();
      // it was offered and served whole: the refusal is the firmware's signature check
      String log = lab.log();
      assertThat(log)
          .contains("proxyDHCP offer to " + UNSIGNED + " arch=7(EFI_X86_64) file=snponly.efi");
      assertThat(log)
          .containsPattern(
              "file=\"snponly.efi\".*bytes="
                  + FirmwareCatalog.embedded().require(BootBinary.SNPONLY_X86_64_EFI).length
                  + " .*result=ok");
      Thread.sleep(3000); // an iPXE that had started would now be asking for its address
      assertThat(lab.log())
          .doesNotContain("proxyDHCP offer to " + UNSIGNED + " arch=7(EFI_X86_64) iPXE");
      assertThat(lab.markers()).doesNotContain(BootLab.markerRequest(UNSIGNED));
    }
  }
}
