package dev.chainboot.firmware;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.Profile;
import dev.chainboot.testing.BootLab;
import dev.chainboot.testing.Guest;
import dev.chainboot.tls.CaFiles;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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
 * HTTPS with a private CA on stock Debian iPXE binaries, nothing rebuilt: {@code chainboot ca}
 * makes the CA and the server certificate, {@code serve --https} presents it, and proxyDHCP
 * force-sends the CA's fingerprint (option 175.90) in the answer the firmware gets, so the iPXE the
 * firmware starts trusts it.
 *
 * <ul>
 *   <li>UEFI: OVMF PXE boots snponly.efi, which does the same.
 *   <li>Refused: a second server whose DHCP answer names another CA than the one that signed its
 *       certificate: iPXE refuses the certificate, the console says why, and nothing is decided.
 * </ul>
 */
@Tag("qemu")
@Execution(ExecutionMode.CONCURRENT)
class HttpsQemuIT {

  static final String EFI = "52:54:00:c5:00:07";
  static final String REFUSED = "52:54:00:c5:00:99";

  @TempDir static Path tmp;
  static BootLab lab;
  static BootLab other;
  static byte[] kernel = new byte[64 * 1024];

  @BeforeAll
  static void start() throws Exception {
    new java.util.Random(443).nextBytes(kernel);
    lab = BootLab.create(Files.createDirectories(tmp.resolve("trusted")));
    other = BootLab.create(Files.createDirectories(tmp.resolve("refused")));
    for (BootLab l : List.of(lab, other)) {
      new CaFiles(l.data)
          .init(
              List.of(),
              List.of(InetAddress.getByName(l.server())),
              Duration.ofDays(2),
              false,
              Instant.now());
      Files.write(Files.createDirectories(l.data.resolve("assets")).resolve("kernel.bin"), kernel);
      l.store()
          .putProfile(
              Profile.kernel("https-kernel", "{{base_url}}/assets/kernel.bin", List.of(), "x"));
    }
    lab.machine(EFI, "https-kernel");
    lab.serve("--https", "0.0.0.0:8443");
    // the other server presents its own certificate but tells firmware to trust the first CA
    other.machine(REFUSED, "https-kernel");
    other.serve("--https", "0.0.0.0:8443", "--tls-ca", new CaFiles(lab.data).caCert().toString());
  }

  @AfterAll
  static void stop() {
    for (BootLab l : new BootLab[] {lab, other}) {
      if (l != null) {
        l.log()
            .lines()
            .filter(x -> x.contains("proxyDHCP") || x.contains("tftp") || x.contains("GET"))
            .forEach(System.out::println);
        l.close();
      }
    }
  }

  /** The kernel over HTTPS (the lab's only machine that gets this far). */
  static String kernelOverHttps() {
    return " GET /assets/kernel.bin 200 " + kernel.length + "B https";
  }

  /** The machine's script over HTTPS and the core's decision for it. */
  static void assertDecidedOverHttps(BootLab l, String mac) throws Exception {
    assertThat(l.log())
        .containsPattern(" GET /boot.ipxe\\?mac=" + mac.replace(':', '-') + "\\S* 200 \\d+B https");
    assertThat(l.events(mac, e -> e.match() == BootEvent.Match.STATIC))
        .anySatisfy(
            e -> {
              assertThat(e.match()).isEqualTo(BootEvent.Match.STATIC);
              assertThat(e.profile()).contains("https-kernel");
            });
  }

  @Test
  @Timeout(400)
  void uefiSnponlyTrustsThePrivateCaAndFetchesScriptAndKernelOverHttps() throws Exception {
    try (Guest g = lab.boot("cbtlsefi", Guest.Firmware.OVMF, Guest.Net.PXE, EFI)) {
      assertThat(g.await(() -> lab.log().contains(kernelOverHttps()), 300))
          .as("kernel over HTTPS; chainboot:%n%s%n%s", lab.log(), g.describe())
          .isTrue();
    }
    String log = lab.log();
    assertThat(log)
        .contains("proxyDHCP offer to " + EFI + " arch=7(EFI_X86_64) file=snponly.efi server=");
    assertThat(log)
        .contains(
            "proxyDHCP offer to "
                + EFI
                + " arch=7(EFI_X86_64) iPXE file=http://"
                + lab.server()
                + ":8080/boot-https.ipxe");
    assertDecidedOverHttps(lab, EFI);
  }

  @Test
  @Timeout(400)
  void aCertificateFromAnotherCaIsRefusedAndTheConsoleSaysWhy() throws Exception {
    try (Guest g = other.boot("cbtlsno", Guest.Firmware.OVMF, Guest.Net.PXE, REFUSED)) {
      assertThat(
              g.await(() -> g.console().contains("does not trust the server's certificate"), 300))
          .as("the refusal on the console; chainboot:%n%s%n%s", other.log(), g.describe())
          .isTrue();
      // iPXE's own reason: the certificate chain ends in a CA it was not told to trust
      assertThat(g.console()).contains("Permission denied");
      assertThat(g.console()).contains("chainboot: could not continue over HTTPS");
    }
    // it got as far as the HTTPS entry, and no further: nothing was decided over HTTPS
    String log = other.log();
    assertThat(log).contains(" GET /boot-https.ipxe 200 ");
    assertThat(log).doesNotContainPattern("GET /boot.ipxe\\?mac=\\S* 200 \\d+B https");
    // (its DHCP and TFTP stages are on its timeline; no decision is)
    assertThat(other.events(REFUSED, e -> false))
        .filteredOn(e -> e.match() != BootEvent.Match.STAGE)
        .isEmpty();
  }
}
