package dev.chainboot.http;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP storm control with real curl from several loopback addresses: 2 requests at once, 1 per
 * client, 500 ms of waiting. Slots are held by clients that ask for a big file and never read it.
 */
class HttpStormTest {

  static final String MAC = "52-54-00-12-34-56";

  @TempDir Path data;
  HttpServer http;
  final List<Socket> holders = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    ServerConfig config = ServerConfig.builder(data).build();
    Files.createDirectories(config.assetsRoot());
    TftpTestServer.randomFile(config.assetsRoot().resolve("big.bin"), 16 << 20, 3);
    http = new HttpServer(new InetSocketAddress("127.0.0.1", 0), new HttpServer.Limits(2, 1, 500));
    Routes.health(http.router());
    Routes.boot(http.router(), new FixedResolver());
    Routes.files(http.router(), config);
    http.start();
  }

  @AfterEach
  void stop() throws Exception {
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
    int before = http.runningRequests();
    Socket s = new Socket();
    s.setReceiveBufferSize(4096);
    s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
    s.connect(new InetSocketAddress("127.0.0.1", http.port()), 5000);
    OutputStream out = s.getOutputStream();
    out.write(
        "GET /assets/big.bin HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
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
  void aClientAtItsLimitIsToldToComeBackWhileAnotherClientIsServed() throws Exception {
    hold("127.0.0.1");
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
    hold("127.0.0.1");
    hold("127.0.0.2");
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
    Socket first = hold("127.0.0.1");
    hold("127.0.0.2");
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
      first.close(); // a slot comes free; curl's retry after Retry-After gets it
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
