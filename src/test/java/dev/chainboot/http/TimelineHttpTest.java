package dev.chainboot.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.chainboot.boot.Assignment;
import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.BootEvent.Stage;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Machine;
import dev.chainboot.boot.Profile;
import dev.chainboot.config.ServerConfig;
import dev.chainboot.server.ChainbootServer;
import dev.chainboot.testing.Curl;
import dev.chainboot.testing.Processes;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The timeline, callbacks and metrics of a real in-process server driven by curl (HTTP and TFTP):
 * each stage recorded against the machine with its measurements, an installer's callback used once,
 * the stall watch, and a scrape that Prometheus's own linter ({@code promtool check metrics})
 * accepts.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TimelineHttpTest {

  static final MacAddress MAC = MacAddress.parse("52:54:00:7e:00:01").orElseThrow();
  static final MacAddress STALLER = MacAddress.parse("52:54:00:7e:00:02").orElseThrow();
  static final Pattern DONE = Pattern.compile("chainboot\\.done=(\\S+)");

  @TempDir static Path tmp;
  static ChainbootServer server;
  static String base;
  static String admin;
  static String scrapeToken;

  @BeforeAll
  static void start() throws Exception {
    Path data = tmp.resolve("data");
    Files.createDirectories(data.resolve("assets"));
    Files.write(data.resolve("assets/linux"), new byte[300_000]);
    Files.write(data.resolve("assets/initrd.gz"), new byte[70_000]);
    server =
        new ChainbootServer(
                ServerConfig.builder(data)
                    .tftp(Optional.of(new InetSocketAddress("127.0.0.1", 0)))
                    .http(new InetSocketAddress("127.0.0.1", 0))
                    .admin(Optional.of(new InetSocketAddress("127.0.0.1", 0)))
                    .stallAfter(Duration.ofSeconds(2))
                    .build())
            .start();
    base = "http://127.0.0.1:" + server.httpPort();
    admin = "http://127.0.0.1:" + server.adminPort();
    // A Prometheus scrape job's bearer token: the viewer role is enough.
    scrapeToken =
        server.guard().tokens().create("prometheus", dev.chainboot.auth.Role.VIEWER).secret();
    server
        .store()
        .putProfile(
            Profile.kernel(
                "install",
                "{{base_url}}/assets/linux",
                List.of("{{base_url}}/assets/initrd.gz"),
                "auto=true chainboot.done={{done_url}}"));
    server.store().putProfile(Profile.localDisk("disk"));
    server.store().putMachine(Machine.of(MAC));
    server.store().assign(new Assignment(MAC, Assignment.Kind.STATIC, "disk"));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static List<BootEvent> timeline(MacAddress mac) {
    server.events().flush();
    return server.store().events(Optional.of(mac), 0, 1000);
  }

  static String script() throws Exception {
    Curl.Result r = Curl.run(base + "/boot/resolve?mac=" + MAC.hexhyp());
    assertThat(r.status()).isEqualTo(200);
    return r.text();
  }

  @Test
  void anInstallBootedUntilDoneIsATimelineOfStagesAndItsCallbackWorksOnce() throws Exception {
    server.store().holdOnce(MAC, "install", 3);
    long before = timeline(MAC).stream().mapToLong(BootEvent::id).max().orElse(0);

    // TFTP from the machine's address (known from its boots here: 127.0.0.1)
    script();
    byte[] chain = tftp("127.0.0.1", "chain.ipxe");
    assertThat(chain).isNotEmpty();
    String s = script();
    assertThat(s).contains("kernel " + base + "/assets/linux");
    Curl.Result part = Curl.run("-r", "0-99", base + "/assets/linux");
    assertThat(part.status()).isEqualTo(206);
    assertThat(Curl.run(base + "/assets/linux").body()).hasSize(300_000);
    assertThat(Curl.run(base + "/assets/initrd.gz").status()).isEqualTo(200);

    Matcher m = DONE.matcher(s);
    assertThat(m.find()).isTrue();
    String done = m.group(1);
    assertThat(done).startsWith(base + "/done/");
    assertThat(Curl.run(done).status()).as("GET never ends an install").isEqualTo(405);
    Curl.Result ok = Curl.run("-X", "POST", done);
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.text()).contains("install of install on " + MAC.colon() + " done");
    assertThat(Curl.run("-X", "POST", done).status()).as("replayed").isEqualTo(410);
    assertThat(Curl.run("-X", "POST", base + "/done/" + "A".repeat(43)).status()).isEqualTo(404);
    assertThat(script()).contains("sanboot"); // its static profile now

    List<BootEvent> t = timeline(MAC).stream().filter(e -> e.id() > before).toList();
    assertThat(t)
        .extracting(BootEvent::stage)
        .containsExactly(
            Stage.SCRIPT,
            Stage.TFTP,
            Stage.SCRIPT,
            Stage.DOWNLOAD,
            Stage.DOWNLOAD,
            Stage.DOWNLOAD,
            Stage.CALLBACK,
            Stage.CALLBACK,
            Stage.SCRIPT);
    BootEvent transfer = t.get(1);
    assertThat(transfer.clientIp()).isEqualTo("127.0.0.1");
    assertThat(transfer.protocol()).isEqualTo("tftp");
    assertThat(transfer.detail())
        .containsEntry("file", "chain.ipxe")
        .containsEntry("result", "ok")
        .containsEntry("blksize", "1024") // as curl asked (--tftp-blksize)
        .containsEntry("windowsize", "1")
        .containsEntry("bytes", Integer.toString(chain.length))
        .containsEntry("resends", "0")
        .containsKey("duration_ms");
    assertThat(t.get(2).detail()).containsEntry("install", "boot 2 of 3");
    assertThat(t.get(3).detail())
        .containsEntry("path", "/assets/linux")
        .containsEntry("status", "206")
        .containsEntry("bytes", "100")
        .containsEntry("range", "bytes=0-99");
    assertThat(t.get(4).detail())
        .containsEntry("status", "200")
        .containsEntry("bytes", "300000")
        .doesNotContainKey("range");
    assertThat(t.get(5).detail()).containsEntry("path", "/assets/initrd.gz");
    assertThat(t.get(6).detail()).containsEntry("result", "done");
    assertThat(t.get(7).detail()).containsEntry("result", "refused");
    assertThat(t.toString()).doesNotContain(done.substring(done.lastIndexOf('/') + 1));
    // everything its script boots was fetched: not waiting for anything
    assertThat(server.timeline().progress(MAC)).isEmpty();
  }

  @Test
  void aMachineThatStopsAfterTftpIsFlaggedStalledInTheTimelineAndTheMetrics() throws Exception {
    // known at 127.0.0.2 (a DHCP REQUEST would say so); fetches its iPXE binary, then nothing
    server.timeline().seen(STALLER, "127.0.0.2");
    assertThat(tftp("127.0.0.2", "chain.ipxe")).isNotEmpty();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> server.timeline().stalled().containsKey(STALLER));
    List<BootEvent> t = timeline(STALLER);
    assertThat(t).extracting(BootEvent::stage).containsExactly(Stage.TFTP, Stage.STALLED);
    assertThat(t.get(1).reason())
        .startsWith("stalled: got chain.ipxe over TFTP, never came back over HTTP (");
    assertThat(scrape())
        .containsPattern("(?m)^chainboot_machines_stalled [1-9]")
        .containsPattern("(?m)^chainboot_stalls_total [1-9]");
  }

  @Test
  void mediaDownloadsAreStagesToo() throws Exception {
    Curl.Result iso = Curl.run(base + "/media/" + MAC.colon() + ".iso");
    assertThat(iso.status()).isEqualTo(200);
    BootEvent media =
        timeline(MAC).stream().filter(e -> e.stage() == Stage.MEDIA).findFirst().orElseThrow();
    assertThat(media.detail())
        .containsEntry("path", "/media/" + MAC.colon() + ".iso")
        .containsEntry("bytes", Integer.toString(iso.body().length));
    assertThat(Curl.run("-I", base + "/assets/linux").status()).isEqualTo(200);
    assertThat(timeline(MAC)).noneMatch(e -> e.reason().startsWith("HEAD"));
  }

  /** Fetches {@code file} with curl's TFTP client from {@code from}; what it got (maybe none). */
  static byte[] tftp(String from, String file) throws Exception {
    Path out = Files.createTempFile(tmp, "tftp", ".bin");
    Curl.exec(
        List.of(
            "curl",
            "-s",
            "--max-time",
            "30",
            "--interface",
            from,
            "--tftp-blksize",
            "1024",
            "-o",
            out.toString(),
            "tftp://127.0.0.1:" + server.tftpPort() + "/" + file));
    return Files.readAllBytes(out);
  }

  static String scrape() throws Exception {
    assertThat(Curl.run(base + "/metrics").status()).as("not on the boot listener").isEqualTo(404);
    assertThat(Curl.run(admin + "/metrics").status()).as("not without a token").isEqualTo(401);
    Curl.Result r = Curl.run("-H", "Authorization: Bearer " + scrapeToken, admin + "/metrics");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("content-type")).startsWith("text/plain; version=0.0.4");
    return r.text();
  }

  @Test
  void theScrapeHasEveryMeterDescribedAndPromtoolAcceptsIt() throws Exception {
    script();
    Curl.run(base + "/assets/linux");
    tftp("127.0.0.1", "chain.ipxe");
    tftp("127.0.0.1", "no-such-file");
    Curl.run(base + "/media/" + MAC.colon() + ".img");
    String text = scrape();
    assertThat(text)
        .contains("chainboot_boots_total{match=\"static\",profile=\"disk\"}")
        .contains("chainboot_tftp_transfers_total{result=\"ok\"}")
        .contains("chainboot_tftp_errors_total{kind=\"refused\"}")
        .contains("chainboot_tftp_bytes_total")
        .contains("chainboot_tftp_active_transfers")
        .contains("chainboot_downloads_total{kind=\"download\",status=\"200\"}")
        .contains("chainboot_media_builds_seconds_count{format=\"img\"}")
        .containsPattern(
            "chainboot_http_requests_seconds_bucket\\{method=\"GET\",route=\"/assets/\\*\","
                + "status=\"200\",le=\"0\\.005\"}")
        .contains("chainboot_store_operations_seconds_count{operation=\"bootView\"}")
        .contains("chainboot_once_consumed_total");
    Path file = tmp.resolve("scrape.txt");
    Files.writeString(file, text);
    ProcessBuilder pb = new ProcessBuilder("promtool", "check", "metrics");
    pb.redirectInput(file.toFile());
    Processes.Output out;
    try {
      out = Processes.run(pb, Duration.ofSeconds(60));
    } catch (java.io.IOException e) {
      throw new AssertionError(
          "promtool is missing: install Debian's prometheus (scripts/test-packages.txt)", e);
    }
    assertThat(out.exit()).as("promtool check metrics:%n%s%s", out.stdout(), out.stderr()).isZero();
    // every chainboot meter is documented, and the dashboard uses documented ones only
    String doc = Files.readString(Path.of("docs/metrics.md"));
    java.util.Set<String> families = new java.util.TreeSet<>();
    Matcher names =
        Pattern.compile("(?m)^(chainboot_[a-z_]+?)(_bucket|_count|_sum|_max)?[{ ]").matcher(text);
    while (names.find()) {
      families.add(names.group(1));
    }
    assertThat(families).hasSizeGreaterThan(10);
    for (String f : families) {
      assertThat(doc).as("docs/metrics.md lists %s", f).contains("`" + f + "`");
    }
    Path dashboard = Path.of("docs/grafana/chainboot-dashboard.json");
    var json =
        tools.jackson.databind.json.JsonMapper.builder().build().readTree(dashboard.toFile());
    List<String> exprs =
        json.get("panels")
            .valueStream()
            .flatMap(p -> p.get("targets").valueStream())
            .map(t -> t.get("expr").asString())
            .toList();
    assertThat(exprs).hasSizeGreaterThan(15);
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
    int n = 0;
    for (String e : exprs) {
      Matcher used =
          Pattern.compile("\\b((?:chainboot|jvm)_[a-z_]+?)(_bucket|_count|_sum|_max)?\\b")
              .matcher(e);
      while (used.find()) {
        String f = used.group(1);
        assertThat(doc.contains("`" + f + "`") || f.startsWith("jvm_memory"))
            .as("the dashboard's %s is documented", f)
            .isTrue();
      }
      rules
          .append("      - record: dashboard:q")
          .append(n++)
          .append("\n        expr: '")
          .append(e.replace("'", "''"))
          .append("'\n");
    }
    Path rulesFile = tmp.resolve("dashboard-rules.yml");
    Files.writeString(rulesFile, rules);
    Processes.Output checked =
        Processes.run(Duration.ofSeconds(60), "promtool", "check", "rules", rulesFile.toString());
    assertThat(checked.exit()).as("promtool check rules: %s", checked.all()).isZero();

    // and OpenMetrics when asked for
    Curl.Result om =
        Curl.run(
            "-H",
            "Accept: application/openmetrics-text",
            "-H",
            "Authorization: Bearer " + scrapeToken,
            admin + "/metrics");
    assertThat(om.header("content-type")).startsWith("application/openmetrics-text");
    assertThat(om.text().strip()).endsWith("# EOF");
  }
}
