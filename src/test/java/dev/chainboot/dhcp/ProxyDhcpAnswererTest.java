package dev.chainboot.dhcp;

import static dev.chainboot.dhcp.DhcpCodecTest.golden;
import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.boot.BootAnswer;
import dev.chainboot.boot.BootRequest;
import dev.chainboot.boot.BootResolver;
import dev.chainboot.firmware.BootBinary;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** proxyDHCP decisions on packets captured from udhcpc, with a stand-in boot core. */
class ProxyDhcpAnswererTest {

  static final Inet4Address SERVER = (Inet4Address) addr("10.77.0.1");

  /** A boot core that knows only the machines it is told about, and records what it was asked. */
  static final class TestResolver implements BootResolver {
    final List<BootRequest> asked = new ArrayList<>();
    final boolean answer;

    TestResolver(boolean answer) {
      this.answer = answer;
    }

    @Override
    public BootAnswer resolve(BootRequest request, String baseUrl) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Optional<BootAnswer> resolveProfile(
        BootRequest request, String profile, String baseUrl) {
      throw new UnsupportedOperationException();
    }

    @Override
    public boolean hasBootFor(BootRequest request) {
      asked.add(request);
      return answer;
    }
  }

  final TestResolver yes = new TestResolver(true);

  ProxyDhcpAnswerer answerer(BootBinary efi, BootResolver resolver) {
    return new ProxyDhcpAnswerer(new BootFileChooser(efi, b -> true), resolver);
  }

  ProxyDhcpAnswerer.Answer answer(String golden) throws Exception {
    return answerer(BootBinary.SNPONLY_X86_64_EFI, yes)
        .answer(DhcpCodec.parse(golden(golden)), 67, DhcpMessage.ZERO, SERVER, "10.77.0.1", 8080);
  }

  @Test
  void biosClientGetsUndionlyFromThisServerAndNoAddress() throws Exception {
    var a = answer("udhcpc-bios-discover");
    DhcpMessage r = a.reply().orElseThrow();
    DhcpMessage req = DhcpCodec.parse(golden("udhcpc-bios-discover"));
    assertThat(r.op()).isEqualTo(DhcpMessage.BOOTREPLY);
    assertThat(r.xid()).isEqualTo(req.xid());
    assertThat(r.chaddr()).isEqualTo(req.chaddr());
    assertThat(r.messageType()).contains(DhcpMessage.OFFER);
    assertThat(r.yiaddr()).isEqualTo(DhcpMessage.ZERO);
    assertThat(r.options().has(DhcpOptions.LEASE_TIME)).isFalse();
    assertThat(r.siaddr()).isEqualTo(SERVER);
    assertThat(r.options().ipv4(DhcpOptions.SERVER_ID)).contains(SERVER);
    assertThat(r.file()).isEqualTo("undionly.kpxe");
    assertThat(r.options().string(DhcpOptions.VENDOR_CLASS)).contains("PXEClient");
    assertThat(
            r.options()
                .encapsulated(DhcpOptions.VENDOR_SPECIFIC)
                .orElseThrow()
                .u8(DhcpOptions.PXE_DISCOVERY_CONTROL))
        .contains(8);
    assertThat(a.log()).contains("offer", "52:54:00:12:34:56", "arch=0", "undionly.kpxe");
    // the wire form parses back to the same reply
    assertThat(DhcpCodec.parse(DhcpCodec.encode(r))).isEqualTo(r);
    assertThat(yes.asked)
        .singleElement()
        .satisfies(
            b -> {
              assertThat(b.mac().orElseThrow().colon()).isEqualTo("52:54:00:12:34:56");
              assertThat(b.protocol()).isEqualTo(BootRequest.Protocol.DHCP);
            });
  }

