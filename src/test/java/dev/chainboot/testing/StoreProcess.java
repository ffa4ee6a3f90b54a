package dev.chainboot.testing;

import dev.chainboot.boot.Assignment;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Machine;
import dev.chainboot.boot.Profile;
import dev.chainboot.store.PostgresStore;
import dev.chainboot.store.PostgresUrl;
import dev.chainboot.store.SqliteStore;
import dev.chainboot.store.Store;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Another process using the same store as a test: {@code StoreProcess sqlite DIR} opens the store,
 * says {@code ready}, then runs one command per line from stdin and answers one line:
 *
 * <ul>
 *   <li>{@code consume MAC THREADS START_MICROS}: THREADS threads call consumeOnce(MAC) at once at
 *       START_MICROS (epoch microseconds); answers {@code won N} (N threads got it);
 *   <li>{@code once MAC PROFILE}, {@code static MAC PROFILE}: assigns;
 *   <li>{@code machine MAC} (adds it), {@code chain PROFILE URL} (puts a chain profile);
 *   <li>{@code quit}.
 * </ul>
 *
 * It exits when stdin closes, on any error (exit 1), and after a minute whatever happens. {@link
 * Handle} starts one from a test.
 */
public final class StoreProcess {

  private StoreProcess() {}

  /** Opens the store {@code spec} names: {@code sqlite DIR} or {@code postgresql URL}. */
  public static Store open(List<String> spec) {
    return switch (spec.get(0)) {
      case "sqlite" -> SqliteStore.open(Path.of(spec.get(1)));
      case "postgresql" -> PostgresStore.open(PostgresUrl.parse(spec.get(1)), null);
      default -> throw new IllegalArgumentException("unknown store kind " + spec.get(0));
    };
  }

  public static void main(String[] args) throws Exception {
    Thread.ofPlatform()
        .daemon()
        .start(
            () -> {
              sleep(60_000);
              System.err.println("StoreProcess: timed out");
              Runtime.getRuntime().halt(3);
            });
    PrintWriter out =
        new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    try (Store store = open(List.of(args));
        ExecutorService pool = Executors.newCachedThreadPool()) {
      store.consumeOnce(MacAddress.parse("02:00:00:00:00:00").orElseThrow()); // warm up
      out.println("ready");
      for (String line; (line = in.readLine()) != null; ) {
        String[] w = line.split(" ");
        MacAddress mac = w.length > 1 ? MacAddress.parse(w[1]).orElse(null) : null;
        switch (w[0]) {
          case "consume" ->
              out.println(
                  "won " + race(store, pool, mac, Integer.parseInt(w[2]), Long.parseLong(w[3])));
          case "once" -> {
            store.assign(new Assignment(mac, Assignment.Kind.ONCE, w[2]));
            out.println("ok");
          }
          case "static" -> {
            store.assign(new Assignment(mac, Assignment.Kind.STATIC, w[2]));
            out.println("ok");
          }
          case "machine" -> {
            store.putMachine(Machine.of(mac));
            out.println("ok");
          }
          case "chain" -> {
            store.putProfile(Profile.chain(w[1], w[2]));
            out.println("ok");
          }
          case "quit" -> {
            return;
          }
          default -> throw new IllegalArgumentException("unknown command: " + line);
        }
      }
    }
  }

  /** THREADS threads released together at {@code startMicros}; how many got the once. */
  public static int race(
      Store store, ExecutorService pool, MacAddress mac, int threads, long startMicros)
      throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Optional<String>>> results = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      results.add(
          pool.submit(
              () -> {
                go.await();
                return store.consumeOnce(mac);
              }));
    }
    long wait;
    while ((wait = startMicros - epochMicros()) > 0) {
      LockSupport.parkNanos(wait > 2000 ? (wait - 1000) * 1000 : 50_000);
    }
    go.countDown();
    int won = 0;
    for (Future<Optional<String>> f : results) {
      won += f.get(30, TimeUnit.SECONDS).isPresent() ? 1 : 0;
    }
    return won;
  }

  public static long epochMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A StoreProcess started by a test: send a command, read its answer, with timeouts. */
  public static final class Handle implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final String EOF = "\0eof";

    private final Process process;
    private final PrintWriter to;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuffer stderr = new StringBuffer();

    /** Starts {@code StoreProcess SPEC...} on this JVM's java and class path; waits for ready. */
    public Handle(List<String> spec) throws IOException {
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  ProcessHandle.current().info().command().orElse("java"),
                  "-cp",
                  System.getProperty("java.class.path"),
                  "-XX:TieredStopAtLevel=1",
                  "--enable-native-access=ALL-UNNAMED",
                  StoreProcess.class.getName()));
      cmd.addAll(spec);
      process = new ProcessBuilder(cmd).start();
      to =
          new PrintWriter(
              new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
      // Own threads (not the common pool, which may have one thread on a small machine).
      Thread.ofPlatform()
          .daemon()
          .name("store-process-out")
          .start(
              () -> {
                try (BufferedReader r = process.inputReader(StandardCharsets.UTF_8)) {
                  for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                  }
                } catch (IOException e) {
                  // ended
                }
                lines.add(EOF);
              });
      Thread.ofPlatform()
          .daemon()
          .name("store-process-err")
          .start(
              () -> {
                try (BufferedReader r = process.errorReader(StandardCharsets.UTF_8)) {
                  for (String line; (line = r.readLine()) != null; ) {
                    stderr.append(line).append('\n');
                  }
                } catch (IOException e) {
                  // ended
                }
              });
      String ready = answer();
      if (!"ready".equals(ready)) {
        close();
        throw new AssertionError("StoreProcess did not start: " + ready + "\n" + stderr);
      }
    }

    /** Sends a command, returns the answer line. */
    public String send(String command) {
      post(command);
      return answer();
    }

    /** Sends a command whose answer is read later with {@link #answer()}. */
    public void post(String command) {
      to.println(command);
    }

    public String answer() {
      String line;
      try {
        line = lines.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      if (line == null) {
        process.destroyForcibly();
        throw new AssertionError("StoreProcess gave no answer within " + TIMEOUT + "\n" + stderr);
      }
      if (line.equals(EOF)) {
        throw new AssertionError("StoreProcess ended (exit " + exit() + ")\n" + stderr);
      }
      return line;
    }

    private String exit() {
      try {
        return process.waitFor(5, TimeUnit.SECONDS) ? String.valueOf(process.exitValue()) : "?";
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "?";
      }
    }

    @Override
    public void close() {
      to.println("quit");
      to.close();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
