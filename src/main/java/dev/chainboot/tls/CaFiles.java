package dev.chainboot.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The private CA that {@code chainboot ca init} keeps in {@code DATA/tls/}: {@code ca.key} and
 * {@code ca.crt} (the CA; its fingerprint is what firmware is told to trust), {@code server.key}
 * and {@code server.crt} (the server certificate followed by the CA certificate, as the HTTPS
 * listener presents them). Keys are written readable by their owner only.
 */
public final class CaFiles {

  /** How long the CA certificate is valid. */
  public static final Duration CA_VALIDITY = Duration.ofDays(3650);

  private final Path dir;

  public CaFiles(Path dataDir) {
    this.dir = dataDir.resolve("tls");
  }

  public Path dir() {
    return dir;
  }

  public Path caCert() {
    return dir.resolve("ca.crt");
  }

  public Path caKey() {
    return dir.resolve("ca.key");
  }

  public Path serverCert() {
    return dir.resolve("server.crt");
  }

  public Path serverKey() {
    return dir.resolve("server.key");
  }

  /** What {@link #init} or {@link #renew} made. */
  public record Issued(X509Certificate ca, X509Certificate server, boolean newCa) {}

  /**
   * Makes the CA (unless it exists) and a server certificate for {@code names} and {@code
   * addresses}.
   *
   * @param force replace an existing CA too (every machine must then learn the new fingerprint)
   * @throws IOException when files cannot be written, or the CA exists and {@code force} is not set
   *     but its files are incomplete
   */
  public Issued init(
      List<String> names,
      List<InetAddress> addresses,
      Duration validity,
      boolean force,
      Instant now)
      throws IOException, Pem.PemException {
    Files.createDirectories(dir);
    boolean haveCa = Files.exists(caCert()) && Files.exists(caKey());
    X509Certificate ca;
    PrivateKey caKey;
    if (haveCa && !force) {
      ca = Pem.certificates(caCert()).getFirst();
      caKey = Pem.privateKey(caKey());
    } else {
      KeyPair keys = CertificateAuthority.rsaKeyPair();
      ca = CertificateAuthority.selfSignedCa(keys, "chainboot private CA", now, CA_VALIDITY);
      caKey = keys.getPrivate();
      writePrivate(caKey(), Pem.encode(caKey));
      write(caCert(), Pem.encode(List.of(ca)));
    }
    X509Certificate server = issue(ca, caKey, names, addresses, validity, now);
    return new Issued(ca, server, !haveCa || force);
  }

  /**
   * A new server key and certificate for the names and addresses of the current one, from the same
   * CA (so firmware keeps trusting it).
   */
  public Issued renew(Duration validity, Instant now) throws IOException, Pem.PemException {
    X509Certificate ca = Pem.certificates(caCert()).getFirst();
    PrivateKey caKey = Pem.privateKey(caKey());
    X509Certificate old = Pem.certificates(serverCert()).getFirst();
    List<String> names = new ArrayList<>();
    List<InetAddress> addresses = new ArrayList<>();
    try {
      if (old.getSubjectAlternativeNames() != null) {
        for (List<?> san : old.getSubjectAlternativeNames()) {
          int type = (Integer) san.get(0);
          if (type == 2) {
            names.add((String) san.get(1));
          } else if (type == 7) {
            addresses.add(InetAddress.getByName((String) san.get(1)));
          }
        }
      }
    } catch (CertificateParsingException e) {
      throw new Pem.PemException(serverCert() + ": cannot read its names: " + e.getMessage());
    }
    return new Issued(ca, issue(ca, caKey, names, addresses, validity, now), false);
  }

  private X509Certificate issue(
      X509Certificate ca,
      PrivateKey caKey,
      List<String> names,
      List<InetAddress> addresses,
      Duration validity,
      Instant now)
      throws IOException {
    KeyPair keys = CertificateAuthority.rsaKeyPair();
    X509Certificate server =
        CertificateAuthority.serverCertificate(
            caKey, ca, keys.getPublic(), names, addresses, now, validity);
    writePrivate(serverKey(), Pem.encode(keys.getPrivate()));
    write(serverCert(), Pem.encode(List.of(server, ca)));
    return server;
  }

  private static void write(Path p, String text) throws IOException {
    Path tmp = p.resolveSibling(p.getFileName() + ".tmp");
    Files.writeString(tmp, text, StandardCharsets.US_ASCII);
    Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void writePrivate(Path p, String text) throws IOException {
    Path tmp = p.resolveSibling(p.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    try {
      Files.createFile(
          tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(tmp);
    }
    Files.writeString(tmp, text, StandardCharsets.US_ASCII);
    Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
