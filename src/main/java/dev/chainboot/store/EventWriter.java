package dev.chainboot.store;

import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.BootStore;
import dev.chainboot.boot.CommitWait;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records boot events on a background thread in batches (one transaction for every event that
 * arrived while the previous batch was written).
 *
 * <ul>
 *   <li>Queued (the default for SQLite): a boot request never waits for the write of its own event.
 *       The queue is bounded: when full, a caller waits up to a second; only then is the event
 *       dropped, counted and logged. {@link #close()} writes everything still queued.
 *   <li>Durable (PostgreSQL, several instances): {@link #accept} returns once the event's batch is
 *       committed, so no answered request's event can be lost with the process (kill -9 included;
 *       how far the commit waits for the database's disk is {@link PostgresUrl#synchronousCommit});
 *       if it cannot be written within {@link #DURABLE_WAIT_SECONDS}, {@link #accept} throws {@link
 *       BootStore.UnavailableException} and the request is answered "try again" instead. A caller
 *       that opened a {@link CommitWait} is not held: {@link #accept} hands it the commit to answer
 *       on (failed the same way), and the answer is sent from a virtual thread started for the
 *       batch when it commits.
 * </ul>
 *
 * An event that already has an id was stored by the store itself (with the consumption of its
 * once-assignment) and is not written again.
 */
public final class EventWriter implements Consumer<BootEvent>, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EventWriter.class);
  private static final int BATCH = 512;

  /** Queued mode: batches begin at most this often (see {@link #linger()}). */
  static final long LINGER_NANOS = 5_000_000;

  private long lastBatch = System.nanoTime() - LINGER_NANOS;

  /** How long a durable {@link #accept} waits for its event's commit. */
  public static final int DURABLE_WAIT_SECONDS = 10;

  /** An event and, in durable mode, who waits for its commit (and since when, in nanoseconds). */
  private record Pending(BootEvent event, CompletableFuture<Void> committed, long queuedAt) {}

  private final Store store;
  private final boolean durable;
  private final BlockingQueue<Pending> queue;
  private final Thread thread;
  private final long durableWaitNanos;

  /**
   * Durable mode: the commits handed to a {@link CommitWait} (nobody blocks on them), in the order
   * queued, so that {@link #expire} can fail those not committed within the durable wait.
   */
  private final ConcurrentLinkedQueue<Pending> deferred = new ConcurrentLinkedQueue<>();

  private final Thread watch;

  /** Durable mode: the thread completing the last committed batch ({@link #completeAll}). */
  private volatile Thread lastCompletion;

  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong done = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private volatile boolean closing;

  public EventWriter(Store store) {
    this(store, 65_536, false);
  }

  public EventWriter(Store store, int capacity) {
    this(store, capacity, false);
  }

  /**
   * @param durable whether {@link #accept} waits for the event's commit
   */
  public EventWriter(Store store, int capacity, boolean durable) {
    this(store, capacity, durable, TimeUnit.SECONDS.toNanos(DURABLE_WAIT_SECONDS));
  }

  EventWriter(Store store, int capacity, boolean durable, long durableWaitNanos) {
    this.store = store;
    this.durable = durable;
    this.durableWaitNanos = durableWaitNanos;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.thread = Thread.ofPlatform().name("boot-events").daemon(true).start(this::run);
    this.watch =
        durable
            ? Thread.ofPlatform().name("boot-events-watch").daemon(true).start(this::watch)
            : null;
  }

  @Override
  public void accept(BootEvent e) {
    if (e.id() != 0) {
      return; // stored with its once-assignment's consumption
    }
    Pending p = new Pending(e, durable ? new CompletableFuture<>() : null, System.nanoTime());
    try {
      if (!closing && queue.offer(p, 1, TimeUnit.SECONDS)) {
        accepted.incrementAndGet();
        if (durable) {
          if (CommitWait.isOpen()) {
            deferred.add(p);
            CommitWait.defer(whenCommitted(p));
          } else {
            awaitCommit(p);
          }
        }
        return;
      }
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
    }
    long n = dropped.incrementAndGet();
    log.error(
        "boot event dropped (queue full or closing; {} dropped so far): {} {} {}",
        n,
        e.mac().map(Object::toString).orElse("-"),
        e.match(),
        e.reason());
    if (durable) {
      throw new BootStore.UnavailableException("boot events cannot be recorded now", null);
    }
  }

  private void awaitCommit(Pending p) {
    try {
      p.committed().get(durableWaitNanos, TimeUnit.NANOSECONDS);
    } catch (ExecutionException | TimeoutException ex) {
      throw unavailable(ex);
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new BootStore.UnavailableException("interrupted recording the boot event", ex);
    }
  }

  /**
   * The event's commit for a caller that answers later ({@link CommitWait}): completes
   * exceptionally with {@link BootStore.UnavailableException} as {@link #awaitCommit} would throw.
   */
  private CompletableFuture<Void> whenCommitted(Pending p) {
    return p.committed()
        .handle(
            (ok, ex) -> {
              if (ex != null) {
                throw unavailable(ex);
              }
              return null;
            });
  }

  private BootStore.UnavailableException unavailable(Throwable ex) {
    Throwable cause =
        (ex instanceof ExecutionException || ex instanceof CompletionException)
                && ex.getCause() != null
            ? ex.getCause()
            : ex;
    if (cause instanceof TimeoutException) {
      return new BootStore.UnavailableException(
          "the boot event was not recorded within "
              + TimeUnit.NANOSECONDS.toMillis(durableWaitNanos)
              + " ms",
          cause);
    }
    return new BootStore.UnavailableException(
        "the boot event could not be recorded: " + cause.getMessage(), cause);
  }

  /**
   * Durable mode: fails the deferred commits still waiting after the durable wait, a few times a
   * second (one timer for all of them: a timer per request cost 10 us of CPU a request). The writer
   * commits batches in the order queued, so the oldest are at the head.
   */
  private void watch() {
    while (true) {
      try {
        Thread.sleep(Math.max(1, TimeUnit.NANOSECONDS.toMillis(durableWaitNanos) / 20));
      } catch (InterruptedException ie) {
        return;
      }
      expire(false);
    }
  }

  /** Drops committed heads of {@link #deferred} and fails those older than the wait (or all). */
  private void expire(boolean all) {
    long now = System.nanoTime();
    for (Pending p; (p = deferred.peek()) != null; ) {
      if (!all && !p.committed().isDone() && now - p.queuedAt() < durableWaitNanos) {
        return;
      }
      deferred.poll();
      p.committed().completeExceptionally(new TimeoutException("not committed in time"));
    }
  }

  /** Events that could not be queued or written. */
  public long dropped() {
    return dropped.get();
  }

  /** Waits until every event accepted so far is written (or given up on). */
  public void flush() {
    long target = accepted.get();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (done.get() < target && System.nanoTime() < deadline && thread.isAlive()) {
      try {
        Thread.sleep(2);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void run() {
    List<Pending> batch = new ArrayList<>(BATCH);
    while (true) {
      try {
        Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (closing && queue.isEmpty()) {
            return;
          }
          continue;
        }
        batch.add(first);
        linger();
        queue.drainTo(batch, BATCH - 1);
        write(batch);
        batch.clear();
      } catch (InterruptedException ie) {
        if (closing) {
          queue.drainTo(batch);
          write(batch);
          return;
        }
      }
    }
  }

  /**
   * Queued mode: lets events gather for up to {@link #LINGER_NANOS} after the last batch began, so
   * that under load a commit carries many events. Each SQLite commit writes its pages to the WAL
   * and makes every reader check the versions again (the WAL header moved); one commit per few
   * events was a third of the server's CPU for a known machine's boot (JFR CPU-time samples,
   * docs/benchmarks.md). Nobody waits for these commits; durable mode (callers waiting) never
   * lingers.
   */
  private void linger() throws InterruptedException {
    if (durable || closing) {
      return;
    }
    long wait = lastBatch + LINGER_NANOS - System.nanoTime();
    if (wait > 0 && queue.size() < BATCH - 1) {
      TimeUnit.NANOSECONDS.sleep(wait);
    }
    lastBatch = System.nanoTime();
  }

  private void write(List<Pending> batch) {
    if (batch.isEmpty()) {
      return;
    }
    List<BootEvent> events = new ArrayList<>(batch.size());
    batch.forEach(p -> events.add(p.event()));
    // Durable callers are waiting (and will be told to retry): try for a shorter time.
    int attempts = durable ? 2 : 3;
    for (int attempt = 1; ; attempt++) {
      try {
        store.appendEvents(events);
        completeAll(batch, null);
        break;
      } catch (RuntimeException ex) {
        if (attempt >= attempts) {
          long n = dropped.addAndGet(batch.size());
          if (durable) {
            log.warn(
                "could not record {} boot events; their requests are answered 'try again': {}",
                batch.size(),
                ex.toString());
          } else {
            log.error(
                "could not record {} boot events ({} dropped so far): {}",
                batch.size(),
                n,
                ex.toString());
          }
          completeAll(batch, ex);
          break;
        }
        log.warn("recording boot events failed (attempt {}): {}", attempt, ex.toString());
        try {
          Thread.sleep(100L * attempt);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
        }
      }
    }
    done.addAndGet(batch.size());
  }

  /**
   * Tells the batch's callers it is committed (or failed). In durable mode from a virtual thread
   * started for the batch, not from this writer's: a caller that took its commit ({@link
   * CommitWait}) sends its answer in the completion, and while one batch's answers are written the
   * writer is already sending the next batch. Writing them on the writer's thread made every batch
   * wait for the previous one's answers (one instance on PostgreSQL, known machine: 29 300-30 600
   * req/s, against 37 200-37 600 with this; docs/benchmarks.md).
   */
  private void completeAll(List<Pending> batch, RuntimeException failure) {
    if (!durable) {
      return; // nobody waits
    }
    List<Pending> copy = List.copyOf(batch);
    lastCompletion =
        Thread.ofVirtual()
            .name("boot-events-done")
            .start(
                () -> {
                  for (Pending p : copy) {
                    if (failure == null) {
                      p.committed().complete(null);
                    } else {
                      p.committed().completeExceptionally(failure);
                    }
                  }
                });
  }

  @Override
  public void close() {
    closing = true;
    try {
      thread.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      log.error("boot event writer did not finish; {} events may be lost", queue.size());
    }
    if (watch != null) {
      watch.interrupt();
      Thread last = lastCompletion;
      if (last != null) {
        try {
          last.join(1000); // the last batch's callers get their answers, not "try again"
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
        }
      }
      expire(true); // whoever still waits is answered "try again"
    }
    if (dropped.get() > 0) {
      log.warn("{} boot events were dropped in total", dropped.get());
    }
  }
}
