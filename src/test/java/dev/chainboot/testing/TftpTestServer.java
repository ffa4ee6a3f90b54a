package dev.chainboot.testing;

import dev.chainboot.config.ServerConfig;
import dev.chainboot.config.StormLimits;
import dev.chainboot.server.ChainbootServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;

/** A real chainboot server in-process: TFTP and HTTP on 127.0.0.1 port 0, a temp data dir. */
public final class TftpTestServer implements AutoCloseable {

  public final Path dataDir;
  public final ChainbootServer server;

  public TftpTestServer(Path dataDir) throws Exception {
    this(dataDir, Optional.empty());
  }

  public TftpTestServer(Path dataDir, Optional<String> advertise) throws Exception {
    this(dataDir, advertise, StormLimits.DEFAULTS);
  }

  /** With other storm-control limits. */
  public TftpTestServer(Path dataDir, StormLimits limits) throws Exception {
    this(dataDir, Optional.empty(), limits);
  }

  private TftpTestServer(Path dataDir, Optional<String> advertise, StormLimits limits)
      throws Exception {
    this.dataDir = dataDir;
    this.server =
        new ChainbootServer(
                ServerConfig.builder(dataDir)
                    .tftp(Optional.of(new InetSocketAddress("127.0.0.1", 0)))
                    .http(new InetSocketAddress("127.0.0.1", 0))
                    .advertise(advertise)
                    .limits(limits)
                    .build())
            .start();
  }

  public int port() {
    return server.tftpPort();
  }

  public Path tftpRoot() {
    return dataDir.resolve("tftp");
  }

  @Override
  public void close() {
    server.close();
  }

  public static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static String sha256(Path p) throws IOException {
    try (var in = Files.newInputStream(p)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A file of pseudo-random bytes (deterministic per seed). */
  public static Path randomFile(Path p, long size, long seed) throws IOException {
    java.util.Random r = new java.util.Random(seed);
    byte[] buf = new byte[1 << 16];
    try (var out = Files.newOutputStream(p)) {
      long left = size;
      while (left > 0) {
        r.nextBytes(buf);
        int n = (int) Math.min(buf.length, left);
        out.write(buf, 0, n);
        left -= n;
      }
    }
    return p;
  }
}
