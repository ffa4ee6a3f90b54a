package dev.chainboot.tftp;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Drives transfers' data paths: one thread, one selector over all their channels. An ACK is read
 * and the next window sent by the thread the kernel woke, with no hand-off in between: a TFTP
 * transfer is a chain of round trips, and on loopback parking and waking a virtual thread per ACK
 * cost more than the round trip itself (see docs/benchmarks.md). Deadlines are checked every {@link
 * #TICK_NANOS}.
 */
final class TransferReactor implements AutoCloseable {

  static final long TICK_NANOS = 20_000_000;

  /**
   * After a wake-up that handled a packet, how long this thread keeps polling (without sleeping)
   * for the next one, when few transfers run: a lock-step client answers a DATA within tens of
   * microseconds, and catching its ACK in a poll saves the sleep in {@code epoll_wait} and the
   * wake-up (the gap to tftpd-hpa, which blocks in {@code recvfrom}, at blksize 512 on an idle
   * machine: docs/benchmarks.md).
   */
  static final long SPIN_NANOS = 50_000;

  /** Polling in a row stops after this long, for new transfers, deliveries and deadlines. */
  static final long SPIN_BUDGET_NANOS = 2_000_000;

  /** Polling is for a few lock-step transfers; with more, packets arrive without it. */
  static final int SPIN_MAX_ACTIVE = 8;

  /**
   * After a poll that caught nothing (a client further away than loopback, a machine too loaded to
   * answer within {@link #SPIN_NANOS}), this many wake-ups sleep without polling, so a slow client
   * costs at most a ninth of a poll per packet.
   */
  static final int SPIN_SKIP = 8;

  private final Selector selector;
  private final Thread thread;
  private final Queue<Transfer> incoming = new ConcurrentLinkedQueue<>();

  /** A datagram the listener received for a single-port transfer. */
  private record Delivery(Transfer transfer, SocketAddress from, byte[] data) {}

  private final Queue<Delivery> delivered = new ConcurrentLinkedQueue<>();
  private final List<Transfer> active = new ArrayList<>();
  private final AtomicInteger count = new AtomicInteger();
  private final ByteBuffer in = ByteBuffer.allocate(2048);
  private volatile boolean closed;

  /** Wake-ups left that sleep without polling ({@link #SPIN_SKIP}). */
  private int skipPolls;

  TransferReactor(String name) throws IOException {
    selector = Selector.open();
    thread = Thread.ofPlatform().name(name).daemon().start(this::loop);
  }

  /** Hands a transfer (its channel bound, not yet registered) to this reactor. */
  void submit(Transfer t) {
    count.incrementAndGet();
    incoming.add(t);
    selector.wakeup();
    if (closed) {
      t.finish("aborted (server stopping)");
    }
  }

  /** Single-port mode: a datagram for {@code t}, received by the listener. */
  void deliver(Transfer t, SocketAddress from, byte[] data) {
    delivered.add(new Delivery(t, from, data));
    selector.wakeup();
  }

  int activeTransfers() {
    return count.get();
  }

  private void loop() {
    long nextTick = System.nanoTime() + TICK_NANOS;
    try {
      while (!closed) {
        long wait = Math.max(1, (nextTick - System.nanoTime()) / 1_000_000);
        // The action form: no selected-key set (a HashMap node per ready key and an iterator per
        // turn were this thread's only allocations per packet, JFR in docs/benchmarks.md)
        if (selector.select(this::selected, wait) > 0 && active.size() <= SPIN_MAX_ACTIVE) {
          if (skipPolls > 0) {
            skipPolls--;
          } else if (!poll()) {
            skipPolls = SPIN_SKIP;
          }
        }
        long now = System.nanoTime();
        Transfer t;
        while ((t = incoming.poll()) != null) {
          try {
            if (!t.sharedChannel()) {
              t.channel().configureBlocking(false);
              t.channel().register(selector, SelectionKey.OP_READ, t);
            }
            active.add(t);
            t.start(now);
          } catch (IOException | RuntimeException e) {
            t.finish("error (" + e + ")");
          }
        }
        Delivery d;
        while ((d = delivered.poll()) != null) {
          try {
            d.transfer().onPacket(d.from(), ByteBuffer.wrap(d.data()), now);
          } catch (RuntimeException e) {
            TftpServer.log.error("TFTP transfer failed", e);
            d.transfer().finish("error (" + e + ")");
          }
        }
        if (now - nextTick >= 0) {
          nextTick = now + TICK_NANOS;
          for (Transfer tr : active) {
            if (!tr.finished() && now - tr.deadline() >= 0) {
              try {
                tr.onTimeout(now);
              } catch (RuntimeException e) {
                TftpServer.log.error("TFTP transfer failed", e);
                tr.finish("error (" + e + ")");
              }
            }
          }
          int before = active.size();
          active.removeIf(Transfer::finished);
          count.addAndGet(active.size() - before);
        }
      }
    } catch (IOException | ClosedSelectorException e) {
      if (!closed) {
        TftpServer.log.error("TFTP transfer loop failed: {}", e.toString());
      }
    } finally {
      for (Transfer tr : active) {
        tr.finish("aborted (server stopping)");
      }
      Transfer t;
      while ((t = incoming.poll()) != null) {
        t.finish("aborted (server stopping)");
      }
    }
  }

  /**
   * Polls for the next packets for a moment instead of sleeping (see {@link #SPIN_NANOS}).
   *
   * @return whether a packet came while polling
   */
  private boolean poll() throws IOException {
    long start = System.nanoTime();
    long end = start + SPIN_NANOS;
    boolean caught = false;
    while (!closed && incoming.isEmpty() && delivered.isEmpty()) {
      long now = System.nanoTime();
      if (now - end >= 0 || now - start >= SPIN_BUDGET_NANOS) {
        break;
      }
      if (selector.selectNow(this::selected) > 0) {
        caught = true;
        end = System.nanoTime() + SPIN_NANOS;
      } else {
        Thread.onSpinWait();
      }
    }
    return caught || System.nanoTime() - start < SPIN_NANOS; // cut short by other work: no miss
  }

  /** A transfer's channel is readable: its ACK is handled and the next window sent at once. */
  private void selected(SelectionKey key) {
    Transfer tr = (Transfer) key.attachment();
    try {
      readOne(tr, System.nanoTime());
    } catch (RuntimeException e) {
      // one transfer's bug must not stop the others
      TftpServer.log.error("TFTP transfer failed", e);
      tr.finish("error (" + e + ")");
    }
  }

  /**
   * Reads one datagram: the selector is level-triggered, so more waiting datagrams select the key
   * again, and a window's single ACK costs no extra empty read.
   */
  private void readOne(Transfer t, long now) {
    if (!t.finished()) {
      in.clear();
      SocketAddress from;
      try {
        from = t.channel().receive(in);
      } catch (IOException e) {
        return; // nothing sensible to read now; the timer handles a vanished client
      }
      if (from == null) {
        return;
      }
      in.flip();
      t.onPacket(from, in, now);
    }
  }

  @Override
  public void close() {
    closed = true;
    selector.wakeup();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      selector.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
