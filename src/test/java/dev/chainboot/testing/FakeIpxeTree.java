package dev.chainboot.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;

/**
 * The fake iPXE source tree in {@code src/test/resources/ipxe-fake}: a Makefile with iPXE's targets
 * and its {@code EMBED=}/{@code TRUST=}/{@code CERT=} interface that builds in well under a second
 * with the real gcc and openssl (see its header for the test hooks). Also makes test CAs.
 */
public final class FakeIpxeTree {

  private FakeIpxeTree() {}

  /** A fresh copy of the fake tree at {@code target} (tests may change their copy). */
  public static Path copyTo(Path target) throws IOException {
    Path from;
    try {
      from = Path.of(FakeIpxeTree.class.getResource("/ipxe-fake/src/Makefile").toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IOException(e);
    }
    Path src = target.resolve("src");
    Files.walkFileTree(
        from,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a)
              throws IOException {
            Files.createDirectories(src.resolve(from.relativize(d).toString()));
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
            Files.copy(f, src.resolve(from.relativize(f).toString()));
            return FileVisitResult.CONTINUE;
          }
        });
    return target;
  }

  /**
   * A self-signed CA certificate made with openssl in {@code dir}; returns the PEM text ({@code
   * dir/ca.pem}, key {@code dir/ca.key}).
   */
  public static String selfSignedCa(Path dir, String commonName)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Processes.Output o =
        Processes.run(
            Duration.ofSeconds(60),
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "30",
            "-subj",
            "/CN=" + commonName,
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-keyout",
            dir.resolve("ca.key").toString(),
            "-out",
            dir.resolve("ca.pem").toString());
    if (o.exit() != 0) {
      throw new IOException("openssl failed: " + o.all());
    }
    try (InputStream in = Files.newInputStream(dir.resolve("ca.pem"))) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
    }
  }
}
