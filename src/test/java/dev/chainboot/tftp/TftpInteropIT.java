package dev.chainboot.tftp;

import static dev.chainboot.testing.TftpTestServer.randomFile;
import static dev.chainboot.testing.TftpTestServer.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.firmware.BootBinary;
import dev.chainboot.firmware.FirmwareCatalog;
import dev.chainboot.ipxe.ChainScripts;
import dev.chainboot.testing.LogCapture;
import dev.chainboot.testing.Peer;
import dev.chainboot.testing.RawTftpClient;
import dev.chainboot.testing.TftpTestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real TFTP clients (curl, atftp, tftp-hpa) against our server; sha256 of what they got. */
class TftpInteropIT {

  @TempDir static Path data;
  @TempDir Path work;
  static TftpTestServer server;

  /** This test's log lines only (opened and closed around each test). */
  LogCapture log;

  @BeforeAll
  static void start() throws Exception {
    server = new TftpTestServer(data);
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

  private String port() {
    return Integer.toString(server.port());
  }

  private static byte[] firmware(BootBinary b) {
    return FirmwareCatalog.embedded().require(b);
  }

  @Test
  void curlWithBlksize1468GetsIpxeEfi() throws Exception {
    Peer.Result r =
        Peer.run(
            work,
            Duration.ofSeconds(60),
            "curl",
            "-sS",
            "--tftp-blksize",
            "1468",
            "-o",
            "got.efi",
            "tftp://127.0.0.1:" + port() + "/ipxe.efi");
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(sha256(work.resolve("got.efi")))
        .isEqualTo(sha256(firmware(BootBinary.IPXE_X86_64_EFI)));
    LogCapture.Transfer t = log.awaitTransfer("ipxe.efi");
    assertThat(t.accepted()).containsEntry("blksize", "1468");
    assertThat(t.result()).isEqualTo("ok");
  }

  /** The options in atftp's {@code --trace} line "received OACK <name: value, ...>". */
  static java.util.Map<String, String> receivedOack(String trace) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("received OACK <([^>]*)>").matcher(trace);
    assertThat(m.find()).as("atftp received an OACK; trace:%n%s", head(trace)).isTrue();
    java.util.Map<String, String> o = new java.util.LinkedHashMap<>();
    // atftp ends the list with ", " and two backspaces
    for (String kv : m.group(1).replaceAll("\\p{Cntrl}", "").split(",")) {
      if (!kv.isBlank()) {
        String[] p = kv.split(":", 2);
        o.put(p[0].strip(), p[1].strip());
      }
    }
    assertThat(m.find()).as("one OACK").isFalse();
    return o;
  }

  static String head(String s) {
    return s.lines().limit(40).collect(java.util.stream.Collectors.joining("\n"));
  }

  @Test
  @Timeout(120)
  void atftpWithBlksizeTsizeWindowsize() throws Exception {
    Path src = randomFile(server.tftpRoot().resolve("atftp.bin"), 3_000_123, 7);
    Peer.Result r =
        Peer.run(
            work,
            Duration.ofSeconds(60),
            "atftp",
            "--trace",
            "--option",
            "blksize 1428",
            "--option",
            "tsize 0",
            "--option",
            "windowsize 8",
            "-g",
            "-r",
            "atftp.bin",
            "-l",
            "got.bin",
            "127.0.0.1",
            port());
    assertThat(r.exit()).as(head(r.output())).isZero();
    assertThat(sha256(work.resolve("got.bin"))).isEqualTo(sha256(src));
    // What the server accepted, as the client received it: the OACK on the wire.
    assertThat(receivedOack(r.output()))
        .as(head(r.output()))
        .containsEntry("windowsize", "8")
        .containsEntry("blksize", "1428")
        .containsEntry("tsize", "3000123");
    // ... and the transfer ran with it: atftp ACKs once per window of 8 blocks (plus ACK 0 and
    // the last block), not once per block (2101 blocks of 1428 bytes).
    int blocks = 3_000_123 / 1428 + 1;
    long acks = r.output().lines().filter(l -> l.startsWith("sent ACK")).count();
    assertThat(acks)
        .as("ACKs atftp sent for %d blocks", blocks)
        .isBetween((long) blocks / 8, (long) blocks / 8 + 20);
    LogCapture.Transfer t = log.awaitTransfer("atftp.bin");
    assertThat(t.options()).contains("windowsize=8");
    assertThat(t.accepted())
        .containsEntry("tsize", "3000123")
        .containsEntry("windowsize", "8")
        .containsEntry("blksize", "1428");
    assertThat(t.bytes()).isEqualTo(3000123);
    assertThat(t.result()).isEqualTo("ok");
  }

