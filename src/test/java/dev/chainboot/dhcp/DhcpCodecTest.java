package dev.chainboot.dhcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chainboot.boot.Arch;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The DHCP codec against packets captured from real clients (see resources/dhcp/capture.sh). */
class DhcpCodecTest {

  static byte[] golden(String name) throws IOException {
    try (InputStream in = DhcpCodecTest.class.getResourceAsStream("/dhcp/" + name + ".bin")) {
      assertThat(in).as(name).isNotNull();
      return in.readAllBytes();
    }
  }

  static final MacAddress MAC = MacAddress.parse("52:54:00:12:34:56").orElseThrow();

  @Test
  void udhcpcBiosDiscover() throws Exception {
    DhcpMessage m = DhcpCodec.parse(golden("udhcpc-bios-discover"));
    assertThat(m.op()).isEqualTo(DhcpMessage.BOOTREQUEST);
    assertThat(m.messageType()).contains(DhcpMessage.DISCOVER);
    assertThat(m.mac()).contains(MAC);
    assertThat(m.ciaddr()).isEqualTo(DhcpMessage.ZERO);
    PxeClient c = PxeClient.of(m);
    assertThat(c.pxe()).isTrue();
    assertThat(c.httpClient()).isFalse();
    assertThat(c.vendorClass()).isEqualTo("PXEClient:Arch:00000:UNDI:002001");
    assertThat(c.clientArch()).contains(ClientArch.BIOS);
    assertThat(c.ipxe()).isFalse();
    assertThat(m.options().get(DhcpOptions.CLIENT_NDI))
        .hasValueSatisfying(v -> assertThat(v).containsExactly(1, 2, 1));
  }

  @Test
  void udhcpcEfi64DiscoverWithUuid() throws Exception {
    DhcpMessage m = DhcpCodec.parse(golden("udhcpc-efi64-discover"));
    PxeClient c = PxeClient.of(m);
    assertThat(c.clientArch()).contains(ClientArch.EFI_X86_64);
    assertThat(c.uuid()).contains("03020100-0504-0706-0809-0a0b0c0d0e0f"); // SMBIOS byte order
    var req = c.toBootRequest(InetAddress.getByName("0.0.0.0"));
    assertThat(req.arch()).contains(Arch.X86_64);
    assertThat(req.platform()).contains(Platform.EFI);
    assertThat(req.mac()).contains(MAC);
  }

  @Test
  void udhcpcIpxeUserClassAndEncapsulated175() throws Exception {
    DhcpMessage m = DhcpCodec.parse(golden("udhcpc-ipxe-discover"));
    PxeClient c = PxeClient.of(m);
    assertThat(c.userClasses()).containsExactly("iPXE");
    assertThat(c.ipxe()).isTrue();
    DhcpOptions ipxe = m.options().encapsulated(DhcpOptions.IPXE_ENCAPSULATED).orElseThrow();
    assertThat(ipxe.u8(0xb1)).contains(1); // iPXE: PXE extensions
    assertThat(ipxe.u8(0xeb)).contains(1); // iPXE: HTTP
  }

  @Test
  void rfc3004UserClassesAreSplit() throws Exception {
    PxeClient c = PxeClient.of(DhcpCodec.parse(golden("udhcpc-rfc3004-userclass-discover")));
    assertThat(c.userClasses()).containsExactly("iPXE", "test");
    assertThat(c.ipxe()).isTrue();
  }

  @Test
  void plainClientIsNotPxe() throws Exception {
    PxeClient c = PxeClient.of(DhcpCodec.parse(golden("udhcpc-plain-discover")));
    assertThat(c.pxe()).isFalse();
    assertThat(c.httpClient()).isFalse();
    assertThat(c.archCode()).isEmpty();
  }

