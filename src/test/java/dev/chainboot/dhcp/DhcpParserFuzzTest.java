package dev.chainboot.dhcp;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetAddress;

/**
 * Jazzer: the DHCP parser and what is derived from a parsed message never throw anything but
 * {@link MalformedPacketException}. Plain {@code mvn verify} replays the seed corpus in
 * src/test/resources/dev/chainboot/dhcp/DhcpParserFuzzTestInputs/parse (regression mode);
 * {@code JAZZER_FUZZ=1} fuzzes for the bounded time.
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
    DhcpMessage again = DhcpCodec.parse(DhcpCodec.encode(m));
    if (!again.equals(m)) {
      throw new AssertionError("round trip changed " + m + " into " + again);
    }
  }
}
