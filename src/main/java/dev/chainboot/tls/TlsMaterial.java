package dev.chainboot.tls;

import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * What the HTTPS listener serves with: the private key, the certificate chain it presents (server
 * certificate first, then the CA: iPXE builds its path from what the server sends), and the CA
 * certificates firmware is told to trust (their SHA-256 fingerprints go into DHCP option 175.90).
 */
public record TlsMaterial(
    PrivateKey key, List<X509Certificate> chain, List<X509Certificate> trusted) {

  public TlsMaterial {
    chain = List.copyOf(chain);
    trusted = List.copyOf(trusted);
  }

  /**
   * Reads and checks the files: the key must belong to the first certificate.
   *
   * @param ca the CA to make firmware trust; empty: the last certificate of the chain when it is
   *     self-signed (a CA), else none
   * @throws Pem.PemException naming the file and what is wrong with it
   */
  public static TlsMaterial load(Path cert, Path keyFile, Optional<Path> ca)
      throws Pem.PemException {
    List<X509Certificate> chain = Pem.certificates(cert);
    PrivateKey key = Pem.privateKey(keyFile);
    X509Certificate leaf = chain.getFirst();
    if (key instanceof RSAPrivateCrtKey rk
        && leaf.getPublicKey() instanceof RSAPublicKey pk
        && !rk.getModulus().equals(pk.getModulus())) {
      throw new Pem.PemException(
          keyFile + ": this key does not belong to the certificate in " + cert);
    }
    if (!key.getAlgorithm().equals(leaf.getPublicKey().getAlgorithm())) {
      throw new Pem.PemException(
          keyFile
              + ": a "
              + key.getAlgorithm()
              + " key for a "
              + leaf.getPublicKey().getAlgorithm()
              + " certificate ("
              + cert
              + ")");
    }
    List<X509Certificate> trusted = new ArrayList<>();
    if (ca.isPresent()) {
      trusted.addAll(Pem.certificates(ca.get()));
    } else {
      X509Certificate last = chain.getLast();
      if (chain.size() > 1
          && last.getSubjectX500Principal().equals(last.getIssuerX500Principal())) {
        trusted.add(last);
      }
    }
    return new TlsMaterial(key, chain, trusted);
  }

  /** SHA-256 fingerprints of the trusted CAs (DHCP option 175.90). */
  public List<byte[]> fingerprints() {
    return trusted.stream().map(CertificateAuthority::fingerprint).toList();
  }

  /** The fingerprints as colon-separated hex, for logs and DHCP server configurations. */
  public List<String> fingerprintTexts() {
    return fingerprints().stream().map(TlsMaterial::hex).toList();
  }

  /** {@code aa:bb:...} */
  public static String hex(byte[] b) {
    return HexFormat.ofDelimiter(":").formatHex(b);
  }

  /** An in-memory key store holding the key and chain. */
  public KeyStore keyStore(char[] password) {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("chainboot", key, password, chain.toArray(X509Certificate[]::new));
      return ks;
    } catch (Exception e) {
      throw new IllegalStateException("building the TLS key store failed: " + e, e);
    }
  }

  /**
   * What an operator should know at start: a certificate expired or expiring within 30 days, a
   * non-RSA server key, no CA to make firmware trust.
   */
  public List<String> warnings(Instant now) {
    List<String> w = new ArrayList<>();
    for (X509Certificate c : chain) {
      Instant end = c.getNotAfter().toInstant();
      String who = c.getSubjectX500Principal().getName();
      if (end.isBefore(now)) {
        w.add("certificate " + who + " expired on " + end + ": clients will refuse it");
      } else if (end.isBefore(now.plus(Duration.ofDays(30)))) {
        w.add(
            "certificate "
                + who
                + " expires on "
                + end
                + " (renew it: chainboot ca renew, then restart)");
      }
    }
    if (!key.getAlgorithm().equals("RSA")) {
      w.add(
          "the server key is "
              + key.getAlgorithm()
              + ": Debian trixie's iPXE speaks TLS with RSA certificates only");
    }
    if (trusted.isEmpty()) {
      w.add(
          "no CA to make firmware trust (--tls-ca FILE, or a chain ending in its CA): DHCP"
              + " option 175.90 is not sent, so stock iPXE will refuse this certificate");
    }
    return w;
  }
}
