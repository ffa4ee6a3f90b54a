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
 *   <li>BIOS: SeaBIOS's NIC ROM is QEMU's 2019 iPXE, without HTTPS. With HTTPS on, proxyDHCP
 *       answers it with chainboot's undionly.kpxe (Debian's, with HTTPS) over TFTP; that iPXE runs
 *       on the ROM's PXE stack, starts with the ROM's DHCP answer (option 175.90 included, through
 *       PXENV_GET_CACHED_INFO), and its own DISCOVER says HTTPS, so it is sent to the HTTPS entry.
 *   <li>UEFI: OVMF PXE boots snponly.efi, which does the same.
 *   <li>Refused: a second server whose DHCP answer names another CA than the one that signed its
 *       certificate: iPXE refuses the certificate, the console says why, and nothing is decided.
 * </ul>
 */
@Tag("qemu")
@Execution(ExecutionMode.CONCURRENT)
class HttpsQemuIT {

  static final String EFI = "52:54:00:c5:00:07";
  static final String BIOS = "52:54:00:c5:00:00";
  static final String REFUSED = "52:54:00:c5:00:99";
  static final String REFUSED_BIOS = "52:54:00:c5:00:98";

  @TempDir static Path tmp;
  static BootLab lab;
  static BootLab other;
  static byte[] kernel = new byte[64 * 1024];
  static byte[] biosKernel = new byte[48 * 1024];

  @BeforeAll
  static void start() throws Exception {
    new java.util.Random(443).nextBytes(kernel);
    new java.util.Random(80).nextBytes(biosKernel);
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
      Files.write(l.data.resolve("assets").resolve("bios-kernel.bin"), biosKernel);
      l.store()
          .putProfile(
              Profile.kernel("https-kernel", "{{base_url}}/assets/kernel.bin", List.of(), "x"));
      l.store()
          .putProfile(
              Profile.kernel(
                  "https-bios-kernel", "{{base_url}}/assets/bios-kernel.bin", List.of(), "x"));
    }
    lab.machine(EFI, "https-kernel");
    lab.machine(BIOS, "https-bios-kernel");
    lab.serve("--https", "0.0.0.0:8443");
    // the other server presents its own certificate but tells firmware to trust the first CA
    other.machine(REFUSED, "https-kernel");
    other.machine(REFUSED_BIOS, "https-bios-kernel");
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

  /** The UEFI machine's kernel over HTTPS. */
  static String kernelOverHttps() {
    return " GET /assets/kernel.bin 200 " + kernel.length + "B https";
  }

  /** The BIOS machine's kernel over HTTPS. */
  static String biosKernelOverHttps() {
    return " GET /assets/bios-kernel.bin 200 " + biosKernel.length + "B https";
  }

  /** The machine's script over HTTPS and the core's decision for it. */
  static void assertDecidedOverHttps(BootLab l, String mac) throws Exception {
    assertDecidedOverHttps(l, mac, "https-kernel");
  }

  static void assertDecidedOverHttps(BootLab l, String mac, String profile) throws Exception {
    assertThat(l.log())
        .containsPattern(" GET /boot.ipxe\\?mac=" + mac.replace(':', '-') + "\\S* 200 \\d+B https");
    assertThat(l.events(mac, e -> e.match() == BootEvent.Match.STATIC))
        .anySatisfy(
            e -> {
              assertThat(e.match()).isEqualTo(BootEvent.Match.STATIC);
              assertThat(e.profile()).contains(profile);
            });
  }

  /**
   * The refused machine's events: the stages it went through (DHCP offers, TFTP), and no decision
   * (the core decides only for the HTTPS /boot.ipxe, which iPXE refused to fetch).
   */
  static void assertOnlyStages(String mac) throws Exception {
    List<BootEvent> events = other.events(mac, e -> false);
    assertThat(events).extracting(BootEvent::stage).contains(BootEvent.Stage.DHCP_OFFER);
    assertThat(events).extracting(BootEvent::match).containsOnly(BootEvent.Match.STAGE);
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
  void biosIpxeRomLoadsUndionlyWhichTrustsThePrivateCaAndFetchesScriptAndKernelOverHttps()
      throws Exception {
    try (Guest g = lab.boot("cbtlsbios", Guest.Firmware.BIOS, Guest.Net.PXE, BIOS)) {
      assertThat(g.await(() -> lab.log().contains(biosKernelOverHttps()), 300))
          .as("BIOS kernel over HTTPS; chainboot:%n%s%n%s", lab.log(), g.describe())
          .isTrue();
      // the ROM (QEMU's 2019 iPXE, no HTTPS) started, then Debian's iPXE from our TFTP
      assertThat(g.console()).contains("iPXE 1.0.0+git-2019", "iPXE 1.21");
    }
    String log = lab.log();
    // the ROM iPXE: undionly.kpxe over TFTP, with the CA fingerprint in the same answer
    assertThat(log)
        .contains(
            "proxyDHCP offer to "
                + BIOS
                + " arch=0(BIOS) iPXE file=undionly.kpxe server="
                + lab.server()
                + " trust=1");
    assertThat(log).containsPattern("file=\"undionly.kpxe\".*result=ok");
    // undionly.kpxe says HTTPS: the HTTPS entry, over which it goes on
    assertThat(log)
        .contains(
            "proxyDHCP offer to "
                + BIOS
                + " arch=0(BIOS) iPXE file=http://"
                + lab.server()
                + ":8080/boot-https.ipxe");
    assertDecidedOverHttps(lab, BIOS, "https-bios-kernel");
  }

  @Test
  @Timeout(400)
  void biosWithACertificateFromAnotherCaIsRefusedAndTheConsoleSaysWhy() throws Exception {
    try (Guest g = other.boot("cbtlsbiosno", Guest.Firmware.BIOS, Guest.Net.PXE, REFUSED_BIOS)) {
      // the BIOS console breaks lines at 80 columns
      assertThat(
              g.await(
                  () ->
                      g.console()
                          .replace("\n", "")
                          .contains("does not trust the server's certificate"),
                  300))
          .as("the refusal on the console; chainboot:%n%s%n%s", other.log(), g.describe())
          .isTrue();
      assertThat(g.console()).contains("Permission denied");
      assertThat(g.console().replace("\n", ""))
          .contains("chainboot: could not continue over HTTPS");
    }
    String log = other.log();
    assertThat(log)
        .contains("proxyDHCP offer to " + REFUSED_BIOS + " arch=0(BIOS) iPXE file=undionly.kpxe");
    assertThat(log).doesNotContain(" GET /assets/bios-kernel.bin");
    assertOnlyStages(REFUSED_BIOS);
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
    assertOnlyStages(REFUSED);
  }
}
