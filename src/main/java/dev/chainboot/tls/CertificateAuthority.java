package dev.chainboot.tls;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * A private certificate authority in pure Java: an RSA CA certificate and server certificates it
 * signs (SHA-256 with RSA, X.509 v3: basic constraints, key usage, extended key usage, subject and
 * authority key identifiers, subject alternative names for DNS names and IP addresses). RSA because
 * Debian trixie's iPXE speaks TLS with RSA certificates only.
 */
public final class CertificateAuthority {

  /** RSA key size for the CA and server keys. */
  public static final int RSA_BITS = 2048;

  private static final String SHA256_WITH_RSA = "1.2.840.113549.1.1.11";
  private static final SecureRandom RANDOM = new SecureRandom();

  private CertificateAuthority() {}

  /** A fresh RSA key pair. */
  public static KeyPair rsaKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(RSA_BITS, RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A self-signed CA certificate for {@code keys}, valid from an hour before {@code now}. */
  public static X509Certificate selfSignedCa(
      KeyPair keys, String commonName, Instant now, Duration validity) {
    byte[] name = name(commonName);
    byte[] ski = keyId(keys.getPublic());
    byte[] extensions =
        Der.sequence(
            extension("2.5.29.19", true, Der.sequence(Der.bool(true))),
            extension("2.5.29.15", true, Der.namedBits(5, 6)), // keyCertSign, cRLSign
            extension("2.5.29.14", false, Der.octets(ski)));
    return sign(keys.getPrivate(), name, name, keys.getPublic(), now, validity, extensions);
  }

  /**
   * A server certificate for {@code subjectKey}, signed by the CA.
   *
   * @param dnsNames DNS names it is valid for (the first is also its common name)
   * @param addresses IP addresses it is valid for
   */
  public static X509Certificate serverCertificate(
      PrivateKey caKey,
      X509Certificate ca,
      PublicKey subjectKey,
      List<String> dnsNames,
      List<InetAddress> addresses,
      Instant now,
      Duration validity) {
    if (dnsNames.isEmpty() && addresses.isEmpty()) {
      throw new IllegalArgumentException("a server certificate needs a name or an address");
    }
    String cn = dnsNames.isEmpty() ? addresses.getFirst().getHostAddress() : dnsNames.getFirst();
    List<byte[]> alt = new ArrayList<>();
    for (String n : dnsNames) {
      alt.add(Der.implicit(2, n.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }
    for (InetAddress a : addresses) {
      alt.add(Der.implicit(7, a.getAddress()));
    }
    byte[] extensions =
        Der.sequence(
            extension("2.5.29.19", true, Der.sequence()),
            extension("2.5.29.15", true, Der.namedBits(0, 2)), // digitalSignature, keyEncipherment
            extension("2.5.29.37", false, Der.sequence(Der.oid("1.3.6.1.5.5.7.3.1"))),
            extension("2.5.29.14", false, Der.octets(keyId(subjectKey))),
            extension("2.5.29.35", false, Der.sequence(Der.implicit(0, keyId(ca.getPublicKey())))),
            extension("2.5.29.17", false, Der.sequence(alt.toArray(byte[][]::new))));
    return sign(
        caKey,
        ca.getSubjectX500Principal().getEncoded(),
        name(cn),
        subjectKey,
        now,
        validity,
        extensions);
  }

  /** The SHA-256 fingerprint of a certificate (what iPXE's {@code trust} setting lists). */
  public static byte[] fingerprint(X509Certificate c) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(c.getEncoded());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] name(String commonName) {
    return Der.sequence(Der.set(Der.sequence(Der.oid("2.5.4.3"), Der.utf8(commonName))));
  }

  /** A key identifier: SHA-1 of the encoded public key (RFC 5280 leaves the method open). */
  private static byte[] keyId(PublicKey key) {
    try {
      return MessageDigest.getInstance("SHA-1").digest(key.getEncoded());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] extension(String oid, boolean critical, byte[] value) {
    return critical
        ? Der.sequence(Der.oid(oid), Der.bool(true), Der.octets(value))
        : Der.sequence(Der.oid(oid), Der.octets(value));
  }

  private static X509Certificate sign(
      PrivateKey signer,
      byte[] issuer,
      byte[] subject,
      PublicKey subjectKey,
      Instant now,
      Duration validity,
      byte[] extensions) {
    byte[] alg = Der.sequence(Der.oid(SHA256_WITH_RSA), Der.nul());
    byte[] serial = new byte[16];
    RANDOM.nextBytes(serial);
    serial[0] &= 0x7f; // positive
    serial[0] |= 0x40; // and 16 bytes long
    Instant from = now.minus(Duration.ofHours(1)); // a client's clock a little behind still works
    byte[] tbs =
        Der.sequence(
            Der.explicit(0, Der.integer(BigInteger.TWO)),
            Der.integer(new BigInteger(serial)),
            alg,
            issuer,
            Der.sequence(
                Der.time(from.atZone(ZoneOffset.UTC)),
                Der.time(now.plus(validity).atZone(ZoneOffset.UTC))),
            subject,
            subjectKey.getEncoded(),
            Der.explicit(3, extensions));
    try {
      Signature s = Signature.getInstance("SHA256withRSA");
      s.initSign(signer);
      s.update(tbs);
      byte[] der = Der.sequence(tbs, alg, Der.bits(s.sign()));
      return (X509Certificate)
          CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("signing a certificate failed: " + e.getMessage(), e);
    }
  }
}
