package dev.chainboot.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AdmissionTest {

  private static InetAddress ip(int host) {
    try {
      return InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) host});
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits (bounded) until {@code n} requests wait. */
  private static void awaitWaiting(Admission a, int n) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (a.waiting() != n) {
      assertThat(System.nanoTime()).as("waiting for %d waiters", n).isLessThan(end);
      Thread.sleep(2);
    }
  }

  @Test
  void freedSlotsGoToWaitingClientsInTurnNotInArrivalOrder() throws Exception {
    Admission a = new Admission(1, 10, 100, TimeUnit.SECONDS.toNanos(30));
    Admission.Slot first = (Admission.Slot) a.enter(ip(9));
    List<String> order = new CopyOnWriteArrayList<>();
    List<Admission.Slot> slots = new CopyOnWriteArrayList<>();
    String[] names = {"a1", "a2", "a3", "b1", "c1"};
    int[] hosts = {1, 1, 1, 2, 3};
    List<Thread> threads = new java.util.ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      String name = names[i];
      InetAddress from = ip(hosts[i]);
      threads.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    Admission.Ticket t = a.enter(from);
                    order.add(name);
                    slots.add((Admission.Slot) t);
                  }));
      awaitWaiting(a, i + 1);
    }
    a.leave(first);
    for (int i = 0; i < names.length; i++) {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (slots.size() <= i) {
        assertThat(System.nanoTime()).isLessThan(end);
        Thread.sleep(2);
      }
      a.leave(slots.get(i));
    }
    for (Thread t : threads) {
      t.join(10_000);
    }
    assertThat(order).containsExactly("a1", "b1", "c1", "a2", "a3");
    assertThat(a.running()).isZero();
  }

  @Test
  void aClientAtItsLimitWaitsWhileAnotherClientIsServedAtOnce() throws Exception {
    Admission a = new Admission(10, 1, 100, TimeUnit.SECONDS.toNanos(30));
    Admission.Slot mine = (Admission.Slot) a.enter(ip(1));
    Thread second = Thread.ofVirtual().start(() -> a.enter(ip(1)));
    awaitWaiting(a, 1);
    long t0 = System.nanoTime();
    assertThat(a.enter(ip(2))).isInstanceOf(Admission.Slot.class);
    assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(1));
    assertThat(a.waiting()).isEqualTo(1);
    a.leave(mine);
    second.join(10_000);
    assertThat(second.isAlive()).isFalse();
    assertThat(a.waiting()).isZero();
  }

  @Test
  void aRequestThatWaitsTooLongIsRefused() throws Exception {
    Admission a = new Admission(1, 1, 100, TimeUnit.MILLISECONDS.toNanos(200));
    a.enter(ip(1));
    long t0 = System.nanoTime();
    assertThat(a.enter(ip(2))).isInstanceOf(Admission.Refused.class);
    assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(190));
    assertThat(a.waiting()).isZero();
  }

  @Test
  void beyondTheWaitingRoomTheRefusalIsImmediate() throws Exception {
    Admission a = new Admission(1, 1, 1, TimeUnit.SECONDS.toNanos(30));
    a.enter(ip(1));
    Thread.ofVirtual().start(() -> a.enter(ip(2)));
    awaitWaiting(a, 1);
    long t0 = System.nanoTime();
    Admission.Ticket t = a.enter(ip(3));
    assertThat(t).isEqualTo(new Admission.Refused(1));
    assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(1));
  }

  @Test
  void retryAfterIsJitteredAndGrowsWithTheQueue() {
    java.util.Set<Integer> seen = new java.util.HashSet<>();
    for (int i = 0; i < 500; i++) {
      int s = StormControl.retryAfterSeconds(0);
      assertThat(s).isBetween(StormControl.MIN_RETRY_SECONDS, StormControl.MIN_RETRY_SECONDS + 4);
      seen.add(s);
    }
    assertThat(seen).hasSizeGreaterThan(3);
    assertThat(StormControl.retryAfterSeconds(5000)).isBetween(2, 26);
  }
}