  @Test
  void tftpHpaWithoutOptionsGetsChainIpxeAndFirmwareAliases() throws Exception {
    Peer.Result r =
        Peer.run(
            work,
            Duration.ofSeconds(60),
            "tftp",
            "127.0.0.1",
            port(),
            "-m",
            "binary",
            "-c",
            "get",
            "chain.ipxe");
    assertThat(r.exit()).as(r.output()).isZero();
    String expected = ChainScripts.tftpChain(Optional.empty(), server.server.httpPort());
    assertThat(Files.readString(work.resolve("chain.ipxe"))).isEqualTo(expected);
    LogCapture.Transfer t = log.awaitTransfer("chain.ipxe");
    assertThat(t.options()).isEqualTo("{}");
    assertThat(t.accepted()).isEmpty();
    assertThat(t.result()).isEqualTo("ok");
    for (String name : List.of("undionly.kpxe", "/snponly64.efi", "ipxe64.efi")) {
      Peer.Result g =
          Peer.run(
              work,
              Duration.ofSeconds(60),
              "tftp",
              "127.0.0.1",
              port(),
              "-m",
              "binary",
              "-c",
              "get",
              name,
              "alias.bin");
      assertThat(g.exit()).as(g.output()).isZero();
      BootBinary b = BootBinary.byName(name.replace("/", "")).orElseThrow();
      assertThat(sha256(work.resolve("alias.bin"))).as(name).isEqualTo(sha256(firmware(b)));
    }
  }

  @Test
  void fileOver32MiBAtBlksize512RollsOver() throws Exception {
    Path src = randomFile(server.tftpRoot().resolve("big.bin"), (33L << 20) + 777, 11);
    Peer.Result r =
        Peer.run(
            work,
            Duration.ofSeconds(180),
            "tftp",
            "127.0.0.1",
            port(),
            "-m",
            "binary",
            "-c",
            "get",
            "big.bin",
            "got.bin");
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(Files.size(work.resolve("got.bin"))).isEqualTo(Files.size(src));
    assertThat(sha256(work.resolve("got.bin"))).isEqualTo(sha256(src));
  }

  @Test
  void netasciiIsConvertedAndTsizeIsTheConvertedSize() throws Exception {
    String text = "line one\nline two\r\nbare\rcr\n";
    Files.writeString(server.tftpRoot().resolve("notes.txt"), text);
    // tftp-hpa converts netascii back to local form (CR LF -> LF, CR NUL -> CR)
    Peer.Result r =
        Peer.run(
            work,
            Duration.ofSeconds(60),
            "tftp",
            "127.0.0.1",
            port(),
            "-m",
            "ascii",
            "-c",
            "get",
            "notes.txt",
            "got.txt");
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(Files.readString(work.resolve("got.txt"))).isEqualTo(text);
    // what went over the wire: our own client sees the netascii form and its size in tsize
    try (RawTftpClient c = new RawTftpClient(server.port())) {
      c.send(RawTftpClient.rrq("notes.txt", "netascii", java.util.Map.of("tsize", "0")));
      TftpPacket oack = c.receive(Duration.ofSeconds(5));
      byte[] wire = Netascii.encode(text.getBytes(StandardCharsets.US_ASCII));
      assertThat(oack)
          .isEqualTo(
              new TftpPacket.OptionAck(java.util.Map.of("tsize", Integer.toString(wire.length))));
      c.sendTo(RawTftpClient.ack(0), c.lastFrom);
      TftpPacket d = c.receive(Duration.ofSeconds(5));
      assertThat(d).isEqualTo(new TftpPacket.Data(1, wire));
      c.sendTo(RawTftpClient.ack(1), c.lastFrom);
    }
  }

  @Test
  void filesInDataTftpOverrideBuiltIns() throws Exception {
    Files.writeString(server.tftpRoot().resolve("undionly.kpxe"), "operator's own\n");
    try {
      Peer.Result r =
          Peer.run(
              work,
              Duration.ofSeconds(60),
              "curl",
              "-sS",
              "-o",
              "u.kpxe",
              "tftp://127.0.0.1:" + port() + "/undionly.kpxe");
      assertThat(r.exit()).as(r.output()).isZero();
      assertThat(Files.readString(work.resolve("u.kpxe"))).isEqualTo("operator's own\n");
    } finally {
      Files.delete(server.tftpRoot().resolve("undionly.kpxe"));
    }
  }

  @Test
  void twoHundredConcurrentTransfersWithMixedClients() throws Exception {
    Path src = randomFile(server.tftpRoot().resolve("mid.bin"), 200_000, 3);
    String want = sha256(src);
    String p = port();
    List<Callable<String>> jobs = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      Path out = work.resolve("c" + i);
      String[] cmd =
          switch (i % 3) {
            case 0 ->
                new String[] {
                  "curl",
                  "-sS",
                  "--tftp-blksize",
                  "1468",
                  "-o",
                  out.toString(),
                  "tftp://127.0.0.1:" + p + "/mid.bin"
                };
            case 1 ->
                new String[] {
                  "atftp",
                  "--option",
                  "blksize 1428",
                  "--option",
                  "windowsize 8",
                  "-g",
                  "-r",
                  "mid.bin",
                  "-l",
                  out.toString(),
                  "127.0.0.1",
                  p
                };
            default ->
                new String[] {
                  "tftp", "127.0.0.1", p, "-m", "binary", "-c", "get", "mid.bin", out.toString()
                };
          };
      jobs.add(
          () -> {
            Peer.Result r = Peer.run(work, Duration.ofSeconds(150), cmd);
            if (r.exit() != 0) {
              return "exit " + r.exit() + ": " + r.output();
            }
            return sha256(out);
          });
    }
    long t0 = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(200);
    try {
      List<Future<String>> results = pool.invokeAll(jobs);
      for (Future<String> f : results) {
        assertThat(f.get()).isEqualTo(want);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(150));
  }
}
