package dev.chainboot.tftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Golden byte arrays: packets as real clients (atftp, curl, tftp-hpa) put them on the wire. */
class TftpCodecTest {

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static Map<String, String> map(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  // Captured with tcpdump on loopback (2026-11-22), Debian's atftp 0.8.0, curl, tftp-hpa 5.2.
  // atftp --option "blksize 1428" --option "tsize 0" --option "windowsize 8" -g -r big.bin
  static final byte[] ATFTP_RRQ =
      hex(
          "0001 6269 672e 6269 6e00 6f63 7465 7400 7473 697a"
              + "6500 3000 626c 6b73 697a 6500 3134 3238 0077 696e 646f 7773 697a 6500 3800");
  // curl --max-time 1 --tftp-blksize 1468 tftp://127.0.0.1:PORT/ipxe.efi
  static final byte[] CURL_RRQ =
      hex(
          "0001 6970 7865 2e65 6669 006f 6374 6574 0074 7369"
              + "7a65 0030 0062 6c6b 7369 7a65 0031 3436 3800 7469 6d65 6f75 7400 3100");
  // tftp 127.0.0.1 PORT -m binary -c get chain.ipxe
  static final byte[] TFTP_HPA_RRQ = hex("0001 6368 6169 6e2e 6970 7865 006f 6374 6574 00");

  private static byte[] hex(String s) {
    return java.util.HexFormat.of().parseHex(s.replace(" ", ""));
  }

  @Test
  void parsesRealRequests() throws Exception {
    TftpPacket.Request atftp = (TftpPacket.Request) TftpCodec.decode(ATFTP_RRQ);
    assertThat(atftp)
        .isEqualTo(
            new TftpPacket.Request(
                false,
                "big.bin",
                "octet",
                map("tsize", "0", "blksize", "1428", "windowsize", "8")));
    assertThat(atftp.options().keySet()).containsExactly("tsize", "blksize", "windowsize");
    assertThat(TftpCodec.encode(atftp)).isEqualTo(ATFTP_RRQ);
    TftpPacket.Request curl = (TftpPacket.Request) TftpCodec.decode(CURL_RRQ);
    assertThat(curl.filename()).isEqualTo("ipxe.efi");
    assertThat(curl.options())
        .containsExactly(
            Map.entry("tsize", "0"), Map.entry("blksize", "1468"), Map.entry("timeout", "1"));
    assertThat(TftpCodec.decode(TFTP_HPA_RRQ))
        .isEqualTo(new TftpPacket.Request(false, "chain.ipxe", "octet", Map.of()));
  }

  @Test
  void modeAndOptionNamesAreCaseInsensitive() throws Exception {
    TftpPacket.Request r =
        (TftpPacket.Request)
            TftpCodec.decode(b("\0\1File.BIN\0NetASCII\0BLKSIZE\0" + "1024\0blksize\0" + "512\0"));
    assertThat(r.filename()).isEqualTo("File.BIN");
    assertThat(r.mode()).isEqualTo("netascii");
    assertThat(r.options()).isEqualTo(Map.of("blksize", "1024")); // first one wins
  }

  @Test
  void encodesServerPacketsToGoldenBytes() {
    assertThat(TftpCodec.encode(new TftpPacket.OptionAck(map("blksize", "1428", "tsize", "3000"))))
        .isEqualTo(b("\0\6blksize\0" + "1428\0tsize\0" + "3000\0"));
    assertThat(TftpCodec.encode(new TftpPacket.Data(0x1234, b("hi"))))
        .isEqualTo(b("\0\3\u0012\u0034hi"));
    assertThat(TftpCodec.encode(new TftpPacket.Ack(65535))).isEqualTo(b("\0\4\u00ff\u00ff"));
    assertThat(
            TftpCodec.encode(new TftpPacket.Error(TftpErrorCode.FILE_NOT_FOUND, "file not found")))
        .isEqualTo(b("\0\5\0\1file not found\0"));
  }

  @Test
  void roundTrips() throws Exception {
    TftpPacket[] packets = {
      new TftpPacket.Request(true, "x/y.bin", "octet", map("blksize", "8")),
      new TftpPacket.Data(65535, new byte[0]),
      new TftpPacket.Ack(0),
      new TftpPacket.Error(5, "unknown transfer ID"),
      new TftpPacket.OptionAck(map("windowsize", "16")),
    };
    for (TftpPacket p : packets) {
      assertThat(TftpCodec.decode(TftpCodec.encode(p))).isEqualTo(p);
    }
  }

  @Test
  void putDataHeaderRollsBlockNumbersOver() throws Exception {
    java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(4);
    TftpCodec.putDataHeader(out, 65536 + 3);
    assertThat(out.array()).isEqualTo(new byte[] {0, 3, 0, 3});
  }

  @Test
  void malformedInputIsATypedError() {
    byte[][] bad = {
      {},
      {0},
      {0, 1},
      b("\0\1name"),
      b("\0\1name\0"),
      b("\0\1name\0octet"),
      b("\0\1\0octet\0"),
      {0, 3, 0},
      {0, 4, 1},
      {0, 5, 0},
      {0, 7},
      {(byte) 0xff, (byte) 0xff},
      b("\0\6blksize\0"),
      b("\0\1f\0octet\0\0" + "1\0"),
    };
    for (byte[] p : bad) {
      assertThatThrownBy(() -> TftpCodec.decode(p))
          .isInstanceOf(TftpParseException.class)
          .extracting(e -> ((TftpParseException) e).code())
          .isEqualTo(TftpErrorCode.ILLEGAL_OPERATION);
    }
    assertThatThrownBy(
            () -> TftpCodec.decode(b("\0\1f\0octet\0blksize\0" + "9".repeat(256) + "\0")))
        .isInstanceOf(TftpParseException.class)
        .extracting(e -> ((TftpParseException) e).code())
        .isEqualTo(TftpErrorCode.OPTION_NEGOTIATION_FAILED);
  }

  @Test
  void randomBytesNeverThrowUnchecked() {
    Random r = new Random(1);
    for (int i = 0; i < 200_000; i++) {
      byte[] p = new byte[r.nextInt(40)];
      r.nextBytes(p);
      if (p.length >= 2 && r.nextBoolean()) {
        p[0] = 0;
        p[1] = (byte) (1 + r.nextInt(6));
      }
      try {
        TftpCodec.decode(p);
      } catch (TftpParseException expected) {
        // typed error: fine
      }
    }
  }

  @Test
  void negotiatesOptions() throws Exception {
    TransferOptions o =
        TransferOptions.negotiate(
            map("blksize", "1428", "tsize", "0", "windowsize", "8", "timeout", "3", "x", "y"),
            12345,
            1000,
            65464);
    assertThat(o.blockSize()).isEqualTo(1428);
    assertThat(o.windowSize()).isEqualTo(8);
    assertThat(o.timeoutMillis()).isEqualTo(3000);
    assertThat(o.oack())
        .containsExactly(
            Map.entry("blksize", "1428"),
            Map.entry("tsize", "12345"),
            Map.entry("windowsize", "8"),
            Map.entry("timeout", "3"));
    assertThat(TransferOptions.negotiate(Map.of(), 1, 1000, 65464).oack()).isEmpty();
    assertThat(TransferOptions.negotiate(Map.of("blksize", "70000"), 1, 1000, 65464).blockSize())
        .isEqualTo(65464);
    assertThat(
            TransferOptions.negotiate(Map.of("blksize", "99999999999999999999999"), 1, 1000, 1468)
                .blockSize())
        .isEqualTo(1468);
    assertThat(TransferOptions.negotiate(Map.of("windowsize", "0"), 1, 1000, 65464).oack())
        .isEmpty();
    assertThat(TransferOptions.negotiate(Map.of("timeout", "256"), 1, 1000, 65464).oack())
        .isEmpty();
    assertThat(TransferOptions.negotiate(Map.of("tsize", "0"), -1, 1000, 65464).oack()).isEmpty();
    assertThatThrownBy(() -> TransferOptions.negotiate(Map.of("blksize", "7"), 1, 1000, 65464))
        .isInstanceOf(TransferOptions.Rejected.class);
  }

  @Test
  void netasciiConversion() {
    assertThat(Netascii.encode(b("a\nb\rc\r\n"))).isEqualTo(b("a\r\nb\r\0c\r\0\r\n"));
  }
}
