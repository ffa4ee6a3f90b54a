package dev.chainboot.http;

import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Storm control for HTTP: at most {@code max} requests are served at once and at most {@code
 * perClient} for one client address. A request beyond that waits (on its virtual thread) for a
 * slot; freed slots go to waiting clients in turn (round robin over client addresses), so one
 * client with many requests cannot push the others back. A request that waited {@code maxWait}
 * without a slot, or that finds {@code maxWaiting} requests already waiting, is refused: the caller
 * answers it with 503 and {@code Retry-After}.
 */
final class Admission {

  /** A slot, or the refusal to give one. */
  sealed interface Ticket permits Slot, Refused {}

  /** A slot held until {@link Admission#leave}. */
  record Slot(InetAddress client) implements Ticket {}

  /**
   * No slot.
   *
   * @param waiting requests waiting when this one gave up (a measure of the overload)
   */
  record Refused(int waiting) implements Ticket {}

  private final int max;
  private final int perClient;
  private final int maxWaiting;
  private final long maxWaitNanos;

  private final ReentrantLock lock = new ReentrantLock();
  private int running;
  private int waitingCount;
  private final Map<InetAddress, Integer> runningPer = new HashMap<>();

  /** Waiters by client address, addresses in the order they are served. */
  private final LinkedHashMap<InetAddress, ArrayDeque<Waiter>> waiting = new LinkedHashMap<>();

  private static final class Waiter {
    final Condition granted;
    boolean hasSlot;

    Waiter(Condition c) {
      granted = c;
    }
  }

  Admission(int max, int perClient, int maxWaiting, long maxWaitNanos) {
    if (max < 1 || perClient < 1 || maxWaiting < 0) {
      throw new IllegalArgumentException("limits must be positive");
    }
    this.max = max;
    this.perClient = perClient;
    this.maxWaiting = maxWaiting;
    this.maxWaitNanos = maxWaitNanos;
  }

  /** A slot for a request from {@code client}, waiting for one at most {@code maxWait}. */
  Ticket enter(InetAddress client) {
    lock.lock();
    try {
      if (waiting.isEmpty() && running < max && runningPer.getOrDefault(client, 0) < perClient) {
        take(client);
        return new Slot(client);
      }
      if (waitingCount >= maxWaiting) {
        return new Refused(waitingCount);
      }
      Waiter w = new Waiter(lock.newCondition());
      waiting.computeIfAbsent(client, k -> new ArrayDeque<>()).add(w);
      waitingCount++;
      grant(); // a free slot that the waiting could not take (their clients are at their limit)
      long left = maxWaitNanos;
      try {
        while (!w.hasSlot && left > 0) {
          left = w.granted.awaitNanos(left);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (w.hasSlot) {
        return new Slot(client);
      }
      ArrayDeque<Waiter> q = waiting.get(client);
      if (q != null && q.remove(w)) {
        waitingCount--;
        if (q.isEmpty()) {
          waiting.remove(client);
        }
      }
      return new Refused(waitingCount);
    } finally {
      lock.unlock();
    }
  }

  /** Gives a slot back and hands free slots to waiting requests, client by client. */
  void leave(Slot slot) {
    lock.lock();
    try {
      running--;
      runningPer.computeIfPresent(slot.client(), (k, n) -> n <= 1 ? null : n - 1);
      grant();
    } finally {
      lock.unlock();
    }
  }

  /** Hands free slots to the waiting, the next client address in turn first. */
  private void grant() {
    if (running >= max || waiting.isEmpty()) {
      return;
    }
    int addresses = waiting.size();
    for (int i = 0; i < addresses && running < max && !waiting.isEmpty(); i++) {
      InetAddress next = waiting.keySet().iterator().next();
      ArrayDeque<Waiter> q = waiting.remove(next);
      if (runningPer.getOrDefault(next, 0) < perClient) {
        Waiter w = q.poll();
        waitingCount--;
        take(next);
        w.hasSlot = true;
        w.granted.signal();
      }
      if (!q.isEmpty()) {
        waiting.put(next, q); // to the back of the line
      }
    }
  }

  private void take(InetAddress client) {
    running++;
    runningPer.merge(client, 1, Integer::sum);
  }

  /** Requests being served now. */
  int running() {
    lock.lock();
    try {
      return running;
    } finally {
      lock.unlock();
    }
  }

  /** Requests waiting for a slot now. */
  int waiting() {
    lock.lock();
    try {
      return waitingCount;
    } finally {
      lock.unlock();
    }
  }

  /** How long a request waits at most, for messages. */
  long maxWaitMillis() {
    return TimeUnit.NANOSECONDS.toMillis(maxWaitNanos);
  }
}
