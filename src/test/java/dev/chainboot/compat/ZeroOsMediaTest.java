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
 * Zero-OS's /iso/, /usb/, /uefimg/, /uefi/, /krn/, /snponly/ and generic URLs without a prepared
 * iPXE tree, checked with xorriso, sfdisk, fsck.fat, mtools: the images built in-process, the
 * seed's file names, 404 for a runmode without a kernel (as the seed), 501 naming the command that
 * enables the iPXE builds.
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
    Path kernels = tmp.resolve("data/kernels");
    Files.writeString(kernels.resolve("zero-os-v3.efi"), "MZ kernel");
    Files.createDirectories(kernels.resolve("net"));
    for (String rm : new String[] {"prod", "test"}) {
      Files.createSymbolicLink(kernels.resolve("net/" + rm + ".efi"), Path.of("../zero-os-v3.efi"));
    }
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
    assertThat(r.headers().firstValue("Content-Disposition"))
        .hasValue("inline; filename=ipxe-prod.iso");
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
    assertThat(usb.headers().firstValue("Content-Disposition"))
        .hasValue("inline; filename=ipxe-test.img");
    assertThat(run("sfdisk", "--json", save("z.img", usb.body()).toString()))
        .contains("\"type\": \"ef\"");
    HttpResponse<byte[]> fat = get("/uefimg/prod/12/console=ttyS0___debug");
    assertThat(fat.statusCode()).isEqualTo(200);
    assertThat(fat.headers().firstValue("Content-Disposition"))
        .hasValue("inline; filename=uefiusb-prod.img");
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
    assertThat(answer)
        .startsWith("#!ipxe")
        .contains(
            "/kernel/zero-os-v3.efi nomodeset version=v3 runmode=prod panic=7200 farmer_id=12"
                + " console=ttyS0/debug &&");
  }

  @Test
  void aRunmodeWithoutAKernelHasNoMediaAsInTheSeed() throws Exception {
    for (String path :
        new String[] {
          "/iso/qa", "/usb/qa/1", "/uefimg/qa", "/uefi/qa/1/", "/uefi/qa", "/krn/qa", "/snponly/qa"
        }) {
      HttpResponse<byte[]> r = get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(404);
      assertThat(new String(r.body(), StandardCharsets.UTF_8))
          .as(path)
          .contains("no kernel for runmode 'qa'");
    }
  }

  @Test
  void uefiKeepsTheDirectoryFormWithAutoexecBeside() throws Exception {
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
  void withoutAPreparedTreeTheBuildsAnswer501WithTheCommandThatEnablesThem() throws Exception {
    String[][] cases = {
      {"/krn/prod/12", "pcbios"},
      {"/uefi/prod/12", "x86_64-efi"},
      {"/snponly/prod/12/console=ttyS0", "x86_64-efi"},
      {"/krn-generic", "pcbios"},
      {"/uefi-generic", "x86_64-efi"}
    };
    for (String[] c : cases) {
      HttpResponse<byte[]> r = get(c[0]);
      assertThat(r.statusCode()).as(c[0]).isEqualTo(501);
      assertThat(new String(r.body(), StandardCharsets.UTF_8))
          .as(c[0])
          .contains("chainboot ipxe prepare --source DIR --platform " + c[1])
          .contains("--data " + tmp.resolve("data").toAbsolutePath());
    }
    assertThat(new String(get("/uefi/prod/12").body(), StandardCharsets.UTF_8))
        .contains("/uefi/prod/12/ serves the unmodified ipxe.efi");
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
    Path kernels = Files.createDirectories(tmp.resolve("data-px/kernels/net"));
    Files.writeString(kernels.resolve("prod.efi"), "MZ");
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
