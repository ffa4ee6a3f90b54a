package dev.chainboot.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.config.ServerConfig;
import dev.chainboot.firmware.BootBinary;
import dev.chainboot.server.ChainbootServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zero-OS's /iso/, /usb/, /uefimg/, /uefi/ and /krn/ URLs, checked with xorriso, sfdisk, fsck.fat,
 * mtools.
 */
class ZeroOsMediaTest {

  @TempDir static Path tmp;
  static ChainbootServer server;
  static String base;
  static final HttpClient http =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  @BeforeAll
  static void start() throws Exception {
    server =
        new ChainbootServer(
                ServerConfig.builder(tmp.resolve("data"))
                    .http(new InetSocketAddress("127.0.0.1", 0))
                    .build())
            .start();
    base = "http://127.0.0.1:" + server.httpPort();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static HttpResponse<byte[]> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + path)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  static String run(String... cmd) throws Exception {
    dev.chainboot.testing.Processes.Output o =
        dev.chainboot.testing.Processes.run(java.time.Duration.ofSeconds(60), cmd);
    assertThat(o.exit()).as(String.join(" ", cmd) + "\n" + o.stdout()).isZero();
    return o.stdout();
  }

  private static Path save(String name, byte[] body) throws IOException {
    Path p = tmp.resolve(name);
    Files.write(p, body);
    return p;
  }

  @Test
  void isoChainsToTheSameZeroOsPathUnderIpxe() throws Exception {
    HttpResponse<byte[]> r = get("/iso/prod/1234");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Length")).hasValue(String.valueOf(r.body().length));
    assertThat(r.headers().firstValue("Content-Disposition").orElseThrow())
        .contains("ipxe-prod.iso");
    Path iso = save("z.iso", r.body());
    assertThat(run("xorriso", "-indev", iso.toString(), "-report_el_torito", "plain"))
        .containsPattern("boot img :\\s+1\\s+BIOS")
        .containsPattern("boot img :\\s+2\\s+UEFI");
    Path script = tmp.resolve("z.ipxe");
    run(
        "xorriso",
        "-osirrox",
        "on",
        "-indev",
        iso.toString(),
        "-extract",
        "/AUTOEXEC.IPXE",
        script.toString());
    assertThat(Files.readString(script)).contains("\nchain " + base + "/ipxe/prod/1234 ||\n");
  }

  @Test
  void usbAndUefimgAreTheHybridAndFatImages() throws Exception {
    HttpResponse<byte[]> usb = get("/usb/test");
    assertThat(usb.statusCode()).isEqualTo(200);
    assertThat(run("sfdisk", "--json", save("z.img", usb.body()).toString()))
        .contains("\"type\": \"ef\"");
    HttpResponse<byte[]> fat = get("/uefimg/prod/12/console=ttyS0___debug");
    assertThat(fat.statusCode()).isEqualTo(200);
    Path esp = save("z.esp", fat.body());
    run("fsck.fat", "-n", esp.toString());
    Path script = tmp.resolve("zu.ipxe");
    run("mcopy", "-i", esp.toString(), "::/EFI/BOOT/autoexec.ipxe", script.toString());
    String chain =
        Files.readString(script)
            .lines()
            .filter(l -> l.startsWith("chain "))
            .findFirst()
            .orElseThrow();
    assertThat(chain).isEqualTo("chain " + base + "/ipxe/prod/12/console%3DttyS0___debug ||");
    // The URL on the media is one the Zero-OS /ipxe/ endpoint parses (it then wants a kernel file).
    String path = chain.substring(("chain " + base).length(), chain.length() - 3);
    String answer = new String(get(path).body(), StandardCharsets.UTF_8);
    assertThat(answer).contains("runmode 'prod'").doesNotContain("not a Zero-OS runmode");
  }

  @Test
  void uefiServesIpxeEfiWithAutoexecBeside() throws Exception {
    HttpResponse<byte[]> redirect = get("/uefi/prod/12");
    assertThat(redirect.statusCode()).isEqualTo(301);
    assertThat(redirect.headers().firstValue("Location").orElseThrow()).endsWith("/uefi/prod/12/");
    HttpResponse<byte[]> efi = get("/uefi/prod/12/");
    assertThat(efi.statusCode()).isEqualTo(200);
    assertThat(efi.body()).isEqualTo(server.firmware().require(BootBinary.IPXE_X86_64_EFI));
    assertThat(get("/uefi/prod/12/ipxe.efi").body()).isEqualTo(efi.body());
    HttpResponse<byte[]> script = get("/uefi/prod/12/autoexec.ipxe");
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(new String(script.body(), StandardCharsets.US_ASCII))
        .startsWith("#!ipxe\n")
        .contains("\nchain " + base + "/ipxe/prod/12 ||\n");
  }

  @Test
  void krnExplainsAndPointsToIsoAndUefi() throws Exception {
    HttpResponse<byte[]> r = get("/krn/prod/12");
    assertThat(r.statusCode()).isEqualTo(501);
    assertThat(new String(r.body(), StandardCharsets.UTF_8))
        .contains("must be compiled", "C toolchain")
        .contains(base + "/iso/prod/12")
        .contains(base + "/uefi/prod/12/");
  }

  @Test
  void badPathsGetZeroOsGrammarErrors() throws Exception {
    HttpResponse<byte[]> unknown = get("/iso/nope");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(new String(unknown.body(), StandardCharsets.UTF_8))
        .contains("unknown runmode 'nope'");
    HttpResponse<byte[]> farmer = get("/usb/prod/abc");
    assertThat(farmer.statusCode()).isEqualTo(400);
    assertThat(new String(farmer.body(), StandardCharsets.UTF_8)).contains("farmer id");
    HttpResponse<byte[]> inject = get("/uefimg/prod/1/x%24%7Bip%7D");
    assertThat(inject.statusCode()).isEqualTo(400);
    assertThat(get("/uefi/prod/1/%22%0Ashell/").statusCode()).isEqualTo(400);
    assertThat(get("/iso/prod/1/a/b/c").statusCode()).isEqualTo(404);
    assertThat(
            http.send(
                    HttpRequest.newBuilder(URI.create(base + "/iso/prod"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode())
        .isEqualTo(405);
  }

  @Test
  void aPxeSrvRootKeepsItsFilesUnderTheseNames() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("pxesrv"));
    Files.writeString(root.resolve("default"), "#!ipxe\n");
    Files.createDirectories(root.resolve("iso"));
    Files.writeString(root.resolve("iso/centos.cfg"), "kickstart\n");
    try (ChainbootServer withRoot =
        new ChainbootServer(
                ServerConfig.builder(tmp.resolve("data-px"))
                    .http(new InetSocketAddress("127.0.0.1", 0))
                    .pxesrvRoot(Optional.of(root))
                    .build())
            .start()) {
      String b = "http://127.0.0.1:" + withRoot.httpPort();
      HttpResponse<String> file =
          http.send(
              HttpRequest.newBuilder(URI.create(b + "/iso/centos.cfg")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(file.statusCode()).isEqualTo(200);
      assertThat(file.body()).isEqualTo("kickstart\n");
      HttpResponse<byte[]> media =
          http.send(
              HttpRequest.newBuilder(URI.create(b + "/iso/prod/1")).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(media.statusCode()).isEqualTo(200);
      assertThat(media.headers().firstValue("Content-Type"))
          .hasValue("application/x-iso9660-image");
      HttpResponse<String> missing =
          http.send(
              HttpRequest.newBuilder(URI.create(b + "/iso/nothing.iso")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(missing.statusCode()).isEqualTo(404);
    }
  }
}
