package dev.chainboot.tftp;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;

/**
 * Jazzer: the TFTP packet parser throws nothing but {@link TftpParseException} on any datagram, and
 * whatever it accepts survives our own encoder:
 *
 * <ul>
 *   <li>a datagram already in canonical form ({@link #canonical}) is re-encoded to exactly its own
 *       bytes;
 *   <li>any other accepted datagram differs from its re-encoding only by the parser's documented
 *       normalizations (lower-cased mode and option names, first of duplicate options, a request's
 *       odd trailing field dropped, an ACK's or ERROR's trailing bytes after the fields, an
 *       unterminated ERROR message, text that is not UTF-8 taken as ISO-8859-1): for those the
 *       re-encoding parses to the same packet and is itself a fixed point, {@code
 *       encode(decode(encode(p))) == encode(p)} byte for byte.
 * </ul>
 *
 * Plain {@code mvn verify} replays
 * src/test/resources/dev/chainboot/tftp/TftpParserFuzzTestInputs/decode (regression mode); {@code
 * JAZZER_FUZZ=1} fuzzes for the bounded time and writes any failing input into that directory
 * (scripts/test).
 */
class TftpParserFuzzTest {

  @FuzzTest(maxDuration = "30s")
  void decode(byte[] data) throws Exception {
    TftpPacket p;
    try {
      p = TftpCodec.decode(data);
    } catch (TftpParseException expected) {
      return;
    }
    byte[] again = TftpCodec.encode(p);
    if (canonical(data) && !Arrays.equals(again, data)) {
      throw new AssertionError(
          "canonical " + hex(data) + " re-encoded as " + hex(again) + " (" + p + ")");
    }
    TftpPacket p2;
    try {
      p2 = TftpCodec.decode(again);
    } catch (TftpParseException e) {
      throw new AssertionError("re-encoded " + p + " does not parse: " + e.getMessage(), e);
    }
    if (!p2.equals(p)) {
      throw new AssertionError("re-encoded " + p + " parses as " + p2);
    }
    byte[] third = TftpCodec.encode(p2);
    if (!Arrays.equals(third, again)) {
      throw new AssertionError(
          "encoding is not a fixed point: " + hex(again) + " then " + hex(third));
    }
  }

  /**
   * Whether the datagram is in the form our encoder writes, so it must re-encode to itself: DATA
   * always; ACK of exactly 4 bytes; ERROR whose message is strict UTF-8 without NUL, terminated by
   * the last byte; RRQ/WRQ/OACK whose fields are all strict UTF-8, each NUL-terminated, with a
   * lower-case mode, lower-case and distinct option names and whole name/value pairs.
   */
  static boolean canonical(byte[] d) {
    int op = ((d[0] & 0xff) << 8) | (d[1] & 0xff);
    switch (op) {
      case TftpPacket.DATA:
        return true;
      case TftpPacket.ACK:
        return d.length == 4;
      case TftpPacket.ERROR:
        {
          int z = indexOf0(d, 4);
          return z == d.length - 1 && utf8(d, 4, z);
        }
      case TftpPacket.RRQ, TftpPacket.WRQ, TftpPacket.OACK:
        {
          java.util.List<String> fields = new java.util.ArrayList<>();
          int start = 2;
          while (start < d.length) {
            int z = indexOf0(d, start);
            if (z < 0 || !utf8(d, start, z)) {
              return false;
            }
            fields.add(new String(d, start, z - start, StandardCharsets.UTF_8));
            start = z + 1;
          }
          int first = op == TftpPacket.OACK ? 0 : 2;
          if (op != TftpPacket.OACK
              && !fields.get(1).equals(fields.get(1).toLowerCase(Locale.ROOT))) {
            return false;
          }
          if ((fields.size() - first) % 2 != 0) {
            return false;
          }
          Set<String> names = new HashSet<>();
          for (int i = first; i < fields.size(); i += 2) {
            String name = fields.get(i);
            if (!name.equals(name.toLowerCase(Locale.ROOT)) || !names.add(name)) {
              return false;
            }
          }
          return true;
        }
      default:
        return false;
    }
  }

  private static int indexOf0(byte[] d, int from) {
    for (int i = from; i < d.length; i++) {
      if (d[i] == 0) {
        return i;
      }
    }
    return -1;
  }

  private static boolean utf8(byte[] d, int from, int to) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(d, from, to - from));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b, 0, Math.min(b.length, 200)) + (b.length > 200 ? "..." : "");
  }
}
