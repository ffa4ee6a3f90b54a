package dev.chainboot.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.tls.CertificateAuthority;
import java.net.InetAddress;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Certificates a client would accept or refuse, made by chainboot's own CA code (real RSA/EC). */
class CertCheckTest {

  static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
  static KeyPair caKeys;
  static X509Certificate ca;
  static KeyPair otherKeys;
  static X509Certificate other;
  static KeyPair serverKeys;

  @BeforeAll
  static void cas() {
    caKeys = CertificateAuthority.rsaKeyPair();
    ca = CertificateAuthority.selfSignedCa(caKeys, "chainboot CA", NOW, Duration.ofDays(3650));
    otherKeys = CertificateAuthority.rsaKeyPair();
    other = CertificateAuthority.selfSignedCa(otherKeys, "other CA", NOW, Duration.ofDays(3650));
    serverKeys = CertificateAuthority.rsaKeyPair();
  }

  static X509Certificate server(
      KeyPair issuerKeys, X509Certificate issuer, java.security.PublicKey key, Instant from)
      throws Exception {
    return CertificateAuthority.serverCertificate(
        issuerKeys.getPrivate(),
        issuer,
        key,
        List.of("boot.example"),
        List.of(InetAddress.getByName("10.1.2.3")),
        from,
        Duration.ofDays(397));
  }

  static List<byte[]> trusting(X509Certificate c) {
    return List.of(CertificateAuthority.fingerprint(c));
  }

  @Test
  void aCertificateFromTheTrustedCaForTheAddressIsAccepted() throws Exception {
    X509Certificate s = server(caKeys, ca, serverKeys.getPublic(), NOW);
    for (String host : List.of("10.1.2.3", "boot.example", "BOOT.example")) {
      CertCheck.Result r = CertCheck.check(List.of(s, ca), host, trusting(ca), NOW, true);
      assertThat(r.problems()).as(host).isEmpty();
      assertThat(r.accepted()).isTrue();
    }
  }

  @Test
  void anotherCaIsRefused() throws Exception {
    X509Certificate s = server(otherKeys, other, serverKeys.getPublic(), NOW);
    CertCheck.Result r = CertCheck.check(List.of(s, other), "10.1.2.3", trusting(ca), NOW, true);
    assertThat(r.accepted()).isFalse();
    assertThat(r.problems())
        .singleElement()
        .asString()
        .contains("not from a CA the client trusts")
        .contains("other CA");
  }

  @Test
  void noTrustAtAllIsRefused() throws Exception {
    X509Certificate s = server(caKeys, ca, serverKeys.getPublic(), NOW);
    CertCheck.Result r = CertCheck.check(List.of(s, ca), "10.1.2.3", List.of(), NOW, true);
    assertThat(r.problems()).singleElement().asString().contains("no DHCP option 175.90");
  }

  @Test
  void aChainThatClaimsTheTrustedCaButIsNotSignedByItIsRefused() throws Exception {
    // the server sends the trusted CA after a certificate the other CA signed
    X509Certificate s = server(otherKeys, ca, serverKeys.getPublic(), NOW);
    CertCheck.Result r = CertCheck.check(List.of(s, ca), "10.1.2.3", trusting(ca), NOW, true);
    assertThat(r.problems()).singleElement().asString().contains("the chain does not verify");
  }

  @Test
  void aNameOrAddressMismatchIsRefused() throws Exception {
    X509Certificate s = server(caKeys, ca, serverKeys.getPublic(), NOW);
    for (String host : List.of("10.1.2.4", "other.example", "x.boot.example")) {
      CertCheck.Result r = CertCheck.check(List.of(s, ca), host, trusting(ca), NOW, true);
      assertThat(r.problems())
          .as(host)
          .singleElement()
          .asString()
          .contains("is for [boot.example, 10.1.2.3], not " + host);
    }
  }

  @Test
  void expiredNotYetValidAndSoonToExpire() throws Exception {
    X509Certificate s = server(caKeys, ca, serverKeys.getPublic(), NOW);
    CertCheck.Result expired =
        CertCheck.check(
            List.of(s, ca), "10.1.2.3", trusting(ca), NOW.plus(Duration.ofDays(400)), true);
    assertThat(expired.problems()).anySatisfy(p -> assertThat(p).contains("expired on"));
    CertCheck.Result early =
        CertCheck.check(
            List.of(s, ca), "10.1.2.3", trusting(ca), NOW.minus(Duration.ofDays(2)), true);
    assertThat(early.problems()).anySatisfy(p -> assertThat(p).contains("not valid before"));
    CertCheck.Result soon =
        CertCheck.check(
            List.of(s, ca), "10.1.2.3", trusting(ca), NOW.plus(Duration.ofDays(390)), true);
    assertThat(soon.accepted()).isTrue();
    assertThat(soon.warnings()).singleElement().asString().contains("expires on");
  }

  @Test
  void ecdsaIsRefusedByIpxeOnly() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    X509Certificate s = server(caKeys, ca, g.generateKeyPair().getPublic(), NOW);
    assertThat(CertCheck.check(List.of(s, ca), "10.1.2.3", trusting(ca), NOW, true).problems())
        .singleElement()
        .asString()
        .contains("ECDSA")
        .contains("RSA");
    assertThat(CertCheck.check(List.of(s, ca), "10.1.2.3", trusting(ca), NOW, false).accepted())
        .isTrue();
  }

  @Test
  void aTrustedSelfSignedServerCertificateIsAccepted() {
    // iPXE trusts a chain that ends at a fingerprint it knows, even the server certificate's own
    CertCheck.Result r = CertCheck.check(List.of(ca), "chainboot CA", trusting(ca), NOW, true);
    assertThat(r.problems()).isEmpty();
    assertThat(CertCheck.check(List.of(), "x", trusting(ca), NOW, true).accepted()).isFalse();
  }
}
