package dev.chainboot.store;

import dev.chainboot.boot.BootEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records boot events on a background thread in batches, so a boot request never waits for a SQLite
 * write of its own event. The queue is bounded: when full, a caller waits up to a second; only then
 * is the event dropped, counted and logged. {@link #close()} writes everything still queued.
 */
public final class EventWriter implements Consumer<BootEvent>, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EventWriter.class);
  private static final int BATCH = 512;

  private final Store store;
  private final BlockingQueue<BootEvent> queue;
  private final Thread thread;
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong done = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private volatile boolean closing;

  public EventWriter(Store store) {
    this(store, 65_536);
  }

  public EventWriter(Store store, int capacity) {
    this.store = store;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.thread = Thread.ofPlatform().name("boot-events").daemon(true).start(this::run);
  }

  @Override
  public void accept(BootEvent e) {
    try {
      if (!closing && queue.offer(e, 1, TimeUnit.SECONDS)) {
        accepted.incrementAndGet();
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
    List<BootEvent> batch = new ArrayList<>(BATCH);
    while (true) {
      try {
        BootEvent first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (closing && queue.isEmpty()) {
            return;
          }
          continue;
        }
        batch.add(first);
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

  private void write(List<BootEvent> batch) {
    if (batch.isEmpty()) {
      return;
    }
    for (int attempt = 1; ; attempt++) {
      try {
        store.appendEvents(batch);
        break;
      } catch (RuntimeException ex) {
        if (attempt >= 3) {
          long n = dropped.addAndGet(batch.size());
          log.error(
              "could not record {} boot events ({} dropped so far): {}",
              batch.size(),
              n,
              ex.toString());
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
    if (dropped.get() > 0) {
      log.warn("{} boot events were dropped in total", dropped.get());
    }
  }
}
