package dev.chainboot.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.cli.Main;
import dev.chainboot.config.HttpsConfig;
import dev.chainboot.config.ServerConfig;
import dev.chainboot.http.PlainTextHandler;
import dev.chainboot.ipxebuild.IpxePlatform;
import dev.chainboot.server.ChainbootServer;
import dev.chainboot.testing.RealIpxe;
import dev.chainboot.tls.CaFiles;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The third way to make iPXE trust chainboot's private CA, beside DHCP option 175.90 and UEFI's
 * {@code TlsCaCertificate}: an iPXE built with the CA inside ({@code TRUST=}, {@code CERT=}) by
 * {@code chainboot media ... --trust-ca}, from a real iPXE source tree ({@code
 * CHAINBOOT_IPXE_SOURCE}; skipped with a message without one). The guests get their address from
 * QEMU's user-mode network, whose DHCP answer carries no option 175 at all, so the trust can only
 * come from the binary:
 *
 * <ul>
 *   <li>a hybrid ISO made with {@code --trust-ca} (SeaBIOS, ISOLINUX, the built {@code ipxe.lkrn})
 *       fetches its chain script over https from chainboot's HTTPS listener;
 *   <li>an {@code ipxe.lkrn} built with the same script and the right CA gets its https marker;
 *       built with another CA, the same script is refused with iPXE's "permission denied" (EACCES,
 *       reported over plain http by the script's fallback), and nothing is fetched over https.
 * </ul>
 */
@Tag("qemu")
class CaTrustQemuIT {

  @TempDir static Path tmp;
  static Path data;
  static Path otherCa;
  static ChainbootServer server;
  static final Queue<String> markers = new ConcurrentLinkedQueue<>();

  @BeforeAll
  static void start() throws Exception {
    data = tmp.resolve("data");
    RealIpxe.linkPrepared(data, Set.of(IpxePlatform.PCBIOS, IpxePlatform.X86_64_EFI));
    // QEMU's user network: the guest reaches the host's loopback as 10.0.2.2
    List<InetAddress> guestView = List.of(InetAddress.getByName("10.0.2.2"));
    new CaFiles(data).init(List.of(), guestView, Duration.ofDays(2), false, Instant.now());
    Path other = tmp.resolve("other");
    new CaFiles(other).init(List.of(), guestView, Duration.ofDays(2), false, Instant.now());
    otherCa = new CaFiles(other).caCert();
    CaFiles ca = new CaFiles(data);
    server =
        new ChainbootServer(
                ServerConfig.builder(data)
                    .http(new InetSocketAddress("127.0.0.1", 0))
                    .https(
                        Optional.of(
                            new HttpsConfig(
                                new InetSocketAddress("127.0.0.1", 0),
                                ca.serverCert(),
                                ca.serverKey(),
                                Optional.empty())))
                    .advertise(Optional.of("10.0.2.2"))
                    .build())
            .start();
    server
        .httpRouter()
        .prefix(
            "/marker/",
            new PlainTextHandler(
                req -> {
                  markers.add((req.isSecure() ? "https:" : "http:") + req.getHttpURI().getPath());
                  return "#!ipxe\necho marker reached\nsleep 600\n";
                }));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static String https(String path) {
    return "https://10.0.2.2:" + server.httpsPort() + path;
  }

  static String http(String path) {
    return "http://10.0.2.2:" + server.httpPort() + path;
  }

  /** Runs the CLI in this JVM; returns its stderr, after checking it succeeded. */
  static synchronized String cli(String... args) {
    PrintStream err = System.err;
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int code;
    try {
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      code = Main.commandLine().execute(args);
    } finally {
      System.setErr(err);
    }
    String text = e.toString(StandardCharsets.UTF_8);
    System.err.print(text);
    assertThat(code).as(text).isZero();
    return text;
  }

  /** Boots {@code cmd} until {@code done} holds; returns the markers seen by then. */
  static void boot(String name, List<String> cmd, java.util.function.BooleanSupplier done)
      throws Exception {
    List<String> all = new ArrayList<>(cmd);
    all.addAll(
        List.of(
            "-accel",
            "tcg",
            "-m",
            "256",
            "-no-reboot",
            "-netdev",
            "user,id=n0",
            "-device",
            "e1000,netdev=n0,romfile=",
            "-monitor",
            "none",
            "-display",
            "none"));
    Process q =
        new ProcessBuilder(all)
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve(name + ".qemu.out").toFile())
            .start();
    try {
      Awaitility.await()
          .atMost(Duration.ofSeconds(300))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> done.getAsBoolean() || !q.isAlive());
    } finally {
      q.destroy();
      if (!q.waitFor(10, TimeUnit.SECONDS)) {
        q.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    assertThat(done.getAsBoolean())
        .as(
            "%s: markers %s; qemu: %s",
            name, markers, Files.readString(tmp.resolve(name + ".qemu.out")))
        .isTrue();
  }

  /** The script of both lkrn builds: https first, and on failure the error over plain http. */
  static Path script(String name) throws Exception {
    Path s = tmp.resolve(name + ".ipxe");
    Files.writeString(
        s,
        "#!ipxe\n"
            + "dhcp\n"
            + "chain "
            + https("/marker/" + name)
            + " || chain "
            + http("/marker/refused/" + name + "/${errno}")
            + "\n");
    return s;
  }

  @Test
  void anIsoMadeWithTrustCaFetchesItsScriptOverHttpsWithoutOption175() throws Exception {
    Path iso = tmp.resolve("trusting.iso");
    String err =
        cli(
            "media",
            "iso",
            https("/marker/iso"),
            "--trust-ca",
            "--data",
            data.toString(),
            "-o",
            iso.toString());
    assertThat(err).contains("iPXE built to trust the CA " + new CaFiles(data).caCert());
    boot(
        "iso",
        List.of("qemu-system-x86_64", "-cdrom", iso.toString(), "-boot", "d"),
        () -> markers.contains("https:/marker/iso"));
  }

  @Test
  void anLkrnTrustingTheCaGetsItsMarkerOverHttpsAndOneTrustingAnotherCaIsRefused()
      throws Exception {
    Path good = tmp.resolve("good.lkrn");
    cli(
        "media",
        "lkrn",
        "--script",
        script("good").toString(),
        "--trust-ca",
        "--data",
        data.toString(),
        "-o",
        good.toString());
    Path bad = tmp.resolve("bad.lkrn");
    cli(
        "media",
        "lkrn",
        "--script",
        script("bad").toString(),
        "--trust-ca=" + otherCa,
        "--data",
        data.toString(),
        "-o",
        bad.toString());

    boot(
        "good",
        List.of("qemu-system-x86_64", "-kernel", good.toString()),
        () -> markers.contains("https:/marker/good"));
    assertThat(markers).noneMatch(m -> m.startsWith("http:/marker/refused/good"));

    boot(
        "bad",
        List.of("qemu-system-x86_64", "-kernel", bad.toString()),
        () -> markers.stream().anyMatch(m -> m.startsWith("http:/marker/refused/bad/")));
    // refused for trust (iPXE's EACCES: 0x02 in the top byte, printed without the leading zero;
    // 0x0216eb3c is x509's "no usable certificates"), not for a network problem; never over https
    assertThat(markers)
        .filteredOn(m -> m.startsWith("http:/marker/refused/bad/"))
        .singleElement()
        .asString()
        .matches("http:/marker/refused/bad/0x2[0-9a-f]{6}");
    assertThat(markers).doesNotContain("https:/marker/bad");
  }
}
