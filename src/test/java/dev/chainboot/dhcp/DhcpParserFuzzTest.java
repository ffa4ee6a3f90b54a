package dev.chainboot.dhcp;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetAddress;

/**
 * Jazzer: the DHCP parser and what is derived from a parsed message never throw anything but {@link
 * MalformedPacketException}; a parsed message survives our encoder: it parses back to an equal
 * message, and that encoding is a fixed point byte for byte ({@code encode(parse(encode(m))) ==
 * encode(m)}). The input itself is not expected to come back byte for byte: by design the encoder
 * writes its own canonical form (options in its order, long options split and overloaded fields
 * folded into the options area, one END, zero padding to 300 bytes). Plain {@code mvn verify}
 * replays src/test/resources/dev/chainboot/dhcp/DhcpParserFuzzTestInputs/parse (regression mode);
 * {@code JAZZER_FUZZ=1} fuzzes for the bounded time and writes any failing input into that
 * directory (scripts/test).
 */
class DhcpParserFuzzTest {

  @FuzzTest(maxDuration = "30s")
  void parse(byte[] data) throws Exception {
    DhcpMessage m;
    try {
      m = DhcpCodec.parse(data);
    } catch (MalformedPacketException expected) {
      return;
    }
    PxeClient c = PxeClient.of(m);
    c.toBootRequest(InetAddress.getLoopbackAddress());
    m.options().encapsulated(DhcpOptions.VENDOR_SPECIFIC);
    m.options().encapsulated(DhcpOptions.IPXE_ENCAPSULATED);
    byte[] encoded = DhcpCodec.encode(m);
    DhcpMessage again = DhcpCodec.parse(encoded);
    if (!again.equals(m)) {
      throw new AssertionError("round trip changed " + m + " into " + again);
    }
    byte[] twice = DhcpCodec.encode(again);
    if (!java.util.Arrays.equals(twice, encoded)) {
      throw new AssertionError(
          "encoding is not a fixed point for "
              + m
              + ": "
              + java.util.HexFormat.of().formatHex(encoded)
              + " then "
              + java.util.HexFormat.of().formatHex(twice));
    }
  }
}
