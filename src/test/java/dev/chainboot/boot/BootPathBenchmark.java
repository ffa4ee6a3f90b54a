package dev.chainboot.boot;

import dev.chainboot.metrics.Metrics;
import dev.chainboot.store.SqliteStore;
import dev.chainboot.store.Store;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The known-machine boot decision in-process, as bench/http-resolve.sh's known case makes it, with
 * and without what the timeline and the metrics add to it (a timed store, the timeline, the
 * counters; the event writer's work is left out of both: it runs on its own thread). Run: {@code
 * ./mvnw -q dependency:build-classpath -Dmdep.includeScope=test
 * -Dmdep.outputFile=target/bench-classpath.txt} after a test-compile, then {@code java -cp
 * target/test-classes:target/classes:$(cat target/bench-classpath.txt) org.openjdk.jmh.Main
 * BootPathBenchmark} (docs/benchmarks.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class BootPathBenchmark {

  static final MacAddress MAC = MacAddress.parse("52:54:00:aa:00:01").orElseThrow();

  private Path dir;
  private SqliteStore store;
  private BootCore plain;
  private BootCore recorded;
  private BootRequest request;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    dir = Files.createTempDirectory("bootpath");
    store = SqliteStore.open(dir);
    store.putMachine(Machine.of(MAC));
    store.putProfile(
        Profile.kernel(
            "linux",
            "http://10.0.0.1/vmlinuz",
            List.of("http://10.0.0.1/initrd.img"),
            "console=ttyS0,115200 ip=dhcp BOOTIF=01-{{mac_hexhyp}}"));
    store.assign(new Assignment(MAC, Assignment.Kind.STATIC, "linux"));
    plain = new BootCore(store, e -> {});
    Metrics metrics = new Metrics();
    Store timed = metrics.timed(store);
    Timeline timeline =
        new Timeline(timed, metrics::observe, Clock.systemUTC(), Duration.ofMinutes(10));
    recorded = new BootCore(timed, timeline);
    request =
        new BootRequest(
            Optional.of(MAC),
            InetAddress.getByName("127.0.0.1"),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.of(Arch.X86_64),
            Optional.of(Platform.PCBIOS),
            BootRequest.Protocol.HTTP);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    store.close();
  }

  @Benchmark
  public BootAnswer decisionOnly() {
    return plain.resolve(request, "http://127.0.0.1:8080");
  }

  @Benchmark
  public BootAnswer withTimelineAndMetrics() {
    return recorded.resolve(request, "http://127.0.0.1:8080");
  }
}