  @Test
  void efi64ClientGetsTheConfiguredEfiBinaryAndItsUuidEchoed() throws Exception {
    DhcpMessage req = DhcpCodec.parse(golden("udhcpc-efi64-discover"));
    DhcpMessage snp = answer("udhcpc-efi64-discover").reply().orElseThrow();
    assertThat(snp.file()).isEqualTo("snponly.efi");
    assertThat(snp.options().get(DhcpOptions.CLIENT_UUID))
        .hasValueSatisfying(
            v -> assertThat(v).isEqualTo(req.options().get(DhcpOptions.CLIENT_UUID).orElseThrow()));
    DhcpMessage full =
        answerer(BootBinary.IPXE_X86_64_EFI, yes)
            .answer(req, 67, DhcpMessage.ZERO, SERVER, "10.77.0.1", 8080)
            .reply()
            .orElseThrow();
    assertThat(full.file()).isEqualTo("ipxe-amd64.efi");
  }

  @Test
  void capturedFirmwareGetsWhatItNeeds() throws Exception {
    assertThat(answer("ovmf-pxe-discover").reply().orElseThrow().file()).isEqualTo("snponly.efi");
    assertThat(answer("seabios-ipxe-rom-discover").reply().orElseThrow().file())
        .isEqualTo("http://10.77.0.1:8080/boot.ipxe");
    assertThat(yes.asked.getFirst().uuid()).contains("11223344-5566-7788-99aa-bbccddeeff00");
  }

  @Test
  void arm64GetsTheArm64Binary() throws Exception {
    assertThat(answer("udhcpc-arm64-discover").reply().orElseThrow().file())
        .isEqualTo("ipxe-arm64.efi");
  }

  @Test
  void ipxeGetsTheHttpBootScriptSoTheLoopEnds() throws Exception {
    DhcpMessage r = answer("udhcpc-ipxe-discover").reply().orElseThrow();
    assertThat(r.file()).isEqualTo("http://10.77.0.1:8080/boot.ipxe");
    assertThat(answer("udhcpc-rfc3004-userclass-discover").reply().orElseThrow().file())
        .isEqualTo("http://10.77.0.1:8080/boot.ipxe");
  }

  @Test
  void uefiHttpBootGetsAUrlAndHttpClient() throws Exception {
    DhcpMessage r = answer("udhcpc-http-discover").reply().orElseThrow();
    assertThat(r.file()).isEqualTo("http://10.77.0.1:8080/firmware/snponly.efi");
    assertThat(r.options().string(DhcpOptions.VENDOR_CLASS)).contains("HTTPClient");
    assertThat(r.options().has(DhcpOptions.VENDOR_SPECIFIC)).isFalse();
  }

  @Test
  void nonPxeClientsAreNotAnsweredNorLookedUp() throws Exception {
    var a = answer("udhcpc-plain-discover");
    assertThat(a.reply()).isEmpty();
    assertThat(a.log()).contains("not a PXE");
    assertThat(yes.asked).isEmpty();
  }

  @Test
  void machinesTheCoreIgnoresGetNoOffer() throws Exception {
    TestResolver no = new TestResolver(false);
    var a =
        answerer(BootBinary.SNPONLY_X86_64_EFI, no)
            .answer(
                DhcpCodec.parse(golden("udhcpc-bios-discover")),
                67,
                DhcpMessage.ZERO,
                SERVER,
                "10.77.0.1",
                8080);
    assertThat(a.reply()).isEmpty();
    assertThat(a.log()).contains("no answer", "52:54:00:12:34:56", "boot core has nothing");
    assertThat(no.asked).hasSize(1);
  }

  @Test
  void unknownArchitecturesAreSkippedNotGuessed() throws Exception {
    // i386 (6) and arm32 (10, 18 over HTTP) have binaries since issue 9 (snponly32.efi, ...)
    for (int[] c : new int[][] {{0x1234, 0}, {0x1235, 0}}) {
      DhcpMessage req =
          DhcpCodecTest.request(
              DhcpOptions.builder()
                  .putByte(DhcpOptions.MESSAGE_TYPE, DhcpMessage.DISCOVER)
                  .put(DhcpOptions.VENDOR_CLASS, c[0] == 18 ? "HTTPClient" : "PXEClient")
                  .putU16(DhcpOptions.CLIENT_ARCH, c[0])
                  .build());
      var a =
          answerer(BootBinary.SNPONLY_X86_64_EFI, yes)
              .answer(req, 67, DhcpMessage.ZERO, SERVER, "h", 1);
      assertThat(a.reply()).as("arch %d", c[0]).isEmpty();
      assertThat(a.log()).contains("unknown client architecture " + c[0]);
    }
  }

