package dev.chainboot.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.boot.BootEvent;
import dev.chainboot.testing.CompatServer;
import dev.chainboot.testing.Curl;
import dev.chainboot.testing.Traversal;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * pxe_srv's /redirect, /grub/clear and static root, with curl bound to different loopback source
 * addresses (--interface 127.0.0.N) so the server sees different client IPs.
 */
class PxeSrvCompatTest {

  CompatServer server;
  Path root;

  @BeforeEach
  void start() throws Exception {
    server = new CompatServer();
    root = server.base.resolve("pxesrv");
    Files.createDirectories(root.resolve("once"));
    Files.createDirectories(root.resolve("static"));
    Files.createDirectories(root.resolve("centos/7"));
    Files.writeString(root.resolve("default"), "#!ipxe\necho default\n");
    Files.writeString(root.resolve("centos/7/default"), "#!ipxe\necho centos7\n");
    Files.writeString(root.resolve("install"), "#!ipxe\necho install\n");
    Files.writeString(root.resolve("static-target"), "#!ipxe\necho static-for-3\n");
    Files.writeString(server.base.resolve("secret.txt"), "TOPSECRET\n");
    server.start(Optional.of(root), Optional.empty());
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  Curl.Result from(String source, String path) throws Exception {
    return Curl.run("--interface", source, server.url(path));
  }

  @Test
  void keyedByClientIp() throws Exception {
    Files.writeString(root.resolve("static/127.0.0.2"), "#!ipxe\necho static-for-2\n");
    Files.createSymbolicLink(root.resolve("static/127.0.0.3"), Path.of("../static-target"));
    Curl.Result two = from("127.0.0.2", "/redirect");
    assertThat(two.status()).isEqualTo(200);
    assertThat(two.header("content-type")).startsWith("text/plain");
    assertThat(two.text()).isEqualTo("#!ipxe\necho static-for-2\n");
    assertThat(from("127.0.0.3", "/redirect").text()).isEqualTo("#!ipxe\necho static-for-3\n");
    assertThat(from("127.0.0.4", "/redirect").text()).isEqualTo("#!ipxe\necho default\n");
  }

  @Test
  void onceIsConsumedThenStatic() throws Exception {
    Files.writeString(root.resolve("static/127.0.0.2"), "#!ipxe\necho static-for-2\n");
    Files.createSymbolicLink(root.resolve("once/127.0.0.2"), root.resolve("install"));
    assertThat(from("127.0.0.3", "/redirect").text()).isEqualTo("#!ipxe\necho default\n");
    assertThat(Files.isSymbolicLink(root.resolve("once/127.0.0.2"))).isTrue();
    Curl.Result head = Curl.run("--interface", "127.0.0.2", "-I", server.url("/redirect"));
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.header("content-length"))
        .isEqualTo(Integer.toString("#!ipxe\necho install\n".length()));
    assertThat(Files.isSymbolicLink(root.resolve("once/127.0.0.2")))
        .as("HEAD does not consume")
        .isTrue();
    assertThat(Curl.run("--interface", "127.0.0.2", "-X", "POST", server.url("/redirect")).status())
        .isEqualTo(405);
    assertThat(Files.isSymbolicLink(root.resolve("once/127.0.0.2"))).isTrue();
    assertThat(from("127.0.0.2", "/redirect").text()).isEqualTo("#!ipxe\necho install\n");
    assertThat(
            Files.exists(root.resolve("once/127.0.0.2"), java.nio.file.LinkOption.NOFOLLOW_LINKS))
        .isFalse();
    assertThat(from("127.0.0.2", "/redirect").text()).isEqualTo("#!ipxe\necho static-for-2\n");
    assertThat(Files.exists(root.resolve("install"))).isTrue();
    try (var s = Files.list(root.resolve("once"))) {
      assertThat(s).isEmpty();
    }
  }

  @Test
  void relativeOnceTargetResolvesAgainstTheLinkDirectory() throws Exception {
    Files.createSymbolicLink(root.resolve("once/127.0.0.2"), Path.of("../centos/7/default"));
    assertThat(from("127.0.0.2", "/redirect").text()).isEqualTo("#!ipxe\necho centos7\n");
  }

