package dev.chainboot.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.boot.BootAnswer;
import dev.chainboot.boot.BootRequest;
import dev.chainboot.boot.BootResolver;
import dev.chainboot.config.ServerConfig;
import dev.chainboot.testing.Curl;
import dev.chainboot.testing.FixedResolver;
import dev.chainboot.testing.Processes;
import dev.chainboot.testing.TftpTestServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP storm control with real curl from several loopback addresses: 2 requests at once, 1 per
 * client, 500 ms of waiting, for downloads and for other requests each. Download slots are held by
 * clients that ask for a big file and never read it; script slots by clients whose boot decision
 * the resolver holds back until the test releases their address.
 */
class HttpStormTest {

  static final String MAC = "52-54-00-12-34-56";

  @TempDir Path data;
  HttpServer http;
  final List<Socket> holders = new ArrayList<>();

  /** Client addresses whose decision waits (at most 30 s) until {@link #release}. */
  final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();

  /** The boot core of these tests: {@link FixedResolver}, held back for gated addresses. */
  final class GatedResolver implements BootResolver {
    final FixedResolver core = new FixedResolver();

    @Override
    public BootAnswer resolve(BootRequest request, String baseUrl) {
      CountDownLatch gate = gates.get(request.clientIp().getHostAddress());
      if (gate != null) {
        try {
          gate.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return core.resolve(request, baseUrl);
    }

    @Override
    public Optional<BootAnswer> resolveProfile(
        BootRequest request, String profile, String baseUrl) {
      return Optional.of(resolve(request, baseUrl));
    }

    @Override
    public boolean hasBootFor(BootRequest request) {
      return false;
    }
  }

  private void release(String ip) {
    gates.remove(ip).countDown();
  }

  @BeforeEach
  void start() throws Exception {
    ServerConfig config = ServerConfig.builder(data).build();
    Files.createDirectories(config.assetsRoot());
    TftpTestServer.randomFile(config.assetsRoot().resolve("big.bin"), 16 << 20, 3);
    http = new HttpServer(new InetSocketAddress("127.0.0.1", 0), new HttpServer.Limits(2, 1, 500));
    Routes.health(http.router());
    Routes.boot(http.router(), new GatedResolver());
    Routes.files(http.router(), config);
    http.start();
  }

  @AfterEach
  void stop() throws Exception {
    gates.values().forEach(CountDownLatch::countDown);
    for (Socket s : holders) {
      s.close();
    }
    http.close();
  }

  private String url(String path) {
    return "http://127.0.0.1:" + http.port() + path;
  }

  /** A client at {@code from} that asks for the big file and never reads: it holds a slot. */
  private Socket hold(String from) throws Exception {
    return hold(from, "/assets/big.bin");
  }

  /** A client at {@code from} whose script the resolver holds back: it holds a script slot. */
  private Socket holdScript(String from) throws Exception {
    gates.put(from, new CountDownLatch(1));
    return hold(from, "/boot.ipxe?mac=" + MAC);
  }

  private Socket hold(String from, String path) throws Exception {
    int before = http.runningRequests();
    Socket s = new Socket();
    s.setReceiveBufferSize(4096);
    s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
    s.connect(new InetSocketAddress("127.0.0.1", http.port()), 5000);
    OutputStream out = s.getOutputStream();
    out.write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    holders.add(s);
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (http.runningRequests() == before) {
      assertThat(System.nanoTime()).as("the holder got its slot").isLessThan(end);
      Thread.sleep(5);
    }
    return s;
  }

  @Test
  void aClientAtItsDownloadLimitIsToldToComeBackWhileAnotherClientIsServed() throws Exception {
    hold("127.0.0.1");
    Curl.Result same = Curl.run("--interface", "127.0.0.1", url("/assets/big.bin"));
    assertThat(same.status()).isEqualTo(503);
    assertThat(Integer.parseInt(same.header("Retry-After")))
        .isBetween(StormControl.MIN_RETRY_SECONDS, StormControl.MIN_RETRY_SECONDS + 4);
    Curl.Result other = Curl.run("--interface", "127.0.0.2", "-r", "0-99", url("/assets/big.bin"));
    assertThat(other.status()).isEqualTo(206);
  }

  @Test
  void scriptsNeverWaitBehindDownloads() throws Exception {
    hold("127.0.0.1");
    hold("127.0.0.2"); // every download slot taken, one of them by this client
    long start = System.nanoTime();
    Curl.Result script = Curl.run("--interface", "127.0.0.1", url("/boot.ipxe?mac=" + MAC));
    assertThat(script.status()).isEqualTo(200);
    assertThat(script.text()).contains("core-decision mac=52:54:00:12:34:56 ip=127.0.0.1");
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .as("answered without waiting for a slot (the wait is 500 ms)")
        .isLessThan(Duration.ofMillis(450));
    assertThat(Curl.run("--interface", "127.0.0.3", url("/assets/big.bin")).status())
        .isEqualTo(503);
  }

  @Test
  void aClientAtItsLimitIsToldToComeBackWhileAnotherClientIsServed() throws Exception {
    holdScript("127.0.0.1");
    Curl.Result same = Curl.run("--interface", "127.0.0.1", url("/boot.ipxe?mac=" + MAC));
    assertThat(same.status()).isEqualTo(503);
    assertThat(Integer.parseInt(same.header("Retry-After")))
        .isBetween(StormControl.MIN_RETRY_SECONDS, StormControl.MIN_RETRY_SECONDS + 4);
    Curl.Result other = Curl.run("--interface", "127.0.0.2", url("/boot.ipxe?mac=" + MAC));
    assertThat(other.status()).isEqualTo(200);
    assertThat(other.text()).contains("core-decision mac=52:54:00:12:34:56 ip=127.0.0.2");
  }

  @Test
  void anOverloadedServerAnswersIpxeWithARetryingScriptAndStillAnswersHealth() throws Exception {
    holdScript("127.0.0.1");
    holdScript("127.0.0.2");
    Curl.Result busy =
        Curl.run(
            "--interface",
            "127.0.0.3",
            "-A",
            "iPXE/1.21.1",
            url("/boot.ipxe?mac=" + MAC + "&profile=x"));
    assertThat(busy.status()).isEqualTo(503);
    int seconds = Integer.parseInt(busy.header("Retry-After"));
    assertThat(busy.text())
        .startsWith("#!ipxe\n")
        .contains("\nsleep " + seconds + "\n")
        .contains(
            "\nchain --replace --autofree "
                + url("/boot/resolve?mac=${mac:hexhyp}&serial=${serial:uristring}"))
        .contains("&uuid=${uuid}&profile=x\n");
    assertThat(Curl.run(url("/health")).status()).isEqualTo(200);
  }

  @Test
  void overloadEndsInTheMachinesScriptNotAFailure() throws Exception {
    holdScript("127.0.0.1");
    holdScript("127.0.0.2");
    Process curl =
        new ProcessBuilder(
                "curl",
                "--max-time",
                "60",
                "--retry",
                "5",
                "--interface",
                "127.0.0.3",
                "-A",
                "iPXE/1.21.1",
                "-o",
                data.resolve("script").toString(),
                "-w",
                "%{http_code}",
                url("/boot.ipxe?mac=" + MAC))
            .redirectError(data.resolve("curl.err").toFile())
            .redirectOutput(data.resolve("curl.out").toFile())
            .start();
    try {
      Thread.sleep(1500); // the first try waited 500 ms and was answered 503
      release("127.0.0.1"); // a slot comes free; curl's retry after Retry-After gets it
      assertThat(curl.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    } finally {
      Processes.kill(curl);
    }
    assertThat(curl.exitValue()).isZero();
    assertThat(Files.readString(data.resolve("curl.out"))).isEqualTo("200");
    assertThat(Files.readString(data.resolve("curl.err"))).contains("Will retry in");
    assertThat(Files.readString(data.resolve("script")))
        .contains("core-decision mac=52:54:00:12:34:56 ip=127.0.0.3");
  }
}