  @Test
  void httpBootAndArm64() throws Exception {
    PxeClient http = PxeClient.of(DhcpCodec.parse(golden("udhcpc-http-discover")));
    assertThat(http.httpClient()).isTrue();
    assertThat(http.clientArch()).contains(ClientArch.EFI_X86_64_HTTP);
    assertThat(http.clientArch().orElseThrow().http()).isTrue();
    PxeClient arm = PxeClient.of(DhcpCodec.parse(golden("udhcpc-arm64-discover")));
    assertThat(arm.clientArch()).contains(ClientArch.EFI_ARM64);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "udhcpc-bios-discover",
        "udhcpc-efi64-discover",
        "udhcpc-ipxe-discover",
        "udhcpc-plain-discover",
        "udhcpc-http-discover",
        "udhcpc-arm64-discover",
        "udhcpc-rfc3004-userclass-discover",
        "seabios-ipxe-rom-discover",
        "ovmf-pxe-discover"
      })
  void roundTripsCapturedPackets(String name) throws Exception {
    byte[] wire = golden(name);
    DhcpMessage m = DhcpCodec.parse(wire);
    byte[] again = DhcpCodec.encode(m);
    assertThat(DhcpCodec.parse(again)).isEqualTo(m);
    // udhcpc writes options in one run with an end option: the re-encoding is byte-identical
    // up to the end option.
    int end = lastEnd(wire);
    assertThat(Arrays.copyOf(again, end + 1)).isEqualTo(Arrays.copyOf(wire, end + 1));
  }

  private static int lastEnd(byte[] b) {
    int i = DhcpCodec.HEADER_LENGTH + 4;
    while ((b[i] & 0xff) != 255) {
      i += (b[i] == 0) ? 1 : 2 + (b[i + 1] & 0xff);
    }
    return i;
  }

  /**
   * QEMU's e1000 iPXE ROM under SeaBIOS (-smbios type=1,uuid=11223344-5566-7788-99aa-bbccddeeff00).
   */
  @Test
  void seabiosIpxeRomDiscover() throws Exception {
    DhcpMessage m = DhcpCodec.parse(golden("seabios-ipxe-rom-discover"));
    assertThat(m.messageType()).contains(DhcpMessage.DISCOVER);
    assertThat(m.mac()).contains(MAC);
    assertThat(m.options().u16List(DhcpOptions.MAX_MESSAGE_SIZE)).containsExactly(1472);
    PxeClient c = PxeClient.of(m);
    assertThat(c.vendorClass()).isEqualTo("PXEClient:Arch:00000:UNDI:002001");
    assertThat(c.clientArch()).contains(ClientArch.BIOS);
    assertThat(c.userClasses()).containsExactly("iPXE");
    assertThat(c.ipxe()).isTrue();
    assertThat(c.uuid()).contains("11223344-5566-7788-99aa-bbccddeeff00");
    DhcpOptions ipxe = m.options().encapsulated(DhcpOptions.IPXE_ENCAPSULATED).orElseThrow();
    assertThat(ipxe.has(0xb1)).isTrue(); // bus id
    assertThat(ipxe.u8(0x13)).contains(1); // HTTP
    assertThat(m.options().get(DhcpOptions.CLIENT_NDI))
        .hasValueSatisfying(v -> assertThat(v).containsExactly(1, 2, 1));
  }

  /** OVMF's own PXE (virtio-net, no NIC ROM), same SMBIOS UUID. */
  @Test
  void ovmfPxeDiscover() throws Exception {
    DhcpMessage m = DhcpCodec.parse(golden("ovmf-pxe-discover"));
    assertThat(m.messageType()).contains(DhcpMessage.DISCOVER);
    assertThat(m.broadcastFlag()).isTrue();
    assertThat(m.mac()).contains(MAC);
    PxeClient c = PxeClient.of(m);
    assertThat(c.vendorClass()).isEqualTo("PXEClient:Arch:00007:UNDI:003000");
    assertThat(c.clientArch()).contains(ClientArch.EFI_X86_64);
    assertThat(c.ipxe()).isFalse();
    assertThat(c.userClasses()).isEmpty();
    assertThat(c.uuid()).contains("11223344-5566-7788-99aa-bbccddeeff00");
    assertThat(m.options().get(DhcpOptions.CLIENT_NDI))
        .hasValueSatisfying(v -> assertThat(v).containsExactly(1, 3, 0));
    assertThat(m.options().get(DhcpOptions.PARAMETER_REQUEST_LIST))
        .hasValueSatisfying(
            v ->
                assertThat(v)
                    .contains(
                        DhcpOptions.VENDOR_SPECIFIC,
                        DhcpOptions.VENDOR_CLASS,
                        DhcpOptions.CLIENT_UUID));
  }

  @Test
  void vendorClassArchUsedWhenOption93Missing() throws Exception {
    DhcpMessage m =
        request(
            DhcpOptions.builder()
                .putByte(DhcpOptions.MESSAGE_TYPE, DhcpMessage.DISCOVER)
                .put(DhcpOptions.VENDOR_CLASS, "PXEClient:Arch:00011:UNDI:003000")
                .build());
    assertThat(PxeClient.of(DhcpCodec.parse(DhcpCodec.encode(m))).clientArch())
        .contains(ClientArch.EFI_ARM64);
  }

  @Test
  void repeatedOptionsConcatenateAndLongValuesSplit() throws Exception {
    byte[] big = new byte[600];
    Arrays.fill(big, (byte) 'x');
    DhcpMessage m = request(DhcpOptions.builder().put(DhcpOptions.VENDOR_CLASS, big).build());
    byte[] wire = DhcpCodec.encode(m);
    assertThat(wire.length).isEqualTo(240 + 3 * 2 + 600 + 1);
    assertThat(DhcpCodec.parse(wire).options().get(DhcpOptions.VENDOR_CLASS))
        .hasValueSatisfying(v -> assertThat(v).isEqualTo(big));
  }

  @Test
  void optionOverloadReadsFileAndSnameFields() throws Exception {
    byte[] wire =
        DhcpCodec.encode(
            request(
                DhcpOptions.builder()
                    .putByte(DhcpOptions.MESSAGE_TYPE, DhcpMessage.DISCOVER)
                    .putByte(DhcpOptions.OVERLOAD, 3)
                    .build()));
    // file field (offset 108): option 60 "PXEClient", end
    byte[] vc =
        "\u003c\u0009PXEClient\u00ff".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    System.arraycopy(vc, 0, wire, 108, vc.length);
    // sname field (offset 44): option 93 = 7
    System.arraycopy(new byte[] {93, 2, 0, 7, (byte) 255}, 0, wire, 44, 5);
    DhcpMessage m = DhcpCodec.parse(wire);
    assertThat(m.file()).isEmpty();
    assertThat(m.sname()).isEmpty();
    PxeClient c = PxeClient.of(m);
    assertThat(c.pxe()).isTrue();
    assertThat(c.clientArch()).contains(ClientArch.EFI_X86_64);
  }

  @Test
  void encodesReplyFieldsAtTheirOffsets() throws Exception {
    DhcpMessage reply =
        new DhcpMessage(
            DhcpMessage.BOOTREPLY,
            1,
            6,
            0,
            0x11223344,
            0,
            0x8000,
            DhcpMessage.ZERO,
            DhcpMessage.ZERO,
            (java.net.Inet4Address) InetAddress.getByName("10.0.0.1"),
            DhcpMessage.ZERO,
            Arrays.copyOf(MAC.bytes(), 16),
            "10.0.0.1",
            "undionly.kpxe",
            DhcpOptions.builder().putByte(DhcpOptions.MESSAGE_TYPE, DhcpMessage.OFFER).build());
    byte[] w = DhcpCodec.encode(reply);
    assertThat(w).hasSize(DhcpCodec.MIN_ENCODED_LENGTH);
    assertThat(HexFormat.of().formatHex(w, 0, 12)).isEqualTo("020106001122334400008000");
    assertThat(Arrays.copyOfRange(w, 20, 24)).containsExactly(10, 0, 0, 1);
    assertThat(new String(w, 108, 13, java.nio.charset.StandardCharsets.US_ASCII))
        .isEqualTo("undionly.kpxe");
    assertThat(w[121]).isZero();
    assertThat(HexFormat.of().formatHex(w, 236, 244)).isEqualTo("63825363350102ff");
    assertThat(DhcpCodec.parse(w)).isEqualTo(reply);
  }

  // --- hostile input: every case is a MalformedPacketException, nothing else ---

  @Test
  void rejectsTruncatedPackets() throws Exception {
    byte[] wire = golden("udhcpc-bios-discover");
    for (int n : new int[] {0, 1, 100, 235, 236, 239}) {
      assertThatThrownBy(() -> DhcpCodec.parse(Arrays.copyOf(wire, n)))
          .isInstanceOf(MalformedPacketException.class);
    }
    // cut inside the options: the option whose value runs past the end is reported
    assertThatThrownBy(() -> DhcpCodec.parse(Arrays.copyOf(wire, 260)))
        .isInstanceOf(MalformedPacketException.class)
        .hasMessageContaining("claims");
    assertThatThrownBy(() -> DhcpCodec.parse(null)).isInstanceOf(MalformedPacketException.class);
    assertThatThrownBy(() -> DhcpCodec.parse(wire, 10, wire.length))
        .isInstanceOf(MalformedPacketException.class);
  }

  @Test
  void rejectsBadHeaderValues() throws Exception {
    byte[] wire = golden("udhcpc-bios-discover");
    byte[] badOp = wire.clone();
    badOp[0] = 9;
    assertThatThrownBy(() -> DhcpCodec.parse(badOp)).hasMessageContaining("op 9");
    byte[] badHlen = wire.clone();
    badHlen[2] = (byte) 200;
    assertThatThrownBy(() -> DhcpCodec.parse(badHlen))
        .hasMessageContaining("hardware address length");
    byte[] noCookie = wire.clone();
    noCookie[236] = 0;
    assertThatThrownBy(() -> DhcpCodec.parse(noCookie)).hasMessageContaining("cookie");
    byte[] badOverload =
        DhcpCodec.encode(request(DhcpOptions.builder().putByte(DhcpOptions.OVERLOAD, 9).build()));
    assertThatThrownBy(() -> DhcpCodec.parse(badOverload)).hasMessageContaining("overload");
    byte[] huge = Arrays.copyOf(wire, DhcpCodec.MAX_LENGTH + 1);
    assertThatThrownBy(() -> DhcpCodec.parse(huge)).hasMessageContaining("larger");
  }

  @Test
  void rejectsOptionLengthPastTheEnd() throws Exception {
    byte[] wire = Arrays.copyOf(golden("udhcpc-bios-discover"), 244);
    wire[240] = 60;
    wire[241] = (byte) 255; // claims 255 bytes, 2 left
    wire[242] = 'P';
    wire[243] = 'X';
    assertThatThrownBy(() -> DhcpCodec.parse(wire)).isInstanceOf(MalformedPacketException.class);
    byte[] noLen = Arrays.copyOf(wire, 241);
    assertThatThrownBy(() -> DhcpCodec.parse(noLen)).hasMessageContaining("no length byte");
  }

  @Test
  void malformedEncapsulationAndOddArchListAreIgnoredNotFatal() throws Exception {
    DhcpMessage m =
        DhcpCodec.parse(
            DhcpCodec.encode(
                request(
                    DhcpOptions.builder()
                        .put(DhcpOptions.VENDOR_SPECIFIC, new byte[] {6, 9, 1})
                        .put(DhcpOptions.CLIENT_ARCH, new byte[] {0, 7, 1})
                        .put(DhcpOptions.USER_CLASS, new byte[] {9, 'i'})
                        .build())));
    assertThat(m.options().encapsulated(DhcpOptions.VENDOR_SPECIFIC)).isEmpty();
    assertThat(m.options().u16List(DhcpOptions.CLIENT_ARCH)).isEmpty();
    assertThat(PxeClient.of(m).userClasses()).containsExactly("\ti");
  }

  @Test
  void encapsulatedRoundTrip() throws Exception {
    DhcpOptions pxe = DhcpOptions.builder().putByte(DhcpOptions.PXE_DISCOVERY_CONTROL, 8).build();
    DhcpOptions outer = DhcpOptions.builder().put(DhcpOptions.VENDOR_SPECIFIC, pxe).build();
    assertThat(outer.get(DhcpOptions.VENDOR_SPECIFIC))
        .hasValueSatisfying(v -> assertThat(v).containsExactly(6, 1, 8, 255));
    assertThat(outer.encapsulated(DhcpOptions.VENDOR_SPECIFIC)).contains(pxe);
    assertThat(List.of(1)).hasSize(1);
  }

  static DhcpMessage request(DhcpOptions options) {
    return new DhcpMessage(
        DhcpMessage.BOOTREQUEST,
        1,
        6,
        0,
        42,
        0,
        0,
        DhcpMessage.ZERO,
        DhcpMessage.ZERO,
        DhcpMessage.ZERO,
        DhcpMessage.ZERO,
        Arrays.copyOf(MAC.bytes(), 16),
        "",
        "",
        options);
  }

  static Optional<Integer> none() {
    return Optional.empty();
  }
}
