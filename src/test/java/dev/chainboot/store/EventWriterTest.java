package dev.chainboot.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.BootStore;
import dev.chainboot.boot.CommitWait;
import dev.chainboot.boot.MacAddress;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** EventWriter on a real SQLite store, its commits counted (a proxy in front of the store). */
class EventWriterTest {

  @TempDir Path dir;
  SqliteStore sqlite;
  final AtomicInteger batches = new AtomicInteger();

  /** The store, with every appendEvents call (one transaction each) counted. */
  Store counted() {
    return gated(batches::incrementAndGet);
  }

  /** The store, with every appendEvents call first running {@code before} (to block or fail). */
  Store gated(Runnable before) {
    sqlite = SqliteStore.open(dir);
    return (Store)
        Proxy.newProxyInstance(
            Store.class.getClassLoader(),
            new Class<?>[] {Store.class},
            (proxy, method, args) -> {
              if (method.getName().equals("appendEvents")) {
                before.run();
              }
              try {
                return method.invoke(sqlite, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @AfterEach
  void close() {
    if (sqlite != null) {
      sqlite.close();
    }
  }

  static BootEvent event(int i) {
    return new BootEvent(
        0,
        Instant.EPOCH,
        Optional.of(new MacAddress(0x02cb_0000_0000L + i)),
        "10.0.0.1",
        BootEvent.Match.NONE,
        "event " + i,
        Optional.empty(),
        "http",
        false);
  }

  @Test
  void aSteadyStreamIsCommittedInFewBatchesAndNothingIsLost() throws Exception {
    Store store = counted();
    int n = 0;
    long start = System.nanoTime();
    try (EventWriter writer = new EventWriter(store)) {
      // one event every ~0.1 ms for 300 ms: without lingering, a commit per event or two
      while (System.nanoTime() - start < 300_000_000L) {
        writer.accept(event(n++));
        long next = System.nanoTime() + 100_000;
        while (System.nanoTime() < next) {
          Thread.onSpinWait();
        }
      }
      writer.flush();
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertThat(sqlite.events(Optional.empty(), 0, n + 10)).hasSize(n);
    // batches begin at most every LINGER_NANOS (5 ms): ~60 in 300 ms, plus the one of close()
    assertThat(batches.get())
        .as("%d events in %d ms", n, millis)
        .isLessThanOrEqualTo((int) (millis * 1_000_000 / EventWriter.LINGER_NANOS) + 3);
    assertThat(n).isGreaterThan(batches.get() * 5);
  }

  @Test
  void closeWritesWhatIsQueued() {
    Store store = counted();
    try (EventWriter writer = new EventWriter(store)) {
      for (int i = 0; i < 1000; i++) {
        writer.accept(event(i));
      }
    }
    List<BootEvent> stored = sqlite.events(Optional.empty(), 0, 2000);
    assertThat(stored).hasSize(1000);
    assertThat(stored.getLast().reason()).isEqualTo("event 999");
  }

  @Test
  void durableAcceptWaitsForTheCommitWithoutACommitWait() throws Exception {
    CountDownLatch open = new CountDownLatch(1);
    try (EventWriter writer = new EventWriter(gated(() -> await(open)), 16, true)) {
      Thread t = Thread.ofVirtual().start(() -> writer.accept(event(1)));
      assertThat(t.join(Duration.ofMillis(300))).as("accept returned before the commit").isFalse();
      open.countDown();
      assertThat(t.join(Duration.ofSeconds(5))).isTrue();
      assertThat(sqlite.events(Optional.empty(), 0, 10)).hasSize(1);
    }
  }

  @Test
  void aCommitWaitTakesTheCommitAndIsCompletedByIt() throws Exception {
    CountDownLatch open = new CountDownLatch(1);
    try (EventWriter writer = new EventWriter(gated(() -> await(open)), 16, true)) {
      CompletableFuture<Void> pending;
      try (CommitWait wait = CommitWait.open()) {
        writer.accept(event(1)); // returns at once: the store is still closed
        writer.accept(event(2));
        pending = wait.pending();
      }
      assertThat(CommitWait.isOpen()).isFalse();
      assertThat(pending).isNotNull();
      Thread.sleep(200);
      assertThat(pending).as("done before the commit").isNotDone();
      CompletableFuture<Thread> answeredOn = pending.thenApply(ok -> Thread.currentThread());
      open.countDown();
      pending.get(5, TimeUnit.SECONDS);
      assertThat(sqlite.events(Optional.empty(), 0, 10)).hasSize(2);
      // the answer is written off the writer's thread, which goes on to the next batch
      Thread t = answeredOn.get(5, TimeUnit.SECONDS);
      assertThat(t.getName()).isEqualTo("boot-events-done");
      assertThat(t.isVirtual()).isTrue();
    }
  }

  @Test
  void aFailedCommitFailsTheDeferredAnswerAsUnavailable() {
    Runnable fail =
        () -> {
          throw new StoreException("disk on fire", null);
        };
    try (EventWriter writer = new EventWriter(gated(fail), 16, true)) {
      CompletableFuture<Void> pending;
      try (CommitWait wait = CommitWait.open()) {
        writer.accept(event(1));
        pending = wait.pending();
      }
      assertThatThrownBy(() -> pending.get(5, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(BootStore.UnavailableException.class)
          .hasMessageContaining("disk on fire");
    }
  }

  @Test
  void aCommitThatHangsIsGivenUpAfterTheDurableWait() {
    CountDownLatch open = new CountDownLatch(1);
    long wait = TimeUnit.MILLISECONDS.toNanos(300);
    try (EventWriter writer = new EventWriter(gated(() -> await(open)), 16, true, wait)) {
      CompletableFuture<Void> pending;
      long start = System.nanoTime();
      try (CommitWait w = CommitWait.open()) {
        writer.accept(event(1));
        pending = w.pending();
      }
      assertThatThrownBy(() -> pending.get(5, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(BootStore.UnavailableException.class)
          .hasMessageContaining("not recorded within 300 ms");
      assertThat(System.nanoTime() - start).isBetween(wait, TimeUnit.SECONDS.toNanos(3));
      open.countDown();
    }
  }
}
