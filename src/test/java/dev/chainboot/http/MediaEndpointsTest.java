package dev.chainboot.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Machine;
import dev.chainboot.boot.Profile;
import dev.chainboot.config.ServerConfig;
import dev.chainboot.server.ChainbootServer;
import dev.chainboot.testing.Proc;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /media/... served by the real server, fetched with curl, checked with fsck.fat, mtools and
 * xorriso.
 */
class MediaEndpointsTest {

  @TempDir static Path tmp;
  static ChainbootServer server;
  static String base;

  @BeforeAll
  static void start() throws Exception {
    server =
        new ChainbootServer(
                ServerConfig.builder(tmp.resolve("data"))
                    .http(new InetSocketAddress("127.0.0.1", 0))
                    .advertise(Optional.of("boot.example"))
                    .build())
            .start();
    base = "http://127.0.0.1:" + server.httpPort();
    server.store().putMachine(Machine.of(MacAddress.parse("52:54:00:ab:cd:ef").orElseThrow()));
    server
        .store()
        .putProfile(
            new Profile(
                "rack-7",
                Profile.Kind.LOCAL_DISK,
                Optional.empty(),
                List.of(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                List.of()));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** curl: headers to a file, body to a file; returns the header text. */
  private static String curl(Path body, String... args) {
    Path headers = tmp.resolve("h" + System.nanoTime());
    String[] cmd = new String[args.length + 7];
    cmd[0] = "curl";
    cmd[1] = "-sS";
    cmd[2] = "-D";
    cmd[3] = headers.toString();
    cmd[4] = "-o";
    cmd[5] = body.toString();
    cmd[6] = "--max-time";
    String[] full = new String[cmd.length + 1];
    System.arraycopy(cmd, 0, full, 0, 7);
    full[7] = "30";
    System.arraycopy(args, 0, full, 8, args.length);
    Proc.run(full).ok();
    try {
      return Files.readString(headers);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static String header(String headers, String name) {
    for (String line : headers.split("\r\n")) {
      if (line.toLowerCase().startsWith(name.toLowerCase() + ":")) {
        return line.substring(name.length() + 1).strip();
      }
    }
    return null;
  }

  @Test
  void machineEspChainsBackWithItsMacAndIsCachedByContent() throws Exception {
    Path body = tmp.resolve("m.esp");
    String h = curl(body, base + "/media/52:54:00:AB:CD:EF.esp");
    assertThat(h).startsWith("HTTP/1.1 200");
    assertThat(header(h, "Content-Length")).isEqualTo(String.valueOf(Files.size(body)));
    String etag = header(h, "ETag");
    assertThat(etag).matches("\"[0-9a-f]{32}\"");
    Proc.run("fsck.fat", "-n", body.toString()).ok();
    Path script = tmp.resolve("m.ipxe");
    Proc.run("mcopy", "-i", body.toString(), "::/autoexec.ipxe", script.toString()).ok();
    assertThat(Files.readString(script))
        .contains(
            "\nchain http://boot.example:"
                + server.httpPort()
                + "/boot.ipxe?mac=52-54-00-ab-cd-ef ||\n");
    // Same request: same bytes and ETag from the cache; If-None-Match gives 304.
    Path again = tmp.resolve("m2.esp");
    String h2 = curl(again, base + "/media/52-54-00-ab-cd-ef.esp");
    assertThat(header(h2, "ETag")).isEqualTo(etag);
    assertThat(Files.readAllBytes(again)).isEqualTo(Files.readAllBytes(body));
    String h3 =
        curl(
            tmp.resolve("m3"),
            "-H",
            "If-None-Match: " + etag,
            base + "/media/52-54-00-ab-cd-ef.esp");
    assertThat(h3).startsWith("HTTP/1.1 304");
    String head = curl(tmp.resolve("m4"), "-I", base + "/media/52-54-00-ab-cd-ef.esp");
    assertThat(header(head, "Content-Length")).isEqualTo(String.valueOf(Files.size(body)));
    assertThat(Files.size(tmp.resolve("m4")))
        .isLessThan(1000); // curl -I writes the headers there, no body
  }

  @Test
  void profileIsoCarriesTheIdentitySettingsAndValidates() throws Exception {
    Path body = tmp.resolve("p.iso");
    String h = curl(body, base + "/media/rack-7.iso?arch=x86_64,arm64");
    assertThat(h).startsWith("HTTP/1.1 200");
    assertThat(header(h, "Content-Type")).isEqualTo("application/x-iso9660-image");
    String r =
        Proc.run("xorriso", "-indev", body.toString(), "-report_el_torito", "plain").ok().out();
    assertThat(r)
        .containsPattern("El Torito boot img :\\s+1\\s+BIOS")
        .containsPattern("El Torito boot img :\\s+2\\s+UEFI");
    Path script = tmp.resolve("p.ipxe");
    Proc.run(
            "xorriso",
            "-osirrox",
            "on",
            "-indev",
            body.toString(),
            "-extract",
            "/AUTOEXEC.IPXE",
            script.toString())
        .ok();
    assertThat(Files.readString(script)).contains("/boot.ipxe?profile=rack-7&mac=${mac:hexhyp}&");
  }

  @Test
  void badRequestsGetClearErrors() throws Exception {
    Path b = tmp.resolve("err");
    assertThat(curl(b, base + "/media/a$b.iso")).startsWith("HTTP/1.1 400");
    assertThat(Files.readString(b)).contains("bad machine or profile name 'a$b'");
    assertThat(curl(b, base + "/media/a%24%7Bmac%7D.iso")).startsWith("HTTP/1.1 400");
    assertThat(curl(b, base + "/media/a'b.iso")).startsWith("HTTP/1.1 400");
    assertThat(curl(b, base + "/media/" + "x".repeat(65) + ".iso")).startsWith("HTTP/1.1 400");
    assertThat(curl(b, base + "/media/rack-7.iso?arch=mips")).startsWith("HTTP/1.1 400");
    assertThat(Files.readString(b)).contains("unknown architecture 'mips'");
    assertThat(curl(b, base + "/media/x.zip")).startsWith("HTTP/1.1 404");
    assertThat(curl(b, base + "/media/.iso")).startsWith("HTTP/1.1 404");
    assertThat(curl(b, "-X", "POST", base + "/media/x.iso")).startsWith("HTTP/1.1 405");
    // Unknown machines and profiles: 404 that says so, nothing built.
    assertThat(curl(b, base + "/media/02-00-00-00-00-01.iso")).startsWith("HTTP/1.1 404");
    assertThat(Files.readString(b)).contains("no machine 02-00-00-00-00-01");
    assertThat(curl(b, base + "/media/no-such-profile.esp")).startsWith("HTTP/1.1 404");
    assertThat(Files.readString(b)).contains("no machine or profile named 'no-such-profile'");
  }

  @Test
  void withoutAdvertiseTheRequestHostIsUsedAndChecked() throws Exception {
    try (ChainbootServer plain =
        new ChainbootServer(
                ServerConfig.builder(tmp.resolve("data2"))
                    .http(new InetSocketAddress("127.0.0.1", 0))
                    .build())
            .start()) {
      plain.store().putMachine(Machine.of(MacAddress.parse("aa-bb-cc-dd-ee-ff").orElseThrow()));
      String url = "http://127.0.0.1:" + plain.httpPort() + "/media/aa-bb-cc-dd-ee-ff.esp";
      Path body = tmp.resolve("plain.esp");
      assertThat(curl(body, "-H", "Host: boot.lan:8080", url)).startsWith("HTTP/1.1 200");
      Path script = tmp.resolve("plain.ipxe");
      Proc.run("mcopy", "-i", body.toString(), "::/autoexec.ipxe", script.toString()).ok();
      assertThat(Files.readString(script))
          .contains("\nchain http://boot.lan:8080/boot.ipxe?mac=aa-bb-cc-dd-ee-ff ||\n");
      // A hostile Host header is not used: the media chain to the address the request came in on.
      Path hostile = tmp.resolve("hostile.esp");
      assertThat(curl(hostile, "-H", "Host: bad_host$x", url)).startsWith("HTTP/1.1 200");
      Path s2 = tmp.resolve("hostile.ipxe");
      Proc.run("mcopy", "-i", hostile.toString(), "::/autoexec.ipxe", s2.toString()).ok();
      assertThat(Files.readString(s2))
          .contains(
              "\nchain http://127.0.0.1:"
                  + plain.httpPort()
                  + "/boot.ipxe?mac=aa-bb-cc-dd-ee-ff ||\n")
          .doesNotContain("bad_host");
    }
    assertThatThrownBy(() -> MediaEndpoints.script("http://a b", "x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MediaEndpoints.script("http://h", "x\nshell"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
