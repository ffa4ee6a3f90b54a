package dev.chainboot.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TLS certificate chain and its private key in PEM files (as certbot and {@code openssl req}
 * write them): {@code --admin-cert FILE} (one or more {@code CERTIFICATE} blocks, the server's
 * first) and {@code --admin-key FILE} (an unencrypted PKCS#8 {@code PRIVATE KEY}, RSA or EC;
 * convert others with {@code openssl pkcs8 -topk8 -nocrypt}).
 */
public record TlsFiles(Path cert, Path key) {

  /** The password of the in-memory key store {@link #keyStore()} makes (never on disk). */
  public static final String STORE_PASSWORD = "chainboot";

  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z ]+)-----([^-]*)-----END \\1-----");

  /**
   * The certificate chain and key as a PKCS#12 key store in memory.
   *
   * @throws IllegalArgumentException saying which file is wrong and how
   */
  public KeyStore keyStore() {
    List<Certificate> chain;
    try {
      chain =
          List.copyOf(
              CertificateFactory.getInstance("X.509")
                  .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(cert))));
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "--admin-cert " + cert + ": not a PEM certificate chain: " + e.getMessage(), e);
    }
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("--admin-cert " + cert + ": no certificate in it");
    }
    PrivateKey pk = privateKey();
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("admin", pk, STORE_PASSWORD.toCharArray(), chain.toArray(Certificate[]::new));
      return ks;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "--admin-key " + key + " does not go with --admin-cert " + cert + ": " + e.getMessage(),
          e);
    }
  }

  private PrivateKey privateKey() {
    String text;
    try {
      text = Files.readString(key, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalArgumentException("--admin-key " + key + ": " + e.getMessage(), e);
    }
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      if (!m.group(1).equals("PRIVATE KEY")) {
        if (m.group(1).endsWith("PRIVATE KEY")) {
          throw new IllegalArgumentException(
              "--admin-key "
                  + key
                  + ": a "
                  + m.group(1)
                  + " block; chainboot reads unencrypted PKCS#8 keys (convert with 'openssl"
                  + " pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8')");
        }
        continue;
      }
      byte[] der = Base64.getMimeDecoder().decode(m.group(2));
      for (String alg : List.of("RSA", "EC", "Ed25519")) {
        try {
          return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
          // try the next algorithm
        }
      }
      throw new IllegalArgumentException(
          "--admin-key " + key + ": not an RSA, EC or Ed25519 PKCS#8 key");
    }
    throw new IllegalArgumentException(
        "--admin-key " + key + ": no -----BEGIN PRIVATE KEY----- block in it");
  }
}
