package dev.chainboot.tftp;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Jazzer: the TFTP packet parser throws nothing but {@link TftpParseException} on any datagram,
 * and whatever it accepts can be encoded again and parses back. Plain {@code mvn verify} replays
 * the seed corpus in src/test/resources/dev/chainboot/tftp/TftpParserFuzzTestInputs/decode;
 * {@code JAZZER_FUZZ=1} fuzzes for the bounded time.
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
    try {
      TftpCodec.decode(again);
    } catch (TftpParseException e) {
      throw new AssertionError("re-encoded " + p + " does not parse: " + e.getMessage(), e);
    }
  }
}
