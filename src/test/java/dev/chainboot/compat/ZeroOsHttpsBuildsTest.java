package dev.chainboot.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.config.HttpsConfig;
import dev.chainboot.config.ServerConfig;
import dev.chainboot.ipxebuild.IpxeBuilds;
import dev.chainboot.ipxebuild.IpxePlatform;
import dev.chainboot.server.ChainbootServer;
import dev.chainboot.testing.FakeIpxeTree;
import dev.chainboot.tls.CaFiles;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The images {@code serve} builds ({@code /krn/}, {@code /krn-generic}, ...) when HTTPS is on: they
 * trust the CA the HTTPS listener makes firmware trust, with no {@code ipxe} section in {@code
 * chainboot.yaml}; a configured {@code ipxe.trust} still wins. On the fake iPXE tree with the real
 * toolchain (openssl fingerprints each {@code TRUST=} file as iPXE's make does).
 */
class ZeroOsHttpsBuildsTest {

  @TempDir Path tmp;
  static final HttpClient http = HttpClient.newHttpClient();

  static String fingerprint(Path pemFile) throws Exception {
    byte[] der =
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(pemFile)))
            .getEncoded();
    return HexFormat.ofDelimiter(":")
        .withUpperCase()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(der));
  }

  Path data(String name) throws Exception {
    Path data = tmp.resolve(name);
    IpxeBuilds.at(data)
        .prepare(
            FakeIpxeTree.copyTo(tmp.resolve(name + "-ipxe")), Set.of(IpxePlatform.PCBIOS), l -> {});
    new CaFiles(data)
        .init(
            List.of("boot.example"),
            List.of(InetAddress.getByName("127.0.0.1")),
            Duration.ofDays(2),
            false,
            Instant.now());
    Path kernels = Files.createDirectories(data.resolve("kernels/net"));
    Files.writeString(kernels.resolve("prod.efi"), "MZ");
    return data;
  }

  static ChainbootServer https(Path data) throws Exception {
    CaFiles ca = new CaFiles(data);
    return new ChainbootServer(
            ServerConfig.builder(data)
                .http(new InetSocketAddress("127.0.0.1", 0))
                .https(
                    Optional.of(
                        new HttpsConfig(
                            new InetSocketAddress("127.0.0.1", 0),
                            ca.serverCert(),
                            ca.serverKey(),
                            Optional.empty())))
                .build())
        .start();
  }

  static String get(ChainbootServer s, String path) throws Exception {
    HttpResponse<byte[]> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.httpPort() + path)).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    String body = new String(r.body(), StandardCharsets.UTF_8);
    assertThat(r.statusCode()).as(body).isEqualTo(200);
    return body;
  }

  static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }

  @Test
  void withHttpsOnTheBuiltImagesTrustItsCaAndAConfiguredTrustWins() throws Exception {
    Path data = data("https");
    String ca = fingerprint(new CaFiles(data).caCert());
    try (ChainbootServer s = https(data)) {
      String krn = get(s, "/krn/prod");
      assertThat(krn)
          .startsWith("FAKE-IPXE 9.8.7 bin/ipxe.lkrn")
          .contains("TRUST " + ca, "CERT subject=CN = chainboot private CA");
      String generic = get(s, "/krn-generic");
      assertThat(count(generic, "TRUST " + ca)).isEqualTo(1);
      // the public roots are listed once, not added a second time for the generic image
      assertThat(count(generic, "TRUST ")).isEqualTo(count(krn, "TRUST "));
    }

    // without HTTPS: iPXE's default root, as before
    try (ChainbootServer s =
        new ChainbootServer(
                ServerConfig.builder(data).http(new InetSocketAddress("127.0.0.1", 0)).build())
            .start()) {
      assertThat(get(s, "/krn/prod")).doesNotContain("TRUST ");
    }

    // a configured ipxe.trust wins over the HTTPS CA
    String site = FakeIpxeTree.selfSignedCa(tmp.resolve("site"), "site CA");
    assertThat(site).contains("BEGIN CERTIFICATE");
    Files.writeString(
        data.resolve("chainboot.yaml"),
        "ipxe:\n  trust: [" + tmp.resolve("site/ca.pem") + "]\n  public-roots: []\n");
    try (ChainbootServer s = https(data)) {
      assertThat(get(s, "/krn/prod"))
          .contains("TRUST " + fingerprint(tmp.resolve("site/ca.pem")))
          .doesNotContain(ca);
    }
  }
}
