package dev.chainboot.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chainboot.config.HttpsConfig;
import dev.chainboot.config.ServerConfig;
import dev.chainboot.server.ChainbootServer;
import dev.chainboot.server.StartupException;
import dev.chainboot.testing.Curl;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The private CA and the HTTPS listener, checked by real peers: openssl verifies the certificates
 * chainboot makes, curl fetches over HTTPS trusting only the private CA (and fails with another CA,
 * or a certificate for another address), and a missing or mismatched file stops the server at start
 * with a message that names the file.
 */
class HttpsTest {

  @TempDir Path tmp;

  static CaFiles.Issued init(Path data, String... addresses) throws Exception {
    List<InetAddress> a = new java.util.ArrayList<>();
    for (String s : addresses) {
      a.add(InetAddress.getByName(s));
    }
    return new CaFiles(data)
        .init(List.of("boot.example"), a, Duration.ofDays(30), false, Instant.now());
  }

  static ChainbootServer https(Path data, HttpsConfig hc) throws Exception {
    return new ChainbootServer(
            ServerConfig.builder(data)
                .http(new InetSocketAddress("127.0.0.1", 0))
                .https(Optional.of(hc))
                .build())
        .start();
  }

  static HttpsConfig defaults(Path data) {
    CaFiles ca = new CaFiles(data);
    return new HttpsConfig(
        new InetSocketAddress("127.0.0.1", 0),
        ca.serverCert(),
        ca.serverKey(),
        Optional.of(ca.caCert()));
  }

  static String openssl(String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
    cmd.addAll(List.of(args));
    Curl.ProcessOutput o = Curl.exec(cmd);
    return o.exit() + ":" + o.stdout() + o.stderr();
  }

