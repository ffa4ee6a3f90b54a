package dev.chainboot.tftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.config.StormLimits;
import dev.chainboot.testing.LogCapture;
import dev.chainboot.testing.RawTftpClient;
import dev.chainboot.testing.TftpTestServer;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Storm control over real sockets: a client that opens 100 transfers at once gets the per-client
 * limit and no more (the rest get no answer at all, not an ERROR), while other clients, real curl
 * from other loopback addresses, are served in full at the same time.
 */
class TftpStormTest {

  @TempDir Path data;

  @Test
  void aClientOpeningAHundredTransfersGetsItsLimitWhileOthersAreServed() throws Exception {
    int perClient = 4;
    try (TftpTestServer server = new TftpTestServer(data, new StormLimits(32, perClient, 64, 4));
        LogCapture log = new LogCapture("tftp")) {
      Path file = TftpTestServer.randomFile(server.tftpRoot().resolve("big.bin"), 300_000, 7);
      String want = TftpTestServer.sha256(file);
      InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());

      // The greedy client: 100 read requests from 100 ports of 127.0.0.1, never acknowledging,
      // so every transfer it gets holds its slot (for the server's ~6 s of retries).
      List<DatagramSocket> greedy = new ArrayList<>();
      try {
        byte[] rrq = RawTftpClient.rrq("big.bin", "octet", Map.of());
        for (int i = 0; i < 100; i++) {
          DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress());
          greedy.add(s);
          s.send(new DatagramPacket(rrq, rrq.length, to));
        }
        // Others, while the greedy client holds its slots: real curl from 127.0.0.2..4.
        List<Process> others = new ArrayList<>();
        List<Path> outs = new ArrayList<>();
        for (int i = 2; i <= 4; i++) {
          Path out = data.resolve("out" + i);
          outs.add(out);
          others.add(
              new ProcessBuilder(
                      "curl",
                      "-s",
                      "--max-time",
                      "60",
                      "--interface",
                      "127.0.0." + i,
                      "--tftp-blksize",
                      "1468",
                      "-o",
                      out.toString(),
                      "tftp://127.0.0.1:" + server.port() + "/big.bin")
                  .redirectErrorStream(true)
                  .start());
        }
        // Which of the greedy sockets got any answer, within 2 s (the server resends after 1 s).
        Set<Integer> answered = new HashSet<>();
        long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        byte[] buf = new byte[2048];
        while (System.nanoTime() < end) {
          for (int i = 0; i < greedy.size(); i++) {
            DatagramSocket s = greedy.get(i);
            s.setSoTimeout(1);
            try {
              s.receive(new DatagramPacket(buf, buf.length));
              answered.add(i);
            } catch (SocketTimeoutException e) {
              // nothing for this one
            }
          }
        }
        for (int i = 0; i < others.size(); i++) {
          if (!others.get(i).waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            others.get(i).destroyForcibly();
          }
          assertThat(others.get(i).waitFor(1, java.util.concurrent.TimeUnit.SECONDS))
              .as("curl from 127.0.0.%d finished", i + 2)
              .isTrue();
          assertThat(others.get(i).exitValue()).as("curl exit from 127.0.0.%d", i + 2).isZero();
          assertThat(TftpTestServer.sha256(outs.get(i))).isEqualTo(want);
        }
        assertThat(answered).as("greedy sockets that got an answer").hasSize(perClient);
        log.await("TFTP busy", "from clients over their limit of " + perClient);
        // 127.0.0.2-4 were each logged as complete transfers.
        for (int i = 2; i <= 4; i++) {
          String client = "client=127.0.0." + i + ":";
          assertThat(log.lines())
              .anySatisfy(l -> assertThat(l).contains(client).contains("result=ok"));
        }
      } finally {
        for (DatagramSocket s : greedy) {
          s.close();
        }
      }
      assertThat(Files.exists(file)).isTrue();
    }
  }
}
