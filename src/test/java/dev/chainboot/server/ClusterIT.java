package dev.chainboot.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.boot.Assignment;
import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Machine;
import dev.chainboot.boot.Profile;
import dev.chainboot.store.PostgresStore;
import dev.chainboot.store.PostgresUrl;
import dev.chainboot.testing.HaProxy;
import dev.chainboot.testing.Jar;
import dev.chainboot.testing.Postgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three chainboot instances (the real jar) on one PostgreSQL (Debian's) behind HAProxy (Debian's):
 * the once-assignment is consumed exactly once however many instances are asked at once; a change
 * made with the CLI is seen by every instance's next boot; events of all instances read in order;
 * kill -9 of an instance under load loses no event of an answered request and no once; a PostgreSQL
 * restart under load gets no 5xx from a boot URL and the service is back within 10 s.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class ClusterIT {

  @TempDir static Path dir;
  static Postgres pg;
  static String url;
  static PostgresStore store;
  static final List<Jar.Server> servers = new ArrayList<>();

  /** Each instance's admin listener (the REST API), by index of {@link #servers}. */
  static final List<Integer> adminPorts = new ArrayList<>();

  /** A viewer token for the REST API (created with the CLI, stored in PostgreSQL). */
  static String token;

  static int nextAdmin;

  /** The REST API base of the next instance, round robin (the API is on the admin listeners). */
  static synchronized String api() {
    int i = nextAdmin++ % adminPorts.size();
    return "http://127.0.0.1:" + adminPorts.get(i) + "/api/v1";
  }

  static HaProxy proxy;
  static HttpClient http;

  static final MacAddress RACER = mac(0xff, 1);
  static final String ONCE_URL = "http://example.invalid/once.ipxe";
  static final String STATIC_URL = "http://example.invalid/static.ipxe";
  static final String DEFAULT_URL = "http://example.invalid/default.ipxe";
  static final String NEW_URL = "http://example.invalid/new.ipxe";

  static MacAddress mac(int hi, int lo) {
    return MacAddress.parse(String.format("52:54:00:%02x:%02x:%02x", hi, lo >> 8, lo & 0xff))
        .orElseThrow();
  }

  @BeforeAll
  static void start() throws Exception {
    pg = Postgres.start();
    url = pg.url(pg.newDatabase());
    store = PostgresStore.open(PostgresUrl.parse(url), null);
    store.putProfile(Profile.chain("p-once", ONCE_URL));
    store.putProfile(Profile.chain("p-static", STATIC_URL));
    store.putProfile(Profile.chain("p-default", DEFAULT_URL));
    store.setDefaultProfile(Optional.of("p-default"));
    store.putMachine(Machine.of(RACER));
    store.assign(new Assignment(RACER, Assignment.Kind.STATIC, "p-static"));
    List<Future<Jar.Server>> starting = new ArrayList<>();
    try (ExecutorService ex = Executors.newFixedThreadPool(3)) {
      for (int i = 0; i < 3; i++) {
        Path data = Files.createDirectories(dir.resolve("data" + i));
        Path log = dir.resolve("instance" + i + ".log");
        int admin = Jar.freePort();
        adminPorts.add(admin);
        starting.add(
            ex.submit(
                () ->
                    new Jar.Server(
                        data,
                        log,
                        Duration.ofSeconds(240),
                        "--db",
                        url,
                        "--admin",
                        "127.0.0.1:" + admin)));
      }
      for (Future<Jar.Server> f : starting) {
        servers.add(f.get(300, TimeUnit.SECONDS));
      }
    }
    proxy = new HaProxy(dir, servers.stream().map(s -> s.port).toList());
    Jar.Result created = Jar.run("token", "create", "cluster-it", "--role", "viewer", "--db", url);
    assertThat(created.code()).as(created.out() + created.err()).isZero();
    token = created.out().strip();
    http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();
    awaitAllHealthyBehindProxy();
  }

  static void awaitAllHealthyBehindProxy() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (get(proxy.base() + "/health").status == 200) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(
        "HAProxy never saw a healthy instance: " + Files.readString(proxy.log));
  }

  @AfterAll
  static void stop() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    for (Jar.Server s : servers) {
      s.close();
    }
    if (store != null) {
      store.close();
    }
    if (pg != null) {
      pg.close();
    }
  }

  /** One HTTP answer: status and what it boots. */
  record Answer(int status, String kind, String body, long startNanos, long endNanos) {}

  static Answer get(String u) {
    long t0 = System.nanoTime();
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(u))
                  .timeout(Duration.ofSeconds(60))
                  .header("User-Agent", "iPXE/1.21.1")
                  .header("Authorization", "Bearer " + (token == null ? "-" : token))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), kind(r.body()), r.body(), t0, System.nanoTime());
    } catch (IOException e) {
      return new Answer(-1, "NO ANSWER: " + e, "", t0, System.nanoTime());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(-1, "INTERRUPTED", "", t0, System.nanoTime());
    }
  }

  static String kind(String body) {
    if (body.contains(ONCE_URL)) {
      return "ONCE";
    }
    if (body.contains(STATIC_URL)) {
      return "STATIC";
    }
    if (body.contains(DEFAULT_URL)) {
      return "DEFAULT";
    }
    if (body.contains(NEW_URL)) {
      return "NEW";
    }
    if (body.contains("boot database is not reachable")) {
      return "RETRY";
    }
    return "OTHER";
  }

  static String boot(String base, MacAddress m) {
    return base + "/boot.ipxe?mac=" + m.colon();
  }

  static List<BootEvent> events(MacAddress m) {
    return store.events(Optional.of(m), 0, 100_000);
  }

  @Test
  @Order(1)
  void twoHundredConcurrentBootsOfOneOnceArmedMachineConsumeItExactlyOnce() throws Exception {
    for (int round = 0; round < 3; round++) {
      long before = events(RACER).stream().mapToLong(BootEvent::id).max().orElse(0);
      store.assign(new Assignment(RACER, Assignment.Kind.ONCE, "p-once"));
      CountDownLatch go = new CountDownLatch(1);
      AtomicInteger retried = new AtomicInteger();
      List<Future<Answer>> answers = new ArrayList<>();
      try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int i = 0; i < 200; i++) {
          answers.add(
              ex.submit(
                  () -> {
                    go.await();
                    // as iPXE does with the retry script an overloaded instance may answer
                    Answer a = get(boot(proxy.base(), RACER));
                    for (int attempt = 0; attempt < 30 && a.kind().equals("RETRY"); attempt++) {
                      retried.incrementAndGet();
                      Thread.sleep(1000);
                      a = get(boot(proxy.base(), RACER));
                    }
                    return a;
                  }));
        }
        go.countDown();
        Map<String, Integer> kinds = new HashMap<>();
        for (Future<Answer> f : answers) {
          Answer a = f.get(120, TimeUnit.SECONDS);
          assertThat(a.status()).as("round %d: %s %s", round, a.kind(), a.body()).isEqualTo(200);
          kinds.merge(a.kind(), 1, Integer::sum);
        }
        assertThat(kinds).as("round %d", round).isEqualTo(Map.of("ONCE", 1, "STATIC", 199));
        System.out.printf("ClusterIT: round %d, %d retry scripts followed%n", round, retried.get());
      }
      List<BootEvent> round_ = store.events(Optional.of(RACER), before, 1000).stream().toList();
      assertThat(round_).as("events of round %d", round).hasSize(200);
      assertThat(round_.stream().filter(BootEvent::onceConsumed).toList())
          .singleElement()
          .satisfies(e -> assertThat(e.profile()).contains("p-once"));
      assertThat(round_.stream().filter(e -> !e.onceConsumed()).map(BootEvent::profile))
          .containsOnly(Optional.of("p-static"));
      assertThat(store.assignment(RACER, Assignment.Kind.ONCE)).isEmpty();
    }
    for (int i = 0; i < 3; i++) {
      String log = Files.readString(servers.get(i).log);
      assertThat(log)
          .as("instance %d answered some of the race", i)
          .contains("mac=" + RACER.colon());
    }
  }

  @Test
  @Order(2)
  void aChangeMadeWithTheCliIsSeenByEveryInstancesNextBoot() throws Exception {
    MacAddress m = mac(0xfe, 1);
    for (Jar.Server s : servers) {
      assertThat(get(boot(s.base(), m)).kind()).isEqualTo("DEFAULT"); // now cached everywhere
    }
    Jar.Result r = Jar.run("boot", "static", m.colon(), "p-static", "--db", url);
    assertThat(r.code()).as(r.err()).isZero();
    for (Jar.Server s : servers) {
      assertThat(get(boot(s.base(), m)).kind()).as(s.base()).isEqualTo("STATIC");
    }
    r = Jar.run("profile", "add", "p-static", "--chain", NEW_URL, "--db", url);
    assertThat(r.code()).as(r.out() + r.err()).isZero();
    for (Jar.Server s : servers) {
      assertThat(get(boot(s.base(), m)).kind()).as(s.base()).isEqualTo("NEW");
    }
    r = Jar.run("profile", "add", "p-static", "--chain", STATIC_URL, "--db", url);
    assertThat(r.code()).as(r.out() + r.err()).isZero();
  }

  @Test
  @Order(3)
  void eventsOfAllInstancesReadInOrderThroughAnyOfThem() throws Exception {
    long total = store.events(Optional.empty(), 0, 1_000_000).size();
    List<Long> ids = new ArrayList<>();
    long after = 0;
    while (true) {
      Answer a = get(api() + "/events?after=" + after + "&limit=97");
      assertThat(a.status()).isEqualTo(200);
      List<Long> page =
          java.util.regex.Pattern.compile("\"id\":(\\d+)")
              .matcher(a.body())
              .results()
              .map(mr -> Long.parseLong(mr.group(1)))
              .toList();
      if (page.isEmpty()) {
        break;
      }
      ids.addAll(page);
      after = page.get(page.size() - 1);
    }
    assertThat(ids).hasSize((int) total).isSorted().doesNotHaveDuplicates();
  }

  /** A load of boots through HAProxy: new machines, known ones, and once-armed ones. */
  static final class Load {
    final ConcurrentLinkedQueue<Answer> all = new ConcurrentLinkedQueue<>();
    final Map<MacAddress, List<Answer>> byMac = new java.util.concurrent.ConcurrentHashMap<>();
    final List<MacAddress> onceMachines;
    final List<MacAddress> known;
    final AtomicInteger nextOnce = new AtomicInteger();
    final AtomicInteger nextNew = new AtomicInteger();
    final int newHi;

    Load(List<MacAddress> onceMachines, List<MacAddress> known, int newHi) {
      this.onceMachines = onceMachines;
      this.known = known;
      this.newHi = newHi;
    }

    void run(Duration length, int workers, Runnable middle, Duration middleAt) throws Exception {
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong n = new AtomicLong();
      try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int w = 0; w < workers; w++) {
          ex.submit(
              () -> {
                while (!stop.get()) {
                  long i = n.getAndIncrement();
                  MacAddress m;
                  if (i % 3 == 0 && nextOnce.get() < onceMachines.size()) {
                    int k = nextOnce.getAndIncrement();
                    m = k < onceMachines.size() ? onceMachines.get(k) : known.get(0);
                  } else if (i % 3 == 1) {
                    m = mac(newHi, nextNew.getAndIncrement());
                  } else {
                    m = known.get((int) (i % known.size()));
                  }
                  Answer a = get(boot(proxy.base(), m));
                  all.add(a);
                  byMac
                      .computeIfAbsent(m, x -> Collections.synchronizedList(new ArrayList<>()))
                      .add(a);
                }
                return null;
              });
        }
        Thread.sleep(middleAt.toMillis());
        middle.run();
        Thread.sleep(length.minus(middleAt).toMillis());
        stop.set(true);
      }
    }

    Map<String, Long> kinds() {
      return all.stream()
          .collect(Collectors.groupingBy(a -> a.status() + " " + a.kind(), Collectors.counting()));
    }
  }

  static List<MacAddress> armOnces(int hi, int count) {
    List<MacAddress> macs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      MacAddress m = mac(hi, i);
      store.putMachine(Machine.of(m));
      store.assign(new Assignment(m, Assignment.Kind.STATIC, "p-static"));
      store.assign(new Assignment(m, Assignment.Kind.ONCE, "p-once"));
      macs.add(m);
    }
    return macs;
  }

  static List<MacAddress> knownStatic(int hi, int count) {
    List<MacAddress> macs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      MacAddress m = mac(hi, i);
      store.putMachine(Machine.of(m));
      store.assign(new Assignment(m, Assignment.Kind.STATIC, "p-static"));
      macs.add(m);
    }
    return macs;
  }

  @Test
  @Order(4)
  void killMinus9OfOneInstanceDuringSixtySecondsOfLoadLosesNoAnsweredEventAndNoOnce()
      throws Exception {
    List<MacAddress> onces = armOnces(0x10, 3000);
    List<MacAddress> known = knownStatic(0x11, 50);
    Load load = new Load(onces, known, 0x12);
    Jar.Server victim = servers.get(2);
    load.run(
        Duration.ofSeconds(60),
        16,
        () -> {
          victim.process.destroyForcibly(); // SIGKILL
          System.out.println("ClusterIT: killed instance 2 (pid " + victim.process.pid() + ")");
        },
        Duration.ofSeconds(20));
    assertThat(victim.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    System.out.println("ClusterIT: kill -9 load: " + load.kinds());

    int answered = 0;
    int onceDelivered = 0;
    int onceAnswerLost = 0;
    for (Map.Entry<MacAddress, List<Answer>> e : load.byMac.entrySet()) {
      MacAddress m = e.getKey();
      List<Answer> got = List.copyOf(e.getValue());
      List<BootEvent> ev = events(m);
      long decided =
          got.stream().filter(a -> a.status() == 200 && !a.kind().equals("RETRY")).count();
      answered += (int) decided;
      assertThat(ev.size())
          .as("events of %s: every answered request has one (%s)", m, got)
          .isGreaterThanOrEqualTo((int) decided);
      if (onces.contains(m)) {
        long consumed = ev.stream().filter(BootEvent::onceConsumed).count();
        assertThat(consumed).as("once of %s consumed at most once", m).isLessThanOrEqualTo(1);
        boolean gotOnce = got.stream().anyMatch(a -> a.kind().equals("ONCE"));
        assertThat(got.stream().filter(a -> a.kind().equals("ONCE")).count())
            .isLessThanOrEqualTo(1);
        if (gotOnce) {
          assertThat(consumed).as("%s got its once: the event says so", m).isEqualTo(1);
          onceDelivered++;
        }
        boolean stillArmed = store.assignment(m, Assignment.Kind.ONCE).isPresent();
        assertThat(stillArmed || consumed == 1)
            .as("%s: a once taken without its event", m)
            .isTrue();
        if (consumed == 1 && !gotOnce) {
          onceAnswerLost++; // consumed by the killed instance, which died before answering
        }
      }
    }
    System.out.printf(
        "ClusterIT: %d answered decisions, %d onces delivered, %d onces whose answer died with"
            + " the killed instance (recorded as consumed)%n",
        answered, onceDelivered, onceAnswerLost);
    assertThat(answered).isGreaterThan(1000);
    assertThat(onceDelivered).isGreaterThan(100);
    assertThat(onceAnswerLost)
        .as("at most the requests in flight on the killed instance")
        .isLessThanOrEqualTo(16);
  }

  @Test
  @Order(5)
  void aPostgresqlRestartUnderLoadGetsNoServerErrorAndServiceIsBackWithinTenSeconds()
      throws Exception {
    List<MacAddress> known = knownStatic(0x21, 50);
    Load load = new Load(List.of(), known, 0x22);
    AtomicLong backAt = new AtomicLong();
    AtomicLong downAt = new AtomicLong();
    ConcurrentLinkedQueue<int[]> api = new ConcurrentLinkedQueue<>();
    AtomicBoolean probing = new AtomicBoolean(true);
    Thread prober =
        Thread.ofVirtual()
            .start(
                () -> {
                  while (probing.get()) {
                    Answer a = get(api() + "/machines");
                    long t = System.nanoTime();
                    boolean down = downAt.get() != 0 && (backAt.get() == 0 || t < backAt.get());
                    api.add(new int[] {a.status(), down ? 1 : 0});
                    try {
                      Thread.sleep(250);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                });
    load.run(
        Duration.ofSeconds(35),
        16,
        () -> {
          try {
            downAt.set(System.nanoTime());
            pg.stopServer("fast");
            Thread.sleep(4000);
            pg.startServer();
            backAt.set(System.nanoTime());
            System.out.println("ClusterIT: PostgreSQL stopped and started again");
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        },
        Duration.ofSeconds(10));
    probing.set(false);
    prober.join(10_000);
    System.out.println("ClusterIT: PostgreSQL restart load: " + load.kinds());

    assertThat(load.all)
        .as("every boot request answered 200 (a decision, or 'try again')")
        .allSatisfy(a -> assertThat(a.status()).as(a.kind()).isEqualTo(200));
    List<Answer> retries = load.all.stream().filter(a -> a.kind().equals("RETRY")).toList();
    assertThat(retries).as("the outage was noticed").isNotEmpty();
    long lastRetryStart = retries.stream().mapToLong(Answer::startNanos).max().orElseThrow();
    double backAfter = (lastRetryStart - backAt.get()) / 1e9;
    System.out.printf(
        "ClusterIT: last 'try again' for a request started %.2f s after PostgreSQL was back%n",
        backAfter);
    assertThat(backAfter).as("seconds after the database returned").isLessThan(10);
    assertThat(load.all.stream().filter(a -> a.startNanos() > backAt.get() + 10_000_000_000L))
        .as("decisions again after the database returned")
        .isNotEmpty()
        .allSatisfy(a -> assertThat(a.kind()).isIn("STATIC", "DEFAULT"));
    assertThat(api.stream().filter(s -> s[1] == 1).map(s -> s[0]))
        .as("the API while the database is down; the instances' errors:%n%s", errorLines())
        .contains(503)
        .doesNotContain(500);
    for (Map.Entry<MacAddress, List<Answer>> e : load.byMac.entrySet()) {
      long decided =
          e.getValue().stream().filter(a -> a.status() == 200 && !a.kind().equals("RETRY")).count();
      assertThat(events(e.getKey()).size())
          .as("events of %s", e.getKey())
          .isGreaterThanOrEqualTo((int) decided);
    }
  }

  /** Every instance's ERROR lines and the line after each (the exception), for a failure's text. */
  static String errorLines() {
    StringBuilder b = new StringBuilder();
    for (Jar.Server srv : servers) {
      try {
        List<String> lines = Files.readAllLines(srv.log);
        for (int i = 0; i < lines.size(); i++) {
          if (lines.get(i).contains(" ERROR ") || lines.get(i).contains(" 500 ")) {
            b.append(srv.log.getFileName()).append(": ").append(lines.get(i)).append('\n');
            if (i + 1 < lines.size() && !lines.get(i + 1).startsWith("20")) {
              b.append("    ").append(lines.get(i + 1)).append('\n');
            }
          }
        }
      } catch (java.io.IOException e) {
        b.append(srv.log).append(": ").append(e).append('\n');
      }
    }
    return b.toString();
  }
}
