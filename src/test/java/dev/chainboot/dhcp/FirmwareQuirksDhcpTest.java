package dev.chainboot.dhcp;

import static dev.chainboot.dhcp.DhcpCodecTest.golden;
import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.boot.BootAnswer;
import dev.chainboot.boot.BootRequest;
import dev.chainboot.boot.BootResolver;
import dev.chainboot.boot.FirmwareSettings;
import dev.chainboot.firmware.BootBinary;
import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The firmware quirks of issue 13 that the proxyDHCP answer handles, each by default and with the
 * per-group setting (a stand-in boot core hands out the machine's {@link FirmwareSettings}, as
 * {@code BootCore.firmwareFor} does from its groups): arch codes 7 and 9, {@code efi-binary}, the
 * PXEClient answer on port 4011, {@code dhcp-timeout}, and HTTPS for a BIOS iPXE ROM.
 */
class FirmwareQuirksDhcpTest {

  static final Inet4Address SERVER = (Inet4Address) ProxyDhcpAnswererTest.addr("10.77.0.1");
  static final byte[] CA = new byte[32];

  /** A boot core that has a boot for every machine, with these firmware settings. */
  static final class Settings implements BootResolver {
    final FirmwareSettings fw;
    final List<BootRequest> asked = new java.util.ArrayList<>();

    Settings(String text) {
      this.fw = text.isEmpty() ? FirmwareSettings.NONE : FirmwareSettings.parse(text);
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
      return true;
    }

    @Override
    public Optional<FirmwareSettings> firmwareFor(BootRequest request) {
      asked.add(request);
      return Optional.of(fw);
    }
  }

  static ProxyDhcpAnswerer answerer(
      BootBinary efi, String group, boolean https, Predicate<BootBinary> available) {
    return new ProxyDhcpAnswerer(
        new BootFileChooser(efi, available, https),
        new Settings(group),
        https ? List.of(CA) : List.of());
  }

  static ProxyDhcpAnswerer answerer(BootBinary efi, String group) {
    return answerer(efi, group, false, b -> true);
  }

  static DhcpMessage offer(ProxyDhcpAnswerer a, DhcpMessage request) {
    return a.answer(request, 67, DhcpMessage.ZERO, SERVER, "10.77.0.1", 8080).reply().orElseThrow();
  }

  /** A firmware PXE DISCOVER with this option 93 code. */
  static DhcpMessage pxeDiscover(int arch) {
    return DhcpCodecTest.request(
        DhcpOptions.builder()
            .putByte(DhcpOptions.MESSAGE_TYPE, DhcpMessage.DISCOVER)
            .put(DhcpOptions.VENDOR_CLASS, String.format("PXEClient:Arch:%05d:UNDI:003016", arch))
            .putU16(DhcpOptions.CLIENT_ARCH, arch)
            .build());
  }

  /** {@code m} with option {@code code} replaced (or added). */
  static DhcpMessage with(DhcpMessage m, int code, byte[] value) {
    DhcpOptions.Builder o = DhcpOptions.builder();
    for (int c : m.options().codes()) {
      if (c != code) {
        o.put(c, m.options().get(c).orElseThrow());
      }
    }
    o.put(code, value);
    return new DhcpMessage(
        m.op(),
        m.htype(),
        m.hlen(),
        m.hops(),
        m.xid(),
        m.secs(),
        m.flags(),
        m.ciaddr(),
        m.yiaddr(),
        m.siaddr(),
        m.giaddr(),
        m.chaddr(),
        m.sname(),
        m.file(),
        o.build());
  }

  // ------------------------------------------------------------------ arch codes 7 and 9

  @Test
  void archCodes7And9AreBothX86_64UefiAndGetTheSameBinary() {
    // xcat #7645: 9 ("EFI BC") treated as anything else than x86_64 makes machines loop
    for (int arch : new int[] {7, 9}) {
      assertThat(offer(answerer(BootBinary.SNPONLY_X86_64_EFI, ""), pxeDiscover(arch)).file())
          .as("arch %d, default", arch)
          .isEqualTo("snponly.efi");
      assertThat(
              offer(
                      answerer(BootBinary.SNPONLY_X86_64_EFI, "efi-binary=ipxe.efi"),
                      pxeDiscover(arch))
                  .file())
          .as("arch %d, group efi-binary=ipxe.efi", arch)
          .isEqualTo("ipxe-amd64.efi");
    }
    // and the core is asked about an x86_64 EFI machine for both
    Settings core = new Settings("");
    var a =
        new ProxyDhcpAnswerer(new BootFileChooser(BootBinary.SNPONLY_X86_64_EFI, b -> true), core);
    a.answer(pxeDiscover(9), 67, DhcpMessage.ZERO, SERVER, "h", 1);
    assertThat(core.asked.getLast().arch()).contains(dev.chainboot.boot.Arch.X86_64);
    assertThat(core.asked.getLast().platform()).contains(dev.chainboot.boot.Platform.EFI);
  }