  @Test
  void missingBinaryIsSkipped() throws Exception {
    var a =
        new ProxyDhcpAnswerer(
                new BootFileChooser(
                    BootBinary.SNPONLY_X86_64_EFI, b -> b != BootBinary.UNDIONLY_KPXE),
                yes)
            .answer(
                DhcpCodec.parse(golden("udhcpc-bios-discover")),
                67,
                DhcpMessage.ZERO,
                SERVER,
                "h",
                1);
    assertThat(a.reply()).isEmpty();
    assertThat(a.log()).contains("undionly.kpxe is not available");
  }

  @Test
  void port4011RequestGetsAnAckWithBootItemEchoed() throws Exception {
    DhcpMessage disc = DhcpCodec.parse(golden("udhcpc-bios-discover"));
    DhcpOptions item = DhcpOptions.builder().put(71, new byte[] {(byte) 0x80, 0, 0, 0}).build();
    DhcpOptions.Builder o = DhcpOptions.builder();
    for (int code : disc.options().codes()) {
      o.put(code, disc.options().get(code).orElseThrow());
    }
    o.putByte(DhcpOptions.MESSAGE_TYPE, DhcpMessage.REQUEST).put(DhcpOptions.VENDOR_SPECIFIC, item);
    Inet4Address client = (Inet4Address) addr("10.77.0.50");
    DhcpMessage req =
        new DhcpMessage(
            1,
            1,
            6,
            0,
            7,
            0,
            0,
            client,
            DhcpMessage.ZERO,
            DhcpMessage.ZERO,
            DhcpMessage.ZERO,
            disc.chaddr(),
            "",
            "",
            o.build());
    var a =
        answerer(BootBinary.SNPONLY_X86_64_EFI, yes)
            .answer(req, 4011, client, SERVER, "10.77.0.1", 8080);
    DhcpMessage r = a.reply().orElseThrow();
    assertThat(r.messageType()).contains(DhcpMessage.ACK);
    assertThat(r.file()).isEqualTo("undionly.kpxe");
    assertThat(r.ciaddr()).isEqualTo(client);
    assertThat(r.yiaddr()).isEqualTo(DhcpMessage.ZERO);
    assertThat(r.options().encapsulated(DhcpOptions.VENDOR_SPECIFIC).orElseThrow().get(71))
        .hasValueSatisfying(v -> assertThat(v).containsExactly(0x80, 0, 0, 0));
    assertThat(yes.asked.getLast().clientIp()).isEqualTo(client);
    // a DISCOVER on 4011, or a REQUEST on 67 (to the LAN's DHCP server), is not ours to answer
    assertThat(
            answerer(BootBinary.SNPONLY_X86_64_EFI, yes)
                .answer(disc, 4011, client, SERVER, "h", 1)
                .reply())
        .isEmpty();
    assertThat(
            answerer(BootBinary.SNPONLY_X86_64_EFI, yes)
                .answer(req, 67, client, SERVER, "h", 1)
                .reply())
        .isEmpty();
  }

  @Test
  void withoutABootCoreEveryPxeClientIsAnswered() throws Exception {
    var a =
        new ProxyDhcpAnswerer(
                new BootFileChooser(BootBinary.SNPONLY_X86_64_EFI, b -> true), BootResolver.NONE)
            .answer(
                DhcpCodec.parse(golden("udhcpc-bios-discover")),
                67,
                DhcpMessage.ZERO,
                SERVER,
                "h",
                1);
    assertThat(a.reply()).isPresent();
  }

  static InetAddress addr(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