  @Test
  void caInitMakesCertificatesOpensslAcceptsWithPrivateKeysOnly() throws Exception {
    Path data = tmp.resolve("data");
    CaFiles.Issued i = init(data, "127.0.0.1", "10.1.2.3");
    CaFiles ca = new CaFiles(data);
    assertThat(i.newCa()).isTrue();
    // openssl: the server certificate verifies against the CA, for its IP addresses and its name
    String v =
        openssl(
            "verify",
            "-CAfile",
            ca.caCert().toString(),
            "-verify_ip",
            "10.1.2.3",
            ca.serverCert().toString());
    assertThat(v).startsWith("0:").contains(": OK");
    assertThat(
            openssl(
                "verify",
                "-CAfile",
                ca.caCert().toString(),
                "-verify_hostname",
                "boot.example",
                ca.serverCert().toString()))
        .startsWith("0:");
    // the check is real: another address fails
    assertThat(
            openssl(
                "verify",
                "-CAfile",
                ca.caCert().toString(),
                "-verify_ip",
                "10.9.9.9",
                ca.serverCert().toString()))
        .doesNotStartWith("0:");
    String text = openssl("x509", "-noout", "-text", "-in", ca.caCert().toString());
    assertThat(text).contains("CA:TRUE").contains("Certificate Sign").contains("rsaEncryption");
    assertThat(Files.getPosixFilePermissions(ca.caKey()))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(ca.serverKey()))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    // server.crt holds the server certificate and then the CA, as iPXE needs them
    List<X509Certificate> chain = Pem.certificates(ca.serverCert());
    assertThat(chain).hasSize(2);
    assertThat(chain.get(1)).isEqualTo(i.ca());
  }

  @Test
  void renewKeepsTheCaAndTheNamesButIssuesANewKeyAndCertificate() throws Exception {
    Path data = tmp.resolve("data");
    CaFiles.Issued first = init(data, "127.0.0.1");
    String key1 = Files.readString(new CaFiles(data).serverKey());
    CaFiles.Issued renewed = new CaFiles(data).renew(Duration.ofDays(60), Instant.now());
    assertThat(renewed.ca()).isEqualTo(first.ca());
    assertThat(renewed.server()).isNotEqualTo(first.server());
    assertThat(List.copyOf(renewed.server().getSubjectAlternativeNames()))
        .containsExactlyElementsOf(List.copyOf(first.server().getSubjectAlternativeNames()));
    assertThat(Files.readString(new CaFiles(data).serverKey())).isNotEqualTo(key1);
    // init again without --force keeps the CA (its fingerprint is what firmware trusts)
    assertThat(init(data, "127.0.0.1").ca()).isEqualTo(first.ca());
  }

  @Test
  void curlTrustingOnlyThePrivateCaGetsHealthOverHttpsAndRefusesAnotherCa() throws Exception {
    Path data = tmp.resolve("data");
    init(data, "127.0.0.1");
    Path other = tmp.resolve("other");
    init(other, "127.0.0.1");
    try (ChainbootServer s = https(data, defaults(data))) {
      String url = "https://127.0.0.1:" + s.httpsPort() + "/health";
      Curl.Result r = Curl.run("--cacert", new CaFiles(data).caCert().toString(), url);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.text()).isEqualTo("ok\n");
      // another CA: curl refuses the handshake
      Curl.ProcessOutput refused =
          Curl.exec(
              List.of(
                  "curl",
                  "-sS",
                  "--max-time",
                  "20",
                  "--cacert",
                  new CaFiles(other).caCert().toString(),
                  url));
      assertThat(refused.exit()).isEqualTo(60); // peer certificate cannot be authenticated
      // plain HTTP still answers (firmware fetches over HTTP)
      assertThat(Curl.run("http://127.0.0.1:" + s.httpPort() + "/health").text()).isEqualTo("ok\n");
    }
  }

  @Test
  void theHttpsEntryChainsToTheHttpsBootScriptWithTheMachinesIdentity() throws Exception {
    Path data = tmp.resolve("data");
    init(data, "127.0.0.1");
    try (ChainbootServer s = https(data, defaults(data))) {
      String script = Curl.run("http://127.0.0.1:" + s.httpPort() + "/boot-https.ipxe").text();
      assertThat(script)
          .startsWith("#!ipxe\n")
          .contains(
              "chain --autofree https://127.0.0.1:"
                  + s.httpsPort()
                  + "/boot.ipxe?mac=${mac:hexhyp}&")
          .contains("Permission denied above means this iPXE does not trust");
      assertThat(script).doesNotContain("ntp ");
      // and over HTTPS, /boot.ipxe's base URL is https: profiles' {{base_url}} follow it
      Curl.Result boot =
          Curl.run(
              "--cacert",
              new CaFiles(data).caCert().toString(),
              "https://127.0.0.1:" + s.httpsPort() + "/boot.ipxe");
      assertThat(boot.text()).contains("https://127.0.0.1:" + s.httpsPort() + "/boot/resolve?");
    }
  }

  @Test
  void missingOrMismatchedFilesStopTheStartWithAMessageThatNamesThem() throws Exception {
    Path data = tmp.resolve("data");
    assertThatThrownBy(() -> https(data, defaults(data)))
        .isInstanceOf(StartupException.class)
        .hasMessageContaining("server.crt: no such file")
        .hasMessageContaining("chainboot ca init");
    init(data, "127.0.0.1");
    Path other = tmp.resolve("other");
    init(other, "127.0.0.1");
    CaFiles ca = new CaFiles(data);
    HttpsConfig wrongKey =
        new HttpsConfig(
            new InetSocketAddress("127.0.0.1", 0),
            ca.serverCert(),
            new CaFiles(other).serverKey(),
            Optional.empty());
    assertThatThrownBy(() -> https(data, wrongKey))
        .isInstanceOf(StartupException.class)
        .hasMessageContaining("does not belong to the certificate");
    Path notPem = tmp.resolve("not.pem");
    Files.writeString(notPem, "hello\n");
    HttpsConfig garbage =
        new HttpsConfig(
            new InetSocketAddress("127.0.0.1", 0), notPem, ca.serverKey(), Optional.empty());
    assertThatThrownBy(() -> https(data, garbage))
        .isInstanceOf(StartupException.class)
        .hasMessageContaining("not.pem: no PEM certificate");
  }

  @Test
  void aPkcs1KeyAndAChainEndingInItsCaFromOpensslAreServedAndTheCaIsTrusted() throws Exception {
    Path d = tmp.resolve("openssl");
    Files.createDirectories(d);
    String dir = d.toString();
    assertThat(
            openssl(
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                dir + "/ca.key",
                "-out",
                dir + "/ca.crt",
                "-days",
                "2",
                "-subj",
                "/CN=test CA",
                "-addext",
                "basicConstraints=critical,CA:TRUE"))
        .startsWith("0:");
    assertThat(
            openssl(
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                dir + "/s.key",
                "-out",
                dir + "/s.csr",
                "-subj",
                "/CN=127.0.0.1"))
        .startsWith("0:");
    Files.writeString(d.resolve("ext"), "subjectAltName=IP:127.0.0.1\n");
    assertThat(
            openssl(
                "x509",
                "-req",
                "-in",
                dir + "/s.csr",
                "-CA",
                dir + "/ca.crt",
                "-CAkey",
                dir + "/ca.key",
                "-CAcreateserial",
                "-out",
                dir + "/s.crt",
                "-days",
                "2",
                "-extfile",
                dir + "/ext"))
        .startsWith("0:");
    assertThat(openssl("rsa", "-in", dir + "/s.key", "-traditional", "-out", dir + "/s1.key"))
        .startsWith("0:");
    assertThat(Files.readString(d.resolve("s1.key"))).contains("BEGIN RSA PRIVATE KEY");
    Files.writeString(
        d.resolve("chain.crt"),
        Files.readString(d.resolve("s.crt")) + Files.readString(d.resolve("ca.crt")));
    TlsMaterial m = TlsMaterial.load(d.resolve("chain.crt"), d.resolve("s1.key"), Optional.empty());
    assertThat(m.trusted()).hasSize(1);
    assertThat(m.fingerprintTexts().getFirst())
        .isEqualToIgnoringCase(
            openssl("x509", "-noout", "-fingerprint", "-sha256", "-in", dir + "/ca.crt")
                .replaceFirst("(?s)^0:.*Fingerprint=", "")
                .strip());
    try (ChainbootServer s =
        https(
            tmp.resolve("data"),
            new HttpsConfig(
                new InetSocketAddress("127.0.0.1", 0),
                d.resolve("chain.crt"),
                d.resolve("s1.key"),
                Optional.empty()))) {
      assertThat(
              Curl.run(
                      "--cacert", dir + "/ca.crt", "https://127.0.0.1:" + s.httpsPort() + "/health")
                  .text())
          .isEqualTo("ok\n");
    }
  }
}
