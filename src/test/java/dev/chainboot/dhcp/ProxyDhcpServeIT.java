package dev.chainboot.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.testing.Lan;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real jar, on loopback: flags, the privilege hint, and {@code /firmware/<name>} over HTTP. */
class ProxyDhcpServeIT {

  @TempDir Path dir;

  record Run(int exit, String out) {}

  Run run(List<String> cmd) throws Exception {
    dev.chainboot.testing.Processes.Output o =
        dev.chainboot.testing.Processes.run(
            new ProcessBuilder(cmd).redirectErrorStream(true), java.time.Duration.ofSeconds(60));
    return new Run(o.exit(), o.stdout());
  }

  List<String> serve(String... args) {
    List<String> c =
        new ArrayList<>(
            List.of(
                ProxyDhcpIT.javaBin(),
                "-jar",
                System.getProperty("chainboot.jar"),
                "serve",
                "--data",
                dir.resolve("data").toString(),
                "--tftp",
                "off",
                "--http",
                "127.0.0.1:0"));
    c.addAll(List.of(args));
    return c;
  }

  @Test
  void badEfiBinaryIsAUsageError() throws Exception {
    Run r = run(serve("--proxy-dhcp", "--efi-binary", "undionly.kpxe"));
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.out()).contains("--efi-binary must be snponly.efi or ipxe.efi");
  }

  /**
   * Without the privilege for UDP 67 on every machine (whatever the host's
   * ip_unprivileged_port_start): no capabilities, in a fresh network namespace whose
   * ip_unprivileged_port_start is 1024 ({@link dev.chainboot.testing.Unprivileged}). A server that
   * did bind would keep running: the bounded run then fails the test.
   */
  @Test
  @org.junit.jupiter.api.Timeout(120)
  void withoutPrivilegeTheErrorSaysHowToFixIt() throws Exception {
    Path data = dir.resolve("data");
    Files.createDirectories(data);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxrwxrwx"));
    Run r = run(dev.chainboot.testing.Unprivileged.command(serve("--proxy-dhcp")));
    dev.chainboot.testing.Unprivileged.assertSetUp(r.out());
    assertThat(r.exit()).as(r.out()).isEqualTo(1);
    assertThat(r.out())
        .contains("cannot start proxyDHCP: cannot bind UDP")
        .contains("setcap cap_net_bind_service");
  }

  @Test
  void firmwareIsServedOverHttpByName() throws Exception {
    Path log = dir.resolve("serve.log");
    Process p =
        new ProcessBuilder(serve()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      assertThat(Lan.await(log, "HTTP listening on", p, 60)).isTrue();
      Matcher m =
          Pattern.compile("HTTP listening on 127.0.0.1:(\\d+)").matcher(Files.readString(log));
      assertThat(m.find()).isTrue();
      String base = "http://127.0.0.1:" + m.group(1) + "/firmware/";
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<byte[]> ok =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "snponly.efi")).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body().length).isGreaterThan(10_000);
      assertThat(new String(ok.body(), 0, 2, StandardCharsets.ISO_8859_1))
          .isEqualTo("MZ"); // a PE image
      for (String bad : List.of("nope.efi", "..%2F..%2Fetc%2Fpasswd", "")) {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(base + bad)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(bad).isIn(400, 404); // Jetty refuses encoded slashes with 400
        assertThat(r.body()).doesNotContain("root:");
      }
    } finally {
      dev.chainboot.testing.Processes.stop(p);
    }
  }
}