  // ------------------------------------------------------------------ efi-binary

  @Test
  void efiBinaryIsServeDefaultUnlessTheGroupSaysOtherwise() {
    DhcpMessage efi = pxeDiscover(7);
    // default: serve --efi-binary (snponly.efi unless told otherwise)
    assertThat(offer(answerer(BootBinary.SNPONLY_X86_64_EFI, ""), efi).file())
        .isEqualTo("snponly.efi");
    assertThat(offer(answerer(BootBinary.IPXE_X86_64_EFI, ""), efi).file())
        .isEqualTo("ipxe-amd64.efi");
    // the group wins either way (warewulf #681: ipxe.efi's drivers fail on some NICs)
    assertThat(offer(answerer(BootBinary.SNPONLY_X86_64_EFI, "efi-binary=ipxe.efi"), efi).file())
        .isEqualTo("ipxe-amd64.efi");
    assertThat(offer(answerer(BootBinary.IPXE_X86_64_EFI, "efi-binary=snponly.efi"), efi).file())
        .isEqualTo("snponly.efi");
    // BIOS is not affected
    assertThat(
            offer(answerer(BootBinary.SNPONLY_X86_64_EFI, "efi-binary=ipxe.efi"), pxeDiscover(0))
                .file())
        .isEqualTo("undionly.kpxe");
  }

  // ------------------------------------------------------------------ option 60 and port 4011

  /** EDK2's REQUEST to port 4011 after an offer with PXEClient (FOG #188). */
  static DhcpMessage request4011(int arch, Inet4Address client) {
    DhcpMessage d = pxeDiscover(arch);
    DhcpMessage r = with(d, DhcpOptions.MESSAGE_TYPE, new byte[] {(byte) DhcpMessage.REQUEST});
    return new DhcpMessage(
        r.op(),
        r.htype(),
        r.hlen(),
        0,
        r.xid(),
        0,
        0,
        client,
        DhcpMessage.ZERO,
        DhcpMessage.ZERO,
        DhcpMessage.ZERO,
        r.chaddr(),
        "",
        "",
        r.options());
  }

  @Test
  void anOfferSaysPxeClientSoEdk2AsksOnPort4011AndGetsTheSameFileThere() {
    Inet4Address client = (Inet4Address) ProxyDhcpAnswererTest.addr("10.77.0.50");
    for (String group : List.of("", "efi-binary=ipxe.efi")) {
      ProxyDhcpAnswerer a = answerer(BootBinary.SNPONLY_X86_64_EFI, group);
      DhcpMessage offer = offer(a, pxeDiscover(7));
      assertThat(offer.options().string(DhcpOptions.VENDOR_CLASS)).contains("PXEClient");
      var ack = a.answer(request4011(7, client), 4011, client, SERVER, "10.77.0.1", 8080);
      DhcpMessage r = ack.reply().orElseThrow(() -> new AssertionError(ack.log()));
      assertThat(r.messageType()).as(group).contains(DhcpMessage.ACK);
      assertThat(r.options().string(DhcpOptions.VENDOR_CLASS)).contains("PXEClient");
      assertThat(r.file()).as(group).isEqualTo(offer.file());
      assertThat(r.siaddr()).isEqualTo(SERVER);
      assertThat(ack.log()).contains("(port 4011)");
    }
  }

  // ------------------------------------------------------------------ dhcp-timeout

  static Optional<String> scriptlet(DhcpMessage reply) {
    return reply
        .options()
        .encapsulated(DhcpOptions.IPXE_ENCAPSULATED)
        .flatMap(e -> e.get(ProxyDhcpAnswerer.IPXE_SCRIPTLET))
        .map(v -> new String(v, StandardCharsets.US_ASCII));
  }

