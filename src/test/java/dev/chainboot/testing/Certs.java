package dev.chainboot.testing;

import dev.chainboot.config.TlsFiles;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** A self-signed certificate for 127.0.0.1 and localhost, made by the real openssl. */
public final class Certs {

  private Certs() {}

  /** {@code dir/cert.pem} and {@code dir/key.pem} (EC P-256, PKCS#8), valid for a day. */
  public static TlsFiles selfSigned(Path dir) throws Exception {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Processes.Output o =
        Processes.run(
            new ProcessBuilder(
                List.of(
                    "openssl",
                    "req",
                    "-x509",
                    "-newkey",
                    "ec",
                    "-pkeyopt",
                    "ec_paramgen_curve:prime256v1",
                    "-nodes",
                    "-keyout",
                    key.toString(),
                    "-out",
                    cert.toString(),
                    "-days",
                    "1",
                    "-subj",
                    "/CN=localhost",
                    "-addext",
                    "subjectAltName=IP:127.0.0.1,DNS:localhost")),
            Duration.ofSeconds(60));
    if (o.exit() != 0) {
      throw new AssertionError("openssl failed (install Debian's openssl): " + o.stderr());
    }
    return new TlsFiles(cert, key);
  }

  /** An SSL context trusting only the certificates in {@code pem}. */
  public static SSLContext trusting(Path pem) {
    try {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      int i = 0;
      try (InputStream in = Files.newInputStream(pem)) {
        for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          ks.setCertificateEntry("c" + i++, c);
        }
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
