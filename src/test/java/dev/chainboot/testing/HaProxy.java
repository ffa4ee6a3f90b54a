package dev.chainboot.testing;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Debian's HAProxy (package {@code haproxy}) in front of HTTP servers on loopback: round robin,
 * health checks on {@code /health} every 300 ms, and a request whose server dropped the connection
 * without answering sent once more to another server (as an operator would set it up, see
 * docs/production.md). Stopped by {@link #close()}.
 */
public final class HaProxy implements AutoCloseable {

  private final Process process;
  public final int port;
  public final Path log;

  public HaProxy(Path dir, List<Integer> backends) throws Exception {
    port = Jar.freePort();
    log = dir.resolve("haproxy.log");
    StringBuilder cfg =
        new StringBuilder(
            """
            global
              maxconn 4096
            defaults
              mode http
              timeout connect 2s
              timeout check 5s
              timeout client 60s
              timeout server 60s
              retries 2
              option redispatch 1
              retry-on conn-failure empty-response
            frontend boot
            """);
    cfg.append("  bind 127.0.0.1:").append(port).append('\n');
    cfg.append(
        """
          default_backend chainboot
        backend chainboot
          balance roundrobin
          option httpchk GET /health
          http-check expect status 200
          default-server inter 500ms fall 3 rise 2
        """);
    for (int i = 0; i < backends.size(); i++) {
      cfg.append("  server cb")
          .append(i)
          .append(" 127.0.0.1:")
          .append(backends.get(i))
          .append(" check\n");
    }
    Path file = dir.resolve("haproxy.cfg");
    Files.writeString(file, cfg);
    if (!Files.isExecutable(Path.of("/usr/sbin/haproxy"))) {
      throw new AssertionError(
          "HAProxy is not installed: apt-get install haproxy (scripts/test installs it as root)");
    }
    process =
        new ProcessBuilder("/usr/sbin/haproxy", "-db", "-f", file.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (true) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException e) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          close();
          throw new AssertionError("haproxy did not start: " + Files.readString(log));
        }
        Thread.sleep(100);
      }
    }
  }

  public String base() {
    return "http://127.0.0.1:" + port;
  }

  @Override
  public void close() throws InterruptedException {
    Processes.stop(process);
  }
}
