package dev.chainboot.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.config.ServerConfig;
import dev.chainboot.server.ChainbootServer;
import dev.chainboot.testing.Curl;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a pxe_srv user brings, against a real server and curl: {@code PXESRV_LOG} in pxe_srv's
 * Common Log Format, {@code //redirect} (an empty segment from a DHCP filename), the {@code
 * /pxelinux.cfg/<name>} stub, and X-Forwarded-For honoured from configured proxies only (pxe_srv
 * honoured it from anyone: any client could take another's once/static file).
 */
class PxeSrvDropInTest {

  @TempDir Path tmp;
  ChainbootServer server;
  Path root;

  ChainbootServer start(List<String> trustedProxies, Optional<Path> log) throws Exception {
    root = Files.createDirectories(tmp.resolve("root"));
    Files.createDirectories(root.resolve("static"));
    Files.writeString(root.resolve("default"), "#!ipxe\necho default\n");
    Files.writeString(root.resolve("static/10.9.9.9"), "#!ipxe\necho static for 10.9.9.9\n");
    server =
        new ChainbootServer(
                ServerConfig.builder(tmp.resolve("data"))
                    .http(new InetSocketAddress("127.0.0.1", 0))
                    .pxesrvRoot(Optional.of(root))
                    .trustedProxies(trustedProxies)
                    .pxesrvLog(log)
                    .build())
            .start();
    return server;
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.httpPort() + path;
  }

  @Test
  void doubleSlashesPxelinuxStubAndTheAccessLog() throws Exception {
    Path log = tmp.resolve("pxesrv.log");
    start(List.of(), Optional.of(log));
    Curl.Result r = Curl.run("--path-as-is", url("//redirect"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text()).isEqualTo("#!ipxe\necho default\n");
    assertThat(Curl.run("--path-as-is", url("/centos//..//default")).status()).isIn(400, 404);

    Curl.Result stub = Curl.run(url("/pxelinux.cfg/01-52-54-00-12-34-56"));
    assertThat(stub.status()).isEqualTo(200);
    assertThat(stub.body()).isEmpty();
    assertThat(Curl.run(url("/pxelinux.cfg/default")).status()).isEqualTo(404);
    Files.createDirectories(root.resolve("pxelinux.cfg"));
    Files.writeString(root.resolve("pxelinux.cfg/default"), "DEFAULT local\n");
    assertThat(Curl.run(url("/pxelinux.cfg/default")).text()).isEqualTo("DEFAULT local\n");

    // Jetty logs a request just after its response is complete: allow it a moment.
    List<String> lines = Files.readAllLines(log);
    for (int i = 0; i < 50 && lines.size() < 5; i++) {
      Thread.sleep(100);
      lines = Files.readAllLines(log);
    }
    assertThat(lines).hasSize(5);
    // Rack::CommonLogger's format, as pxe_srv wrote it.
    assertThat(lines.get(0))
        .matches(
            "127\\.0\\.0\\.1 - - \\[\\d{2}/[A-Z][a-z]{2}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4}\\]"
                + " \"GET //redirect HTTP/1\\.1\" 200 20 \\d+\\.\\d{4}");
    assertThat(lines.get(2)).contains("\"GET /pxelinux.cfg/01-52-54-00-12-34-56 HTTP/1.1\" 200 - ");
  }

  @Test
  void anUnwritableLogStopsTheServerWithAMessage() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("a-directory"));
    try {
      start(List.of(), Optional.of(dir));
      throw new AssertionError("started with a directory as its log");
    } catch (dev.chainboot.server.StartupException e) {
      assertThat(e.getMessage()).contains("cannot open the access log", "PXESRV_LOG");
      server = null;
    }
  }

  @Test
  void xForwardedForCountsOnlyFromTrustedProxies() throws Exception {
    start(List.of(), Optional.empty());
    // Anyone can send the header; without a trusted proxy it is ignored.
    assertThat(Curl.run("-H", "X-Forwarded-For: 10.9.9.9", url("/redirect")).text())
        .isEqualTo("#!ipxe\necho default\n");
    server.close();

    start(List.of("127.0.0.1/32"), Optional.empty());
    assertThat(Curl.run("-H", "X-Forwarded-For: 10.9.9.9", url("/redirect")).text())
        .isEqualTo("#!ipxe\necho static for 10.9.9.9\n");
    // A client cannot forge its way past the proxy: the right-most untrusted hop counts.
    assertThat(Curl.run("-H", "X-Forwarded-For: 10.9.9.9, 10.1.1.1", url("/redirect")).text())
        .isEqualTo("#!ipxe\necho default\n");
    assertThat(Curl.run("-H", "X-Forwarded-For: garbage", url("/redirect")).text())
        .isEqualTo("#!ipxe\necho default\n");
    // From another address (not a trusted proxy) the header is ignored again.
    assertThat(
            Curl.run(
                    "--interface", "127.0.0.2", "-H", "X-Forwarded-For: 10.9.9.9", url("/redirect"))
                .text())
        .isEqualTo("#!ipxe\necho default\n");
  }
}
