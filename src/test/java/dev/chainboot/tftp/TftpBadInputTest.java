package dev.chainboot.tftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.testing.LogCapture;
import dev.chainboot.testing.RawTftpClient;
import dev.chainboot.testing.TftpTestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of bad request gets its exact TFTP error (or a logged drop), and a normal transfer
 * still works afterwards.
 */
class TftpBadInputTest {

  @TempDir static Path data;
  static TftpTestServer server;
  static byte[] secret;

  /** This test's log lines only. */
  LogCapture log;

  /** The local port of the client {@link #errorFor} used last. */
  int lastClientPort;

  @BeforeAll
  static void start() throws Exception {
    server = new TftpTestServer(data.resolve("data"));
    Files.writeString(server.tftpRoot().resolve("ok.txt"), "fine\n");
    // something outside the root that a traversal would reach
    secret = "outside secret\n".getBytes(StandardCharsets.UTF_8);
    Files.write(data.resolve("secret.txt"), secret);
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

  /** After every case the server still serves a normal transfer. */
  @AfterEach
  void normalTransferStillWorks() throws Exception {
    try (RawTftpClient c = new RawTftpClient(server.port())) {
      RawTftpClient.Download d =
          c.download("ok.txt", Map.of(), RawTftpClient.Faults.NONE, Duration.ofSeconds(20));
      assertThat(d.ok()).as("download after bad input: %s", d).isTrue();
      assertThat(new String(d.data(), StandardCharsets.UTF_8)).isEqualTo("fine\n");
    }
  }

  private TftpPacket.Error errorFor(byte[] packet) throws Exception {
    try (RawTftpClient c = new RawTftpClient(server.port())) {
      lastClientPort = c.socket.getLocalPort();
      c.send(packet);
      TftpPacket p = c.receive(Duration.ofSeconds(10));
      assertThat(p).as("answer to a bad packet").isInstanceOf(TftpPacket.Error.class);
      assertThat(c.receive(Duration.ofMillis(300))).as("nothing after the ERROR").isNull();
      return (TftpPacket.Error) p;
    }
  }

  private static byte[] rrq(String name) {
    return RawTftpClient.rrq(name, "octet", Map.of());
  }

  private static byte[] raw(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void writeRequestIsAccessViolation() throws Exception {
    TftpPacket.Error e =
        errorFor(TftpCodec.encode(new TftpPacket.Request(true, "upload.bin", "octet", Map.of())));
    assertThat(e.code()).isEqualTo(2);
    assertThat(e.message()).contains("read-only");
    assertThat(server.tftpRoot().resolve("upload.bin")).doesNotExist();
    assertThat(log.awaitTransfer(lastClientPort, "upload.bin").result()).startsWith("error 2 (");
  }

  @Test
  void dotDotIsAccessViolation() throws Exception {
    assertThat(errorFor(rrq("../secret.txt")).code()).isEqualTo(2);
    assertThat(log.awaitTransfer(lastClientPort, "../secret.txt").result()).startsWith("error 2 (");
    assertThat(errorFor(rrq("sub/../../secret.txt")).code()).isEqualTo(2);
    assertThat(errorFor(rrq("/../secret.txt")).code()).isEqualTo(2);
  }

  @Test
  void absolutePathOutsideTheRootIsAccessViolation() throws Exception {
    assertThat(errorFor(rrq(data.resolve("secret.txt").toString())).code()).isEqualTo(2);
    assertThat(errorFor(rrq("/etc/passwd")).code()).isEqualTo(2);
  }

  @Test
  void leadingSlashIsRelativeToTheRoot() throws Exception {
    try (RawTftpClient c = new RawTftpClient(server.port())) {
      RawTftpClient.Download d =
          c.download("/ok.txt", Map.of(), RawTftpClient.Faults.NONE, Duration.ofSeconds(20));
      assertThat(d.data()).isEqualTo("fine\n".getBytes(StandardCharsets.UTF_8));
    }
  }

  @Test
  void backslashIsAccessViolation() throws Exception {
    assertThat(errorFor(rrq("..\\secret.txt")).code()).isEqualTo(2);
    assertThat(errorFor(rrq("sub\\ok.txt")).code()).isEqualTo(2);
  }

  @Test
  void controlCharactersAndNulAreRefused() throws Exception {
    assertThat(errorFor(rrq("ok.txt\u0001")).code()).isEqualTo(2);
    // A NUL inside the name ends the field: the rest is taken as the mode, which is invalid.
    assertThat(errorFor(raw("\0\1ok.txt\0../../secret.txt\0octet\0")).code()).isEqualTo(4);
    // NUL-split name with a valid mode after it: the name is just "../secret.txt".
    assertThat(errorFor(raw("\0\1../secret.txt\0octet\0ok.txt\0")).code()).isEqualTo(2);
  }

  @Test
  void unknownFileIsFileNotFound() throws Exception {
    TftpPacket.Error e = errorFor(rrq("no-such-file.bin"));
    assertThat(e.code()).isEqualTo(1);
    assertThat(log.awaitTransfer(lastClientPort, "no-such-file.bin").result())
        .startsWith("error 1 (");
  }

  @Test
  void directoryIsFileNotFound() throws Exception {
    Files.createDirectories(server.tftpRoot().resolve("adir"));
    assertThat(errorFor(rrq("adir")).code()).isEqualTo(1);
  }

  @Test
  void truncatedAndGarbagePacketsGetIllegalOperation() throws Exception {
    assertThat(errorFor(new byte[] {0}).code()).isEqualTo(4);
    assertThat(errorFor(new byte[] {0, 1}).code()).isEqualTo(4);
    assertThat(errorFor(raw("\0\1ok.txt")).code()).isEqualTo(4); // no terminator, no mode
    assertThat(errorFor(raw("\0\1ok.txt\0octet")).code()).isEqualTo(4); // mode not terminated
    assertThat(errorFor(raw("\0\1\0octet\0")).code()).isEqualTo(4); // empty name
    assertThat(errorFor(raw("\0\1ok.txt\0mail\0")).code()).isEqualTo(4); // unknown mode
    java.util.Random r = new java.util.Random(5);
    for (int i = 0; i < 20; i++) {
      byte[] junk = new byte[1 + r.nextInt(600)];
      r.nextBytes(junk);
      junk[0] = (byte) 0xff; // never a valid opcode
      assertThat(errorFor(junk).code()).isEqualTo(4);
    }
  }

  @Test
  void unknownOpcodeAndStrayPacketsOnTheRequestPort() throws Exception {
    assertThat(errorFor(new byte[] {0, 9, 0, 1}).code()).isEqualTo(4);
    assertThat(errorFor(new byte[] {0, 0}).code()).isEqualTo(4);
    assertThat(errorFor(RawTftpClient.ack(1)).code()).isEqualTo(4);
    assertThat(errorFor(TftpCodec.encode(new TftpPacket.Data(1, new byte[10]))).code())
        .isEqualTo(4);
    // an ERROR sent to the request port is dropped, never answered
    try (RawTftpClient c = new RawTftpClient(server.port())) {
      c.send(TftpCodec.encode(new TftpPacket.Error(TftpErrorCode.NOT_DEFINED, "x")));
      assertThat(c.receive(Duration.ofMillis(500))).isNull();
    }
  }

  @Test
  void blksizeOutOfRange() throws Exception {
    assertThat(errorFor(RawTftpClient.rrq("ok.txt", "octet", Map.of("blksize", "0"))).code())
        .isEqualTo(8);
    assertThat(errorFor(RawTftpClient.rrq("ok.txt", "octet", Map.of("blksize", "7"))).code())
        .isEqualTo(8);
    assertThat(errorFor(RawTftpClient.rrq("ok.txt", "octet", Map.of("blksize", "x"))).code())
        .isEqualTo(8);
    // too big is clamped to the largest block, and the transfer works with it
    try (RawTftpClient c = new RawTftpClient(server.port())) {
      RawTftpClient.Download d =
          c.download(
              "ok.txt",
              Map.of("blksize", "70000"),
              RawTftpClient.Faults.NONE,
              Duration.ofSeconds(20));
      assertThat(d.oack()).containsEntry("blksize", "65464");
      assertThat(d.data()).isEqualTo("fine\n".getBytes(StandardCharsets.UTF_8));
    }
    try (RawTftpClient c = new RawTftpClient(server.port())) {
      RawTftpClient.Download d =
          c.download(
              "ok.txt", Map.of("blksize", "8"), RawTftpClient.Faults.NONE, Duration.ofSeconds(20));
      assertThat(d.oack()).containsEntry("blksize", "8");
      assertThat(d.dataPackets()).isEqualTo(1);
    }
  }

  @Test
  void unknownOptionsAloneGivePlainRfc1350() throws Exception {
    try (RawTftpClient c = new RawTftpClient(server.port())) {
      c.send(RawTftpClient.rrq("ok.txt", "octet", Map.of("frobnicate", "3")));
      assertThat(c.receive(Duration.ofSeconds(5)))
          .isEqualTo(new TftpPacket.Data(1, "fine\n".getBytes(StandardCharsets.UTF_8)));
      c.sendTo(RawTftpClient.ack(1), c.lastFrom);
    }
    // and known ones mixed with unknown: only the known are acknowledged
    try (RawTftpClient c = new RawTftpClient(server.port())) {
      Map<String, String> o = new LinkedHashMap<>();
      o.put("frobnicate", "3");
      o.put("tsize", "0");
      o.put("timeout", "300"); // out of 1..255: ignored
      RawTftpClient.Download d =
          c.download("ok.txt", o, RawTftpClient.Faults.NONE, Duration.ofSeconds(20));
      assertThat(d.oack()).isEqualTo(Map.of("tsize", "5"));
    }
  }

  @Test
  void hugeFilenameAndOptionsAreRefused() throws Exception {
    assertThat(errorFor(rrq("a".repeat(2000))).code()).isEqualTo(4);
    assertThat(
            errorFor(RawTftpClient.rrq("ok.txt", "octet", Map.of("blksize", "1".repeat(300))))
                .code())
        .isEqualTo(8);
    // a filename just under the limit is merely not found
    assertThat(errorFor(rrq("b".repeat(1000))).code()).isEqualTo(1);
    // a request filling a maximal datagram with options
    StringBuilder sb = new StringBuilder("\0\1ok.txt\0octet\0");
    for (int i = 0; sb.length() < 65000; i++) {
      sb.append("opt").append(i).append('\0').append("v".repeat(200)).append('\0');
    }
    assertThat(errorFor(raw(sb.toString())).code()).isEqualTo(4);
  }
}
