package dev.chainboot.tftp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Storm control for TFTP: at most {@code max} transfers at once and at most {@code perClient} from
 * one client address (running and waiting together). A read request beyond {@code max} waits in a
 * queue, one queue per client address served in turn (round robin), so a client with many requests
 * cannot push the others back; a waiting request that is sent again (the same address and port)
 * keeps its place. Beyond the queue's capacity, or beyond a client's own limit, a request is not
 * answered at all: the firmware's own retry brings it back later, where an ERROR would end its
 * boot. A waiting request older than {@code maxWaitNanos} is dropped when it comes up (the client
 * has retransmitted or given up by then).
 *
 * <p>Thread-safe; every method is short and holds one lock.
 */
final class TransferSlots<T> {

  /** What became of a request. */
  enum Verdict {
    /** Start it now: a slot is taken; {@link #release} gives it back. */
    START,
    /** It waits for a slot; {@link #release} hands it out. */
    QUEUED,
    /** The same request (address and port) is already waiting: ignored. */
    DUPLICATE,
    /** Its client already has {@code perClient} transfers running or waiting: not answered. */
    CLIENT_LIMIT,
    /** All slots are taken and the queue is full: not answered. */
    BUSY
  }

  /** A request waiting for a slot. */
  record Waiting<T>(InetSocketAddress from, T request, long since) {}

  private final int max;
  private final int perClient;
  private final int maxQueued;
  private final long maxWaitNanos;

  private int running;
  private int queued;
  private final Map<InetAddress, Integer> perAddress = new HashMap<>();

  /** Waiting requests by client address, in the order the addresses are served. */
  private final LinkedHashMap<InetAddress, ArrayDeque<Waiting<T>>> waiting = new LinkedHashMap<>();

  TransferSlots(int max, int perClient, int maxQueued, long maxWaitNanos) {
    if (max < 1 || perClient < 1 || maxQueued < 0) {
      throw new IllegalArgumentException("limits must be positive");
    }
    this.max = max;
    this.perClient = perClient;
    this.maxQueued = maxQueued;
    this.maxWaitNanos = maxWaitNanos;
  }

  /** Admits a request from {@code from}: start it, queue it, or drop it. */
  synchronized Verdict offer(InetSocketAddress from, T request, long now) {
    InetAddress a = from.getAddress();
    ArrayDeque<Waiting<T>> q = waiting.get(a);
    if (q != null) {
      for (Waiting<T> w : q) {
        if (w.from().equals(from)) {
          return Verdict.DUPLICATE;
        }
      }
    }
    int mine = perAddress.getOrDefault(a, 0);
    if (mine >= perClient) {
      return Verdict.CLIENT_LIMIT;
    }
    if (running < max) {
      running++;
      perAddress.put(a, mine + 1);
      return Verdict.START;
    }
    if (queued >= maxQueued) {
      return Verdict.BUSY;
    }
    waiting.computeIfAbsent(a, k -> new ArrayDeque<>()).add(new Waiting<>(from, request, now));
    queued++;
    perAddress.put(a, mine + 1);
    return Verdict.QUEUED;
  }

  /**
   * Gives back the slot of a transfer from {@code client} and hands it to the next waiting request
   * (the next client address in turn), which the caller must then start; null when none waits.
   * Requests that waited too long on the way are dropped and counted in {@link #expired()}.
   */
  synchronized Waiting<T> release(InetAddress client, long now) {
    running--;
    decrement(client);
    while (!waiting.isEmpty()) {
      InetAddress next = waiting.keySet().iterator().next();
      ArrayDeque<Waiting<T>> q = waiting.remove(next);
      Waiting<T> w = q.poll();
      queued--;
      if (!q.isEmpty()) {
        waiting.put(next, q); // to the back of the line
      }
      if (now - w.since() > maxWaitNanos) {
        expired++;
        decrement(next);
        continue;
      }
      running++;
      return w;
    }
    return null;
  }

  private void decrement(InetAddress a) {
    perAddress.computeIfPresent(a, (k, n) -> n <= 1 ? null : n - 1);
  }

  private long expired;

  /** Waiting requests dropped because they waited longer than allowed. */
  synchronized long expired() {
    return expired;
  }

  synchronized int running() {
    return running;
  }

  synchronized int queued() {
    return queued;
  }

  /** Transfers running and waiting for {@code client}. */
  synchronized int of(InetAddress client) {
    return perAddress.getOrDefault(client, 0);
  }
}
