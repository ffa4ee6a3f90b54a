package dev.chainboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.boot.Assignment;
import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.store.SqliteStore;
import dev.chainboot.testing.Jar;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI as an operator runs it: the real jar, next to a running server on the same data. */
class CliIT {

  static final String MAC = "52:54:00:12:34:56";
  @TempDir Path tmp;

  Jar.Result cb(String... args) throws Exception {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--data";
    all[args.length + 1] = tmp.resolve("data").toString();
    return Jar.run(all);
  }

  static String get(HttpClient c, String url) throws Exception {
    HttpResponse<String> r =
        c.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  @Test
  void operatorWorkflowWhileTheServerRuns() throws Exception {
    try (Jar.Server server = new Jar.Server(tmp.resolve("data"), tmp.resolve("server.log"))) {
      HttpClient http = HttpClient.newHttpClient();
      String url = server.base() + "/boot/resolve?mac=52-54-00-12-34-56&buildarch=x86_64";

      assertThat(cb("machine", "add", MAC, "--hostname", "node1", "--label", "rack=r1").code())
          .isZero();
      assertThat(
              cb(
                      "profile",
                      "add",
                      "install",
                      "--kernel",
                      "http://10.0.0.1/vmlinuz",
                      "--initrd",
                      "http://10.0.0.1/initrd.img",
                      "--cmdline",
                      "console=ttyS0 auto=true")
                  .code())
          .isZero();
      assertThat(cb("profile", "add", "disk", "--local-disk").code()).isZero();
      assertThat(cb("boot", "once", MAC, "install").code()).isZero();
      assertThat(cb("boot", "static", MAC, "disk").code()).isZero();

      assertThat(get(http, url)).contains("kernel http://10.0.0.1/vmlinuz console=ttyS0 auto=true");
      assertThat(get(http, url)).contains("sanboot --no-describe --drive 0x80");

      Jar.Result show = cb("machine", "show", MAC);
      assertThat(show.out())
          .contains("hostname: node1")
          .contains("static:   disk")
          .contains("once:     -");
      Jar.Result ev = cb("events", "--machine", MAC);
      assertThat(ev.code()).isZero();
      assertThat(ev.out()).contains("once/http").contains("consumed").contains("static/http");
      Jar.Result json = cb("events", "--machine", "127.0.0.1", "--json");
      assertThat(json.out()).contains("\"once_consumed\" : true");

      // by IP: the machine was last seen at 127.0.0.1
      assertThat(cb("boot", "once", "127.0.0.1", "install").code()).isZero();
      assertThat(get(http, url)).contains("kernel http://10.0.0.1/vmlinuz");
      assertThat(cb("boot", "clear", MAC).out()).contains("1 assignment cleared");
      assertThat(get(http, url)).contains("nothing to boot for 52:54:00:12:34:56");
      assertThat(cb("boot", "default", "disk").code()).isZero();
      assertThat(get(http, url)).contains("sanboot");

      Jar.Result list = cb("machine", "list");
      assertThat(list.out()).contains(MAC).contains("rack=r1");
      assertThat(cb("profile", "list").out()).contains("install").contains("local-disk");
      assertThat(cb("profile", "rm", "disk").code()).isEqualTo(1);
      assertThat(cb("machine", "rm", MAC).code()).isZero();
      assertThat(cb("machine", "show", MAC).code()).isEqualTo(1);
    }
  }

  @Test
  void groupsAndFollowingEvents() throws Exception {
    try (Jar.Server server = new Jar.Server(tmp.resolve("data"), tmp.resolve("server.log"))) {
      HttpClient http = HttpClient.newHttpClient();
      assertThat(cb("profile", "add", "rackp", "--chain", "http://10.0.0.1/rack.ipxe").code())
          .isZero();
      assertThat(cb("profile", "add", "qemup", "--chain", "http://10.0.0.1/qemu.ipxe").code())
          .isZero();
      assertThat(cb("machine", "add", MAC, "--label", "rack=r1", "--arch", "x86_64").code())
          .isZero();
      assertThat(
              cb("group", "add", "byprefix", "--profile", "qemup", "--mac-prefix", "52:54:00")
                  .code())
          .isZero();
      assertThat(
              cb(
                      "group",
                      "add",
                      "rack",
                      "--profile",
                      "rackp",
                      "--label",
                      "rack=r1",
                      "--arch",
                      "x86_64")
                  .code())
          .isZero();
      assertThat(cb("group", "list").out()).containsSubsequence("rack", "byprefix");

      Process follow =
          new ProcessBuilder(
                  Jar.command("events", "--follow", "--data", tmp.resolve("data").toString()))
              .redirectErrorStream(true)
              .start();
      try {
        // its lines, read on another thread so that every wait for one is bounded
        java.util.concurrent.BlockingQueue<String> lines =
            new java.util.concurrent.LinkedBlockingQueue<>();
        Thread.ofVirtual()
            .start(
                () -> {
                  try (var r =
                      new java.io.BufferedReader(
                          new java.io.InputStreamReader(
                              follow.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
                    for (String l; (l = r.readLine()) != null; ) {
                      lines.add(l);
                    }
                  } catch (java.io.IOException e) {
                    // follow was stopped
                  }
                });
        assertThat(lines.poll(60, java.util.concurrent.TimeUnit.SECONDS))
            .as("events --follow header")
            .startsWith("ID"); // header: follow is up
        assertThat(get(http, server.base() + "/boot/resolve?mac=52-54-00-12-34-56"))
            .contains("http://10.0.0.1/rack.ipxe");
        String line = lines.poll(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(line)
            .contains(MAC)
            .contains("group/http")
            .contains("rackp")
            .contains("group rack (arch=x86_64,rack=r1)");
      } finally {
        dev.chainboot.testing.Processes.stop(follow);
      }
      assertThat(cb("group", "rm", "rack").code()).isZero();
      assertThat(get(http, server.base() + "/boot/resolve?mac=52-54-00-12-34-56"))
          .contains("http://10.0.0.1/qemu.ipxe");
      assertThat(cb("group", "rm", "rack").code()).isEqualTo(1);
    }
  }

  @Test
  void errorsHaveClearMessagesAndExitCodes() throws Exception {
    Jar.Result r = cb("boot", "once", "not-a-mac", "x");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("not a MAC or IP address: not-a-mac");
    r = cb("machine", "add", "52:54:00:zz:00:00");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("invalid MAC address");
    r = cb("boot", "once", MAC, "x");
    assertThat(r.code()).isEqualTo(1);
    // A never-seen MAC may be pre-provisioned (issue 10), but only with a profile that exists.
    assertThat(r.err()).contains("unknown profile x");
    assertThat(cb("machine", "show", MAC).code())
        .as("not registered by the failed call")
        .isEqualTo(1);
    assertThat(cb("machine", "add", MAC).code()).isZero();
    r = cb("boot", "static", MAC, "nope");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("unknown profile nope");
    r = cb("boot", "once", "10.9.9.9", "nope");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("no machine known at 10.9.9.9");
    r = cb("profile", "add", "evil", "--kernel", "http://x/k", "--cmdline", "a\nchain http://evil");
    assertThat(r.code()).isEqualTo(2);
    r = cb("profile", "add", "evil", "--chain", "http://x/${evil}");
    assertThat(r.code()).isEqualTo(2);
    assertThat(cb("profile", "list").out()).doesNotContain("evil");
  }

  /**
   * Two processes race for one once-assignment: the server (HTTP) and this JVM (store), 20 racers
   * each per round, exactly one winner per round. An HTTP request takes a few ms to reach the
   * server's SQLite while this JVM's store is there in microseconds, so with both sides released
   * together this JVM won about 39 rounds of 40 and the server's side of the race went untested.
   * Each round therefore holds this JVM's racers back by an offset from {@link
   * #RACE_OFFSETS_MICROS}, from 0 (this JVM all but surely first) through the range where the two
   * collide to 25 ms (the server all but surely first); the test requires that both processes won
   * rounds.
   */
  static final long[] RACE_OFFSETS_MICROS = {
    0, 25_000, 250, 10_000, 500, 5_000, 1_000, 3_000, 1_500, 2_000
  };

  @Test
  @org.junit.jupiter.api.Timeout(180)
  void onceIsConsumedExactlyOnceAcrossProcesses() throws Exception {
    Path data = tmp.resolve("data");
    assertThat(cb("machine", "add", MAC).code()).isZero();
    assertThat(cb("profile", "add", "p-once", "--chain", "http://x/once").code()).isZero();
    MacAddress mac = MacAddress.parse(MAC).orElseThrow();
    try (Jar.Server server = new Jar.Server(data, tmp.resolve("server.log"));
        SqliteStore local = SqliteStore.open(data);
        ExecutorService pool = Executors.newFixedThreadPool(40)) {
      HttpClient http =
          HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(10)).build();
      String url = server.base() + "/boot/resolve?mac=" + mac.hexhyp();
      // Warm the server's boot path and the client's connections (another machine's MAC, so
      // no event of MAC): a cold server would lose every early round by tens of ms.
      List<Future<String>> warm = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        warm.add(
            pool.submit(() -> get(http, server.base() + "/boot/resolve?mac=52-54-00-00-00-01")));
      }
      for (Future<String> f : warm) {
        f.get(60, java.util.concurrent.TimeUnit.SECONDS);
      }
      int rounds = RACE_OFFSETS_MICROS.length;
      int httpWins = 0;
      StringBuilder winners = new StringBuilder();
      for (int round = 0; round < rounds; round++) {
        local.assign(new Assignment(mac, Assignment.Kind.ONCE, "p-once"));
        long localOffset =
            java.util.concurrent.TimeUnit.MICROSECONDS.toNanos(RACE_OFFSETS_MICROS[round]);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> wins = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          wins.add(
              pool.submit(
                  () -> {
                    go.await();
                    return get(http, url).contains("http://x/once");
                  }));
          wins.add(
              pool.submit(
                  () -> {
                    go.await();
                    java.util.concurrent.locks.LockSupport.parkNanos(localOffset);
                    return local.consumeOnce(mac).isPresent();
                  }));
        }
        go.countDown();
        int n = 0;
        for (int i = 0; i < wins.size(); i++) {
          if (wins.get(i).get(60, java.util.concurrent.TimeUnit.SECONDS)) {
            n++;
            httpWins += i % 2 == 0 ? 1 : 0;
            winners.append(i % 2 == 0 ? 'S' : 'L');
          }
        }
        assertThat(n).as("round %d", round).isEqualTo(1);
      }
      System.out.println("once race winners by round (S server, L this JVM): " + winners);
      List<BootEvent> consumed = new ArrayList<>();
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(20))
          .until(
              () -> {
                consumed.clear();
                local.recentEvents(Optional.of(mac), 1000).stream()
                    .filter(BootEvent::onceConsumed)
                    .forEach(consumed::add);
                return local.recentEvents(Optional.of(mac), 1000).size() == rounds * 20;
              });
      assertThat(consumed).hasSize(httpWins);
      // Both processes won rounds (S = server over HTTP, L = this JVM, by offset order).
      assertThat(httpWins).as("rounds the server won: %s", winners).isPositive();
      assertThat(rounds - httpWins).as("rounds this JVM won: %s", winners).isPositive();
    }
  }
}
