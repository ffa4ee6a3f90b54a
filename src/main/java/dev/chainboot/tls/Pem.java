package dev.chainboot.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** PEM files: X.509 certificates and private keys in, and out. */
public final class Pem {

  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END \\1-----");

  private Pem() {}

  /** Thrown for a file that is missing, unreadable or not what it should be; says which. */
  public static final class PemException extends Exception {
    private static final long serialVersionUID = 1L;

    public PemException(String message) {
      super(message);
    }
  }

  /** The certificates in a PEM file, in file order (a server certificate first, then its CAs). */
  public static List<X509Certificate> certificates(Path file) throws PemException {
    List<X509Certificate> out = new ArrayList<>();
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      for (Block b : blocks(file)) {
        if (b.type().equals("CERTIFICATE")) {
          out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(b.der())));
        }
      }
    } catch (CertificateException e) {
      throw new PemException(file + ": not a valid X.509 certificate: " + e.getMessage());
    }
    if (out.isEmpty()) {
      throw new PemException(file + ": no PEM certificate (-----BEGIN CERTIFICATE-----) in it");
    }
    return out;
  }

  /**
   * The private key in a PEM file: PKCS#8 ({@code BEGIN PRIVATE KEY}, RSA or EC) or PKCS#1 ({@code
   * BEGIN RSA PRIVATE KEY}).
   */
  public static PrivateKey privateKey(Path file) throws PemException {
    for (Block b : blocks(file)) {
      try {
        switch (b.type()) {
          case "PRIVATE KEY" -> {
            for (String alg : List.of("RSA", "EC")) {
              try {
                return KeyFactory.getInstance(alg)
                    .generatePrivate(new PKCS8EncodedKeySpec(b.der()));
              } catch (GeneralSecurityException e) {
                // try the next algorithm
              }
            }
            throw new PemException(file + ": a PKCS#8 key that is neither RSA nor EC");
          }
          case "RSA PRIVATE KEY" -> {
            byte[] pkcs8 =
                Der.sequence(
                    Der.integer(BigInteger.ZERO),
                    Der.sequence(Der.oid("1.2.840.113549.1.1.1"), Der.nul()),
                    Der.octets(b.der()));
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
          }
          case "ENCRYPTED PRIVATE KEY" ->
              throw new PemException(
                  file + ": the key is encrypted; chainboot needs it unencrypted (chmod 600)");
          case "EC PRIVATE KEY" ->
              throw new PemException(
                  file
                      + ": a SEC1 EC key; convert it to PKCS#8 (openssl pkcs8 -topk8 -nocrypt),"
                      + " or better use RSA: Debian trixie's iPXE speaks TLS with RSA certificates"
                      + " only");
          default -> {
            // not a key: look further
          }
        }
      } catch (GeneralSecurityException e) {
        throw new PemException(file + ": not a valid private key: " + e.getMessage());
      }
    }
    throw new PemException(file + ": no PEM private key (-----BEGIN PRIVATE KEY-----) in it");
  }

  /** PEM text of certificates. */
  public static String encode(List<X509Certificate> certs) {
    StringBuilder s = new StringBuilder();
    for (X509Certificate c : certs) {
      try {
        s.append(block("CERTIFICATE", c.getEncoded()));
      } catch (java.security.cert.CertificateEncodingException e) {
        throw new IllegalStateException(e);
      }
    }
    return s.toString();
  }

  /** PEM text of a private key (PKCS#8). */
  public static String encode(PrivateKey key) {
    return block("PRIVATE KEY", key.getEncoded());
  }

  private static String block(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  private record Block(String type, byte[] der) {}

  private static List<Block> blocks(Path file) throws PemException {
    String text;
    try {
      if (Files.size(file) > 1 << 20) {
        throw new PemException(file + ": larger than 1 MiB; not a PEM file");
      }
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new PemException(file + ": no such file");
    } catch (IOException e) {
      throw new PemException(file + ": cannot read: " + e.getMessage());
    }
    List<Block> out = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      try {
        out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
      } catch (IllegalArgumentException e) {
        throw new PemException(file + ": bad base64 in a " + m.group(1) + " block");
      }
    }
    return out;
  }
}