  @Test
  void dhcpTimeoutIsIpxesOwnByDefaultAndTheGroupsWhenSet() throws Exception {
    DhcpMessage bios = DhcpCodec.parse(golden("udhcpc-bios-discover"));
    // default: no scriptlet, iPXE runs its own autoboot with its own DHCP timeouts
    assertThat(scriptlet(offer(answerer(BootBinary.SNPONLY_X86_64_EFI, ""), bios))).isEmpty();
    // group dhcp-timeout=90 (a port with spanning tree): the firmware's iPXE waits for the link
    // and for DHCP that long, then chains to chainboot
    var a = answerer(BootBinary.SNPONLY_X86_64_EFI, "dhcp-timeout=90");
    var answer = a.answer(bios, 67, DhcpMessage.ZERO, SERVER, "10.77.0.1", 8080);
    assertThat(scriptlet(answer.reply().orElseThrow()))
        .contains(
            "iflinkwait --timeout 90000 ; dhcp --timeout 90000 && chain --autofree"
                + " http://10.77.0.1:8080/boot.ipxe?via=scriptlet || exit 1");
    assertThat(answer.log()).contains("dhcp-timeout=90");
    assertThat(scriptlet(offer(a, pxeDiscover(7)))).isPresent();
    // iPXE itself is already past DHCP: it gets the script, no scriptlet
    assertThat(scriptlet(offer(a, DhcpCodec.parse(golden("udhcpc-ipxe-discover"))))).isEmpty();
  }

  // ------------------------------------------------------------------ HTTPS for a BIOS iPXE ROM

  @Test
  void withHttpsABiosIpxeRomWithoutHttpsLoadsUndionlyAndTheCaFingerprint() throws Exception {
    DhcpMessage rom = DhcpCodec.parse(golden("seabios-ipxe-rom-discover"));
    assertThat(PxeClient.of(rom).ipxe()).isTrue();
    assertThat(PxeClient.of(rom).ipxeHttps()).isFalse(); // QEMU's 2019 ROM: no HTTPS
    // default with serve --https: chainboot's undionly.kpxe (Debian's, with HTTPS) over TFTP, and
    // the CA fingerprint that iPXE takes from the ROM's answer (PXENV_GET_CACHED_INFO)
    DhcpMessage r = offer(answerer(BootBinary.SNPONLY_X86_64_EFI, "", true, b -> true), rom);
    assertThat(r.file()).isEqualTo("undionly.kpxe");
    assertThat(r.siaddr()).isEqualTo(SERVER);
    assertThat(
            r.options()
                .encapsulated(DhcpOptions.IPXE_ENCAPSULATED)
                .flatMap(e -> e.get(ProxyDhcpAnswerer.IPXE_TRUST)))
        .hasValueSatisfying(v -> assertThat(v).isEqualTo(CA));
    // the group says https=off: the ROM stays on plain HTTP
    assertThat(
            offer(answerer(BootBinary.SNPONLY_X86_64_EFI, "https=off", true, b -> true), rom)
                .file())
        .isEqualTo("http://10.77.0.1:8080/boot.ipxe");
    // without HTTPS, or without an undionly.kpxe to serve, likewise
    assertThat(offer(answerer(BootBinary.SNPONLY_X86_64_EFI, "", false, b -> true), rom).file())
        .isEqualTo("http://10.77.0.1:8080/boot.ipxe");
    assertThat(
            offer(
                    answerer(
                        BootBinary.SNPONLY_X86_64_EFI,
                        "",
                        true,
                        b -> b != BootBinary.UNDIONLY_KPXE),
                    rom)
                .file())
        .isEqualTo("http://10.77.0.1:8080/boot.ipxe");
    // the undionly.kpxe it loads says HTTPS in its own DISCOVER: the HTTPS entry, no loop
    DhcpOptions.Builder features = DhcpOptions.builder();
    rom.options()
        .encapsulated(DhcpOptions.IPXE_ENCAPSULATED)
        .orElseThrow()
        .codes()
        .forEach(c -> features.put(c, rom.options().encapsulated(175).orElseThrow().get(c).get()));
    features.putByte(PxeClient.IPXE_FEATURE_HTTPS, 1);
    DhcpMessage undionly =
        with(rom, DhcpOptions.IPXE_ENCAPSULATED, features.build().encodeEncapsulated());
    assertThat(PxeClient.of(undionly).ipxeHttps()).isTrue();
    assertThat(offer(answerer(BootBinary.SNPONLY_X86_64_EFI, "", true, b -> true), undionly).file())
        .isEqualTo("http://10.77.0.1:8080/boot-https.ipxe");
  }
}