  @Test
  void onceWithMissingTargetIsNotConsumed() throws Exception {
    Files.createSymbolicLink(root.resolve("once/127.0.0.2"), Path.of("../does-not-exist"));
    Curl.Result r = from("127.0.0.2", "/redirect");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text()).isEqualTo("#!ipxe\necho default\n");
    assertThat(Files.isSymbolicLink(root.resolve("once/127.0.0.2"))).isTrue();
    // Once the target appears, the link works and is consumed.
    Files.writeString(root.resolve("does-not-exist"), "#!ipxe\necho late\n");
    assertThat(from("127.0.0.2", "/redirect").text()).isEqualTo("#!ipxe\necho late\n");
    assertThat(Files.isSymbolicLink(root.resolve("once/127.0.0.2"))).isFalse();
  }

  @Test
  void regularFileInOnceIsIgnoredAndLinksOutsideTheRootAreRefused() throws Exception {
    Files.writeString(root.resolve("once/127.0.0.2"), "#!ipxe\necho regular\n");
    assertThat(from("127.0.0.2", "/redirect").text()).isEqualTo("#!ipxe\necho default\n");
    Files.createSymbolicLink(root.resolve("once/127.0.0.3"), server.base.resolve("secret.txt"));
    Files.createSymbolicLink(root.resolve("static/127.0.0.3"), server.base.resolve("secret.txt"));
    Curl.Result r = from("127.0.0.3", "/redirect");
    assertThat(r.text()).isEqualTo("#!ipxe\necho default\n");
  }

  /**
   * One HTTP/1.1 GET over a socket bound to {@code source}, connected before {@code go} trips so
   * that the request bytes of all threads leave at the same instant; {status, body}.
   */
  static String[] rawGet(String source, int port, String path, CyclicBarrier go) throws Exception {
    try (Socket s = new Socket()) {
      s.setSoTimeout(30_000);
      s.bind(new InetSocketAddress(source, 0));
      s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      byte[] req =
          ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII);
      go.await(30, TimeUnit.SECONDS);
      s.getOutputStream().write(req);
      s.getOutputStream().flush();
      byte[] all = s.getInputStream().readAllBytes();
      String text = new String(all, StandardCharsets.ISO_8859_1);
      int end = text.indexOf("\r\n\r\n");
      assertThat(end).as("response head: %s", text).isPositive();
      String head = text.substring(0, end).toLowerCase(java.util.Locale.ROOT);
      String body = text.substring(end + 4);
      assertThat(head).as("plain Content-Length body expected").doesNotContain("transfer-encoding");
      String status = head.split(" ")[1];
      return new String[] {
        status, new String(body.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8)
      };
    }
  }

  @Test
  @Timeout(60)
  void fiftyConcurrentRequestsConsumeOnceExactlyOnce() throws Exception {
    Files.writeString(root.resolve("static/127.0.0.5"), "#!ipxe\necho static-for-5\n");
    Files.createSymbolicLink(root.resolve("once/127.0.0.5"), Path.of("../install"));
    // 50 threads, each with its own connection from 127.0.0.5 opened beforehand, held behind
    // one barrier and released together: the requests race inside the server (curl --parallel
    // from one event loop sent them ~3 ms apart, which let a read-then-delete once pass).
    int n = 50;
    CyclicBarrier go = new CyclicBarrier(n);
    List<Future<String[]>> futures = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
      for (int i = 0; i < n; i++) {
        futures.add(pool.submit(() -> rawGet("127.0.0.5", server.port(), "/redirect", go)));
      }
    }
    List<String[]> responses = new ArrayList<>();
    for (Future<String[]> f : futures) {
      responses.add(f.get(30, TimeUnit.SECONDS));
    }
    assertThat(responses).hasSize(50).extracting(r -> r[0]).containsOnly("200");
    int once = 0;
    int rest = 0;
    for (String[] r : responses) {
      String body = r[1];
      if (body.equals("#!ipxe\necho install\n")) {
        once++;
      } else if (body.equals("#!ipxe\necho static-for-5\n")) {
        rest++;
      }
    }
    assertThat(once).isEqualTo(1);
    assertThat(rest).isEqualTo(49);
    // The BootEvents say so: one once (consumed), 49 static, all for 127.0.0.5 via pxesrv.
    assertThat(server.events)
        .hasSize(50)
        .allSatisfy(
            e -> {
              assertThat(e.clientIp()).isEqualTo("127.0.0.5");
              assertThat(e.protocol()).isEqualTo("pxesrv");
            });
    assertThat(server.events)
        .filteredOn(e -> e.match() == BootEvent.Match.ONCE)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.onceConsumed()).isTrue();
              assertThat(e.reason()).isEqualTo("pxe_srv once -> install");
            });
    assertThat(server.events)
        .filteredOn(e -> e.match() == BootEvent.Match.STATIC)
        .hasSize(49)
        .allSatisfy(e -> assertThat(e.onceConsumed()).isFalse());
    try (var s = Files.list(root.resolve("once"))) {
      assertThat(s).isEmpty();
    }
  }

  @Test
  void noDefaultFallsBackToTheCoreDecision() throws Exception {
    Files.delete(root.resolve("default"));
    Curl.Result r = from("127.0.0.7", "/redirect");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text()).contains("core-decision mac=none ip=127.0.0.7");
    assertThat(server.resolver.requests).hasSize(1);
  }

  @Test
  void rootIsServedAsStaticFilesWithoutShadowingOtherRoutes() throws Exception {
    Curl.Result r = Curl.run(server.url("/centos/7/default"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text()).isEqualTo("#!ipxe\necho centos7\n");
    // Typed by extension as pxe_srv's static files were: no extension is octet-stream.
    assertThat(r.header("content-type")).isEqualTo("application/octet-stream");
    Files.writeString(root.resolve("notes.txt"), "n");
    Files.writeString(root.resolve("index.html"), "<p>");
    assertThat(Curl.run(server.url("/notes.txt")).header("content-type")).startsWith("text/plain");
    assertThat(Curl.run(server.url("/index.html")).header("content-type")).startsWith("text/html");
    assertThat(Curl.run(server.url("/health")).text()).isEqualTo("ok\n");
    Files.writeString(server.data.resolve("assets/a.bin"), "asset");
    assertThat(Curl.run(server.url("/assets/a.bin")).text()).isEqualTo("asset");
    assertThat(Curl.run(server.url("/nothing")).status()).isEqualTo(404);
    assertThat(Curl.run(server.url("/centos/")).status()).isEqualTo(404);
    Traversal.assertRefused(server, "/");
    Traversal.assertRefused(server, "/centos/");
  }

  @Test
  void grubClearDeletesTheClientsHexFile() throws Exception {
    Path dir = Files.createDirectories(root.resolve("grub/centos7"));
    Files.writeString(dir.resolve("grub.cfg-7F000002"), "menuentry once");
    Files.writeString(dir.resolve("grub.cfg-7F000003"), "menuentry other");
    Curl.Result r = from("127.0.0.2", "/grub/clear/centos7");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text()).contains("Delete grub/centos7/grub.cfg-7F000002");
    assertThat(Files.exists(dir.resolve("grub.cfg-7F000002"))).isFalse();
    assertThat(Files.exists(dir.resolve("grub.cfg-7F000003"))).isTrue();
    // Nothing to clear: 400, as pxe_srv answered, so a `curl -f` in a %post sees it.
    Curl.Result again = from("127.0.0.2", "/grub/clear/centos7");
    assertThat(again.status()).isEqualTo(400);
    assertThat(again.text()).contains("Missing grub/centos7/grub.cfg-7F000002");
    assertThat(
            Curl.exec(
                    List.of(
                        "curl",
                        "-sf",
                        "--interface",
                        "127.0.0.2",
                        server.url("/grub/clear/centos7")))
                .exit())
        .isEqualTo(22);
    for (String bad :
        List.of("..", "%2e%2e", "../grub", "a/b", "centos7%2f..", ".hidden", "a%00")) {
      Curl.Result b =
          Curl.run("--path-as-is", "--interface", "127.0.0.3", server.url("/grub/clear/" + bad));
      assertThat(b.status()).as(bad).isIn(400, 404);
    }
    assertThat(Files.exists(dir.resolve("grub.cfg-7F000003"))).isTrue();
  }
}
