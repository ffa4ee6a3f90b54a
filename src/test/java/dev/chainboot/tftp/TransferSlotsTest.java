package dev.chainboot.tftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.tftp.TransferSlots.Verdict;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class TransferSlotsTest {

  private static InetSocketAddress from(int host, int port) throws Exception {
    return new InetSocketAddress(
        InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) host}), port);
  }

  @Test
  void startsUpToTheLimitThenQueuesThenDropsSilently() throws Exception {
    TransferSlots<String> s = new TransferSlots<>(2, 10, 2, Long.MAX_VALUE);
    assertThat(s.offer(from(1, 1), "a", 0)).isEqualTo(Verdict.START);
    assertThat(s.offer(from(2, 1), "b", 0)).isEqualTo(Verdict.START);
    assertThat(s.offer(from(3, 1), "c", 0)).isEqualTo(Verdict.QUEUED);
    assertThat(s.offer(from(4, 1), "d", 0)).isEqualTo(Verdict.QUEUED);
    assertThat(s.offer(from(5, 1), "e", 0)).isEqualTo(Verdict.BUSY);
    assertThat(s.running()).isEqualTo(2);
    assertThat(s.queued()).isEqualTo(2);
  }

  @Test
  void aClientOverItsLimitIsNotAnsweredWhileOthersStillStart() throws Exception {
    TransferSlots<String> s = new TransferSlots<>(100, 4, 100, Long.MAX_VALUE);
    int started = 0;
    for (int port = 1; port <= 100; port++) {
      Verdict v = s.offer(from(1, port), "greedy", 0);
      if (v == Verdict.START) {
        started++;
      } else {
        assertThat(v).isEqualTo(Verdict.CLIENT_LIMIT);
      }
    }
    assertThat(started).isEqualTo(4);
    assertThat(s.offer(from(2, 1), "other", 0)).isEqualTo(Verdict.START);
    s.release(from(1, 1).getAddress(), 0);
    assertThat(s.offer(from(1, 101), "greedy again", 0)).isEqualTo(Verdict.START);
  }

  @Test
  void theSameWaitingRequestSentAgainKeepsItsPlace() throws Exception {
    TransferSlots<String> s = new TransferSlots<>(1, 10, 10, Long.MAX_VALUE);
    s.offer(from(1, 1), "running", 0);
    assertThat(s.offer(from(2, 7), "waits", 0)).isEqualTo(Verdict.QUEUED);
    assertThat(s.offer(from(2, 7), "waits (retransmitted)", 0)).isEqualTo(Verdict.DUPLICATE);
    assertThat(s.queued()).isEqualTo(1);
    assertThat(s.release(from(1, 1).getAddress(), 0).request()).isEqualTo("waits");
  }

  @Test
  void freedSlotsGoToWaitingClientsInTurn() throws Exception {
    TransferSlots<String> s = new TransferSlots<>(1, 10, 10, Long.MAX_VALUE);
    s.offer(from(9, 1), "running", 0);
    s.offer(from(1, 1), "a1", 0);
    s.offer(from(1, 2), "a2", 0);
    s.offer(from(1, 3), "a3", 0);
    s.offer(from(2, 1), "b1", 0);
    s.offer(from(3, 1), "c1", 0);
    StringBuilder order = new StringBuilder();
    InetAddress last = from(9, 1).getAddress();
    TransferSlots.Waiting<String> w;
    while ((w = s.release(last, 0)) != null) {
      order.append(w.request()).append(' ');
      last = w.from().getAddress();
    }
    assertThat(order.toString().trim()).isEqualTo("a1 b1 c1 a2 a3");
    assertThat(s.running()).isZero();
    assertThat(s.of(from(1, 1).getAddress())).isZero();
  }

  @Test
  void requestsThatWaitedTooLongAreDroppedWhenTheirTurnComes() throws Exception {
    TransferSlots<String> s = new TransferSlots<>(1, 10, 10, 1000);
    s.offer(from(9, 1), "running", 0);
    s.offer(from(1, 1), "old", 0);
    s.offer(from(2, 1), "fresh", 1500);
    assertThat(s.release(from(9, 1).getAddress(), 2000).request()).isEqualTo("fresh");
    assertThat(s.expired()).isEqualTo(1);
    assertThat(s.of(from(1, 1).getAddress())).isZero();
  }
}
