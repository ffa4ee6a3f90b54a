package dev.chainboot.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.boot.Profile;
import dev.chainboot.testing.BootLab;
import dev.chainboot.testing.Jar;
import dev.chainboot.testing.Processes;
import dev.chainboot.tls.CaFiles;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chainboot doctor} against the real server (the jar) in a network namespace: proxyDHCP on
 * 67/4011, TFTP, HTTP and HTTPS with a private CA. A healthy server passes every client with exit
 * 0; a profile URL that 404s, a wrong HTTP port, a missing binary for an architecture, a binary for
 * the wrong architecture and an HTTPS certificate from another CA each fail with exit 1 and say so.
 * No QEMU: the doctor plays the clients.
 */
@Timeout(600)
class DoctorIT {

  static final String BROKEN = "52:54:00:d0:c7:44";

  @TempDir static Path tmp;
  static BootLab healthy;
  static BootLab sick;

  record Run(int exit, String out) {}

  @BeforeAll
  static void start() throws Exception {
    healthy = BootLab.create(Files.createDirectories(tmp.resolve("healthy")));
    sick = BootLab.create(Files.createDirectories(tmp.resolve("sick")));
    for (BootLab l : List.of(healthy, sick)) {
      new CaFiles(l.data)
          .init(
              List.of(),
              List.of(InetAddress.getByName(l.server())),
              Duration.ofDays(90),
              false,
              Instant.now());
      Path assets = Files.createDirectories(l.data.resolve("assets"));
      Files.write(assets.resolve("vmlinuz"), new byte[4096]);
      Files.write(assets.resolve("initrd.img"), new byte[4096]);
      l.store()
          .putProfile(
              Profile.kernel(
                  "linux",
                  "{{base_url}}/assets/vmlinuz",
                  List.of("{{base_url}}/assets/initrd.img"),
                  "console=ttyS0"));
      l.store().setDefaultProfile(Optional.of("linux"));
    }
    healthy
        .store()
        .putProfile(Profile.kernel("broken", "{{base_url}}/assets/missing", List.of(), ""));
    healthy.machine(BROKEN, "broken");
    healthy.serve("--https", "0.0.0.0:8443", "--admin", "off");

    // the sick server: x86_64 UEFI gets the arm64 binary, and HTTPS presents a certificate of
    // another CA while proxyDHCP tells firmware to trust its own
    Path firmware = Files.createDirectories(tmp.resolve("sick-firmware"));
    Files.write(firmware.resolve("snponly.efi"), embedded("ipxe-arm64.efi"));
    Path other = Files.createDirectories(tmp.resolve("other-ca"));
    new CaFiles(other)
        .init(
            List.of(),
            List.of(InetAddress.getByName(sick.server())),
            Duration.ofDays(90),
            false,
            Instant.now());
    sick.serve(
        "--https",
        "0.0.0.0:8443",
        "--admin",
        "off",
        "--firmware-dir",
        firmware.toString(),
        "--tls-cert",
        new CaFiles(other).serverCert().toString(),
        "--tls-key",
        new CaFiles(other).serverKey().toString(),
        "--tls-ca",
        new CaFiles(sick.data).caCert().toString());
  }

  @AfterAll
  static void stop() {
    for (BootLab l : new BootLab[] {healthy, sick}) {
      if (l != null) {
        l.close();
      }
    }
  }

  /** An embedded boot binary, read from the jar under test. */
  static byte[] embedded(String name) throws Exception {
    try (JarFile jar = new JarFile(System.getProperty("chainboot.jar"));
        InputStream in = jar.getInputStream(jar.getEntry("dev/chainboot/firmware/bin/" + name))) {
      return in.readAllBytes();
    }
  }

  /** {@code chainboot doctor ARGS} in the lab's server namespace, as an operator on the server. */
  static Run doctor(BootLab lab, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", lab.lan.server()));
    List<String> a =
        new ArrayList<>(List.of("doctor", "--data", lab.data.toString(), "--proxy-dhcp"));
    a.addAll(List.of(args));
    cmd.addAll(Jar.command(a.toArray(String[]::new)));
    Processes.Output o =
        Processes.run(new ProcessBuilder(cmd).redirectErrorStream(true), Duration.ofSeconds(240));
    System.out.println(o.stdout());
    return new Run(o.exit(), o.stdout());
  }

