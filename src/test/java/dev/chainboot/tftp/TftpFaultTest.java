package dev.chainboot.tftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.testing.LogCapture;
import dev.chainboot.testing.RawTftpClient;
import dev.chainboot.testing.TftpTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our own client drops, delays and duplicates ACKs and sends from a wrong port: every transfer
 * completes byte-identically or ends with an ERROR or timeout, never a hang.
 */
class TftpFaultTest {

  @TempDir static Path data;
  static TftpTestServer server;
  static byte[] file;

  /** This test's log lines only. */
  LogCapture log;

  @BeforeAll
  static void start() throws Exception {
    server = new TftpTestServer(data);
    Path p = TftpTestServer.randomFile(server.tftpRoot().resolve("f.bin"), 150_000, 42);
    file = Files.readAllBytes(p);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @BeforeEach
  void capture() {
    log = new LogCapture("tftp");
  }

  @AfterEach
  void release() {
    log.close();
  }

  @Test
  void faultyClientsCompleteCorrectlyOrFailCleanlyNeverHang() throws Exception {
    int n = 24;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    List<Future<RawTftpClient.Download>> results = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      int blk = List.of(512, 1428, 8192).get(i % 3);
      int window = List.of(1, 4, 8, 16).get(i % 4);
      RawTftpClient.Faults faults = new RawTftpClient.Faults(0.1, 0.2, 0.1, 150, 0.05, i);
      results.add(
          pool.submit(
              () -> {
                try (RawTftpClient c = new RawTftpClient(server.port())) {
                  return c.download(
                      "f.bin",
                      Map.of("blksize", "" + blk, "windowsize", "" + window),
                      faults,
                      Duration.ofSeconds(60));
                }
              }));
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(90, TimeUnit.SECONDS)).as("all clients finished").isTrue();
    int ok = 0;
    int strayErrors = 0;
    for (Future<RawTftpClient.Download> f : results) {
      RawTftpClient.Download d = f.get();
      assertThat(d.timedOut()).as("client hit its deadline: %s", d).isFalse();
      if (d.ok()) {
        assertThat(TftpTestServer.sha256(d.data())).isEqualTo(TftpTestServer.sha256(file));
        ok++;
      } else {
        assertThat(d.error()).isNotNull();
      }
      strayErrors += d.strayErrors();
    }
    // with these fault rates the server's retries recover every transfer
    assertThat(ok).isEqualTo(n);
    assertThat(strayErrors).as("ERROR 5 answers to packets from a wrong port").isPositive();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(90));
  }

  @Test
  void duplicateAcksNeverTriggerResends() throws Exception {
    // every ACK sent twice, nothing lost: the server must send each block exactly once
    RawTftpClient.Faults dup = new RawTftpClient.Faults(0, 1.0, 0, 0, 0, 1);
    try (RawTftpClient c = new RawTftpClient(server.port())) {
      RawTftpClient.Download d = c.download("f.bin", Map.of(), dup, Duration.ofSeconds(60));
      assertThat(d.data()).isEqualTo(file);
      int blocks = file.length / 512 + 1;
      assertThat(d.dataPackets()).isBetween(blocks, blocks + 3);
    }
  }

  @Test
  void packetsFromAWrongPortGetError5AndDoNotDisturbTheTransfer() throws Exception {
    RawTftpClient.Faults stray = new RawTftpClient.Faults(0, 0, 0, 0, 1.0, 1);
    try (RawTftpClient c = new RawTftpClient(server.port())) {
      RawTftpClient.Download d =
          c.download("f.bin", Map.of("blksize", "1428"), stray, Duration.ofSeconds(60));
      assertThat(d.data()).isEqualTo(file);
      assertThat(d.strayErrors()).isGreaterThanOrEqualTo(file.length / 1428);
    }
  }

  @Test
  void silentClientTimesOutAfterBoundedRetries() throws Exception {
    try (RawTftpClient c = new RawTftpClient(server.port())) {
      c.send(RawTftpClient.rrq("f.bin", "octet", Map.of("timeout", "1")));
      assertThat(c.receive(Duration.ofSeconds(5))).isInstanceOf(TftpPacket.OptionAck.class);
      c.sendTo(RawTftpClient.ack(0), c.lastFrom);
      int block1 = 0;
      long t0 = System.nanoTime();
      TftpPacket p;
      while ((p = c.receive(Duration.ofMillis(2500))) != null) {
        assertThat(p).isInstanceOf(TftpPacket.Data.class);
        assertThat(((TftpPacket.Data) p).block()).isEqualTo(1);
        block1++;
      }
      // first send + maxRetries resends, then silence
      assertThat(block1).isEqualTo(1 + TftpServer.Settings.DEFAULTS.maxRetries());
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
      assertThat(log.awaitTransfer(c.socket.getLocalPort(), "f.bin").result())
          .startsWith("timeout");
    }
  }

  @Test
  void clientErrorEndsTheTransfer() throws Exception {
    try (RawTftpClient c = new RawTftpClient(server.port())) {
      c.send(RawTftpClient.rrq("f.bin", "octet", Map.of()));
      assertThat(c.receive(Duration.ofSeconds(5))).isInstanceOf(TftpPacket.Data.class);
      c.sendTo(
          TftpCodec.encode(new TftpPacket.Error(TftpErrorCode.NOT_DEFINED, "user abort")),
          c.lastFrom);
      assertThat(c.receive(Duration.ofMillis(1500))).isNull();
      assertThat(log.awaitTransfer(c.socket.getLocalPort(), "f.bin").result())
          .isEqualTo("client error (0 user abort)");
    }
  }
}
