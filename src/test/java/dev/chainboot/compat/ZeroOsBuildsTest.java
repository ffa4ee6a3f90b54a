package dev.chainboot.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.boot.Assignment;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Machine;
import dev.chainboot.boot.Profile;
import dev.chainboot.config.ServerConfig;
import dev.chainboot.ipxebuild.IpxeBuilds;
import dev.chainboot.ipxebuild.IpxePlatform;
import dev.chainboot.server.ChainbootServer;
import dev.chainboot.testing.FakeIpxeTree;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zero-OS's build routes against a server whose data directory has prepared trees (the fake iPXE
 * tree, built with the real toolchain): {@code /krn/}, {@code /uefi/} (self-contained), {@code
 * /snponly/}, {@code /krn-generic}, {@code /uefi-generic} with the seed's file names, the script
 * inside, the configured CA trusted, ETag and cache; and {@code /provision/<mac>} from the store.
 */
class ZeroOsBuildsTest {

  @TempDir static Path tmp;
  static ChainbootServer server;
  static String base;
  static String ca;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    Path data = tmp.resolve("data");
    Path source = FakeIpxeTree.copyTo(tmp.resolve("ipxe"));
    IpxeBuilds.at(data)
        .prepare(source, Set.of(IpxePlatform.PCBIOS, IpxePlatform.X86_64_EFI), line -> {});
    ca = FakeIpxeTree.selfSignedCa(tmp.resolve("ca"), "site CA");
    Files.writeString(
        data.resolve("chainboot.yaml"),
        "zeroos:\n  ntp: ntp.example.org\nipxe:\n  trust: [../ca/ca.pem]\n  cert: ../ca/ca.pem\n"
            + "  public-roots: []\n");
    Path kernels = Files.createDirectories(data.resolve("kernels/net"));
    Files.writeString(kernels.resolve("prod.efi"), "MZ");
    server =
        new ChainbootServer(
                ServerConfig.builder(data).http(new InetSocketAddress("127.0.0.1", 0)).build())
            .start();
    base = "http://127.0.0.1:" + server.httpPort();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static HttpResponse<byte[]> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  static String text(HttpResponse<byte[]> r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  @Test
  void krnIsAnLkrnWithTheChainToItsZeroOsScriptInside() throws Exception {
    HttpResponse<byte[]> r = get("/krn/prod/1234/console=ttyS0");
    assertThat(r.statusCode()).as(text(r)).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Disposition"))
        .hasValue("inline; filename=ipxe-prod.lkrn");
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
    assertThat(text(r))
        .startsWith("FAKE-IPXE 9.8.7 bin/ipxe.lkrn")
        .contains("EMBED chainboot.ipxe\n#!ipxe\n")
        .contains("\nchain " + base + "/ipxe/prod/1234/console%3DttyS0 ||\n")
        // The configured CA is trusted and embedded; http needs no clock sync.
        .contains("TRUST ", "CERT subject=CN = site CA")
        .doesNotContain("ntp ");
    // The chained URL answers the Zero-OS script with the seed's arguments.
    assertThat(text(get("/ipxe/prod/1234/console%3DttyS0")))
        .contains("nomodeset version=v3 runmode=prod panic=7200 farmer_id=1234 console=ttyS0");

    String etag = r.headers().firstValue("ETag").orElseThrow();
    assertThat(get("/krn/prod/1234/console=ttyS0", "If-None-Match", etag).statusCode())
        .isEqualTo(304);
    long t0 = System.nanoTime();
    HttpResponse<byte[]> again = get("/krn/prod/1234/console=ttyS0");
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(again.body()).isEqualTo(r.body());
    assertThat(ms).as("a cached build over loopback").isLessThan(500);
  }

  @Test
  void uefiWithoutASlashIsOneSelfContainedEfiAndSnponlyTheSnpBuild() throws Exception {
    HttpResponse<byte[]> efi = get("/uefi/prod/7");
    assertThat(efi.statusCode()).as(text(efi)).isEqualTo(200);
    assertThat(efi.headers().firstValue("Content-Disposition"))
        .hasValue("inline; filename=ipxe-prod.efi");
    assertThat(text(efi))
        .startsWith("FAKE-IPXE 9.8.7 bin-x86_64-efi/ipxe.efi")
        .contains("\nchain " + base + "/ipxe/prod/7 ||\n");
    HttpResponse<byte[]> snp = get("/snponly/prod/7/quiet");
    assertThat(snp.statusCode()).isEqualTo(200);
    assertThat(snp.headers().firstValue("Content-Disposition"))
        .hasValue("inline; filename=ipxe-snp-prod.efi");
    assertThat(text(snp))
        .startsWith("FAKE-IPXE 9.8.7 bin-x86_64-efi/snponly.efi")
        .contains("\nchain " + base + "/ipxe/prod/7/quiet ||\n");
    // The directory form is still the unmodified binary with autoexec.ipxe beside it.
    assertThat(text(get("/uefi/prod/7/"))).doesNotStartWith("FAKE-IPXE");
  }

  @Test
  void genericImagesHandAnyMachineToTheBootCore() throws Exception {
    HttpResponse<byte[]> krn = get("/krn-generic");
    assertThat(krn.statusCode()).isEqualTo(200);
    assertThat(krn.headers().firstValue("Content-Disposition"))
        .hasValue("inline; filename=ipxe-zero-os-generic.lkrn");
    assertThat(text(krn))
        .contains("\nchain " + base + "/boot.ipxe?mac=${mac:hexhyp}&")
        .contains("CERT subject=CN = site CA");
    HttpResponse<byte[]> efi = get("/uefi-generic");
    assertThat(efi.headers().firstValue("Content-Disposition"))
        .hasValue("inline; filename=ipxe-zero-os-generic.efi");
    assertThat(text(efi)).startsWith("FAKE-IPXE 9.8.7 bin-x86_64-efi/ipxe.efi");
  }

  @Test
  void aFailedBuildIsA500WithoutDetailsAndAnUnknownRunmodeA404() throws Exception {
    // The fake tree fails any script containing FAKE-FAIL; here it comes through the URL.
    HttpResponse<byte[]> r = get("/krn/prod/1/FAKE-FAIL");
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(text(r)).contains("building ipxe-prod.lkrn failed").doesNotContain("asks to fail");
    assertThat(get("/krn/nope").statusCode()).isEqualTo(404);
    assertThat(get("/krn/prod/1/%0Ashell").statusCode()).isEqualTo(400);
  }

  @Test
  void provisionAnswersFromTheStoreAndIsA404ForUnknownClients() throws Exception {
    MacAddress mac = MacAddress.parse("52:54:00:aa:bb:01").orElseThrow();
    server
        .store()
        .putProfile(
            Profile.kernel(
                "zeroos-525400aabb01",
                "{{base_url}}/kernel/net/prod.efi",
                List.of(),
                "nomodeset runmode=prod farmer_id=9"));
    server.store().putMachine(Machine.of(mac));
    server.store().assign(new Assignment(mac, Assignment.Kind.STATIC, "zeroos-525400aabb01"));
    HttpResponse<byte[]> r = get("/provision/52:54:00:aa:bb:01");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(text(r))
        .startsWith("#!ipxe")
        .contains(base + "/kernel/net/prod.efi")
        .contains("nomodeset runmode=prod farmer_id=9");
    HttpResponse<byte[]> unknown = get("/provision/52:54:00:aa:bb:99");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(text(unknown)).contains("no client registered with this identifier");
    assertThat(get("/provision/not-a-mac").statusCode()).isEqualTo(404);
    HttpResponse<Void> post =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/provision/52:54:00:aa:bb:01"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.discarding());
    assertThat(post.statusCode()).isEqualTo(405);
  }
}