  @Test
  void aHealthyServerBootsEveryClient() throws Exception {
    Run r = doctor(healthy);
    assertThat(r.exit()).as(r.out()).isZero();
    String ip = healthy.server();
    assertThat(r.out())
        .containsPattern("bios +dhcp +OK +file=undionly.kpxe next-server=" + ip)
        .containsPattern("bios +tftp +OK .*undionly.kpxe \\(blksize 1468\\)")
        .containsPattern("uefi-x64 +tftp +OK .*snponly.efi.* PE/COFF x86_64, iPXE")
        .containsPattern("uefi-arm64 +tftp +OK .*ipxe-arm64.efi.* PE/COFF arm64, iPXE")
        .containsPattern(
            "http-x64 +dhcp +OK +file=http://"
                + ip
                + ":8080/firmware/snponly.efi .*option60=HTTPClient")
        .containsPattern("http-arm64 +http +OK .*PE/COFF arm64")
        // chainboot's iPXE continues over HTTPS with the CA that 175.90 names
        .containsPattern("uefi-x64 +ipxe-dhcp +OK +file=http://" + ip + ":8080/boot-https.ipxe")
        .containsPattern("uefi-x64 +https +OK +" + ip + ":8443: .*RSA.*trusted")
        .containsPattern("uefi-x64 +kernel +OK +https://" + ip + ":8443/assets/vmlinuz: HTTP 200")
        // an iPXE ROM (no https feature) stays on HTTP
        .containsPattern("ipxe +dhcp +OK +file=http://" + ip + ":8080/boot.ipxe")
        .containsPattern("ipxe +initrd +OK +http://" + ip + ":8080/assets/initrd.img: HTTP 200")
        .contains("chainboot doctor: all clients boot")
        .doesNotContain(" FAIL ");

    Run json = doctor(healthy, "--client", "bios", "--json");
    assertThat(json.exit()).isZero();
    assertThat(json.out()).contains("\"ok\" : true").contains("\"step\" : \"tftp\"");
  }

  @Test
  void aProfileUrlThat404sFails() throws Exception {
    Run r = doctor(healthy, "--mac", BROKEN, "--client", "ipxe");
    assertThat(r.exit()).as(r.out()).isEqualTo(1);
    assertThat(r.out())
        .containsPattern(
            "ipxe +kernel +FAIL +http://"
                + healthy.server()
                + ":8080/assets/missing: HTTP 404 -- the machine cannot fetch its kernel");
  }

  @Test
  void aWrongHttpPortFails() throws Exception {
    Run r =
        doctor(healthy, "--dhcp", "off", "--http", healthy.server() + ":8089", "--client", "ipxe");
    assertThat(r.exit()).as(r.out()).isEqualTo(1);
    assertThat(r.out())
        .containsPattern("ipxe +dhcp +WARN +not asked")
        .containsPattern(
            "ipxe +script +FAIL +http://"
                + healthy.server()
                + ":8089/boot.ipxe -- connection refused");
  }

  @Test
  void aMissingBinaryForAnArchitectureFails() throws Exception {
    // chainboot has no i386 UEFI binary unless the operator adds one: proxyDHCP stays silent
    Run r = doctor(healthy, "--client", "uefi-ia32", "--timeout", "1s");
    assertThat(r.exit()).as(r.out()).isEqualTo(1);
    assertThat(r.out())
        .containsPattern("uefi-ia32 +dhcp +FAIL .*no answer from")
        .contains(
            "the server has no snponly32.efi for arch 6 (i386; HTTP 404 for /firmware/snponly32.efi)");
  }

  @Test
  void aBinaryForTheWrongArchitectureFails() throws Exception {
    Run r = doctor(sick, "--client", "uefi-x64,http-x64");
    assertThat(r.exit()).as(r.out()).isEqualTo(1);
    assertThat(r.out())
        .containsPattern(
            "uefi-x64 +tftp +FAIL .*snponly.efi.*PE/COFF arm64 -- a PE/COFF image for arm64, but this client runs x86_64 images")
        .containsPattern("http-x64 +http +FAIL .*/firmware/snponly.efi.*PE/COFF arm64");
  }

  @Test
  void aCertificateFromAnotherCaFails() throws Exception {
    Run r = doctor(sick, "--client", "uefi-arm64");
    assertThat(r.exit()).as(r.out()).isEqualTo(1);
    assertThat(r.out())
        .containsPattern("uefi-arm64 +tftp +OK")
        .containsPattern(
            "uefi-arm64 +https +FAIL +"
                + sick.server()
                + ":8443: .* -- the certificate is not from a CA the client trusts")
        .doesNotContain("uefi-arm64 kernel");
    // trusting the other CA by hand (--ca) is what would make it pass
    Run trusting =
        doctor(
            sick,
            "--client",
            "uefi-arm64",
            "--ca",
            new CaFiles(tmp.resolve("other-ca")).caCert().toString());
    assertThat(trusting.exit()).as(trusting.out()).isZero();
  }
}
