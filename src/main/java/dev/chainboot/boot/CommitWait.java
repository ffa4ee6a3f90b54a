package dev.chainboot.boot;

import java.util.concurrent.CompletableFuture;

/**
 * Lets the transport answering a boot wait for its event's commit without holding a thread.
 *
 * <p>With several instances on PostgreSQL an answered boot's event must be committed before the
 * answer leaves (no kill -9 may lose it), so a durable event sink waits for the commit of the batch
 * that carries the event. A transport that can send its answer later opens a scope on the request's
 * thread ({@link #open()}) around the call into the core; the sink then hands the commit over
 * ({@link #defer}) instead of parking the thread, and the transport sends the answer when {@link
 * #pending()} completes, or "try again" if it completes exceptionally. Without a scope (TFTP, DHCP,
 * the other endpoints) the sink waits as before.
 *
 * <p>Parking every request's virtual thread until its batch commits, and waking it again, was about
 * a third of the server's CPU per known-machine boot on PostgreSQL (docs/benchmarks.md).
 */
public final class CommitWait implements AutoCloseable {

  private static final ThreadLocal<CommitWait> OPEN = new ThreadLocal<>();

  private final CommitWait outer;
  private CompletableFuture<Void> pending;

  private CommitWait(CommitWait outer) {
    this.outer = outer;
  }

  /** Opens a scope on this thread, to be closed on it (try-with-resources). */
  public static CommitWait open() {
    CommitWait w = new CommitWait(OPEN.get());
    OPEN.set(w);
    return w;
  }

  /** Whether a scope is open on this thread (a durable sink may then {@link #defer}). */
  public static boolean isOpen() {
    return OPEN.get() != null;
  }

  /**
   * For a durable sink: hands {@code commit} to the scope open on this thread, if there is one.
   *
   * @return false when no scope is open: the caller must wait for the commit itself
   */
  public static boolean defer(CompletableFuture<Void> commit) {
    CommitWait w = OPEN.get();
    if (w == null) {
      return false;
    }
    w.pending = w.pending == null ? commit : CompletableFuture.allOf(w.pending, commit);
    return true;
  }

  /** What the answer has to wait for; null when nothing was handed over. */
  public CompletableFuture<Void> pending() {
    return pending;
  }

  @Override
  public void close() {
    if (outer == null) {
      OPEN.remove();
    } else {
      OPEN.set(outer);
    }
  }
}
