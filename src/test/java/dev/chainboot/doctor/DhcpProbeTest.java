package dev.chainboot.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.boot.BootResolver;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.dhcp.BootFileChooser;
import dev.chainboot.dhcp.DhcpCodec;
import dev.chainboot.dhcp.DhcpMessage;
import dev.chainboot.dhcp.ProxyDhcpAnswerer;
import dev.chainboot.dhcp.PxeClient;
import dev.chainboot.firmware.BootBinary;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The requests the doctor sends, read by chainboot's own codec and answered by its own proxyDHCP
 * answerer (port 4011) as the firmware's would be; and a reply that does not parse.
 */
class DhcpProbeTest {

  static final MacAddress MAC = MacAddress.parse("02:cb:d0:c7:00:01").orElseThrow();
  static final byte[] UUID = new byte[16];

  static DhcpMessage wire(ClientType c, boolean asIpxe, boolean https) throws Exception {
    DhcpMessage m =
        DhcpProbe.request(c, asIpxe, https, MAC, UUID, DhcpMessage.REQUEST, DhcpMessage.ZERO, 42);
    return DhcpCodec.parse(DhcpCodec.encode(m));
  }

  @Test
  void eachClientIsReadAsItsFirmware() throws Exception {
    for (ClientType c : ClientType.values()) {
      PxeClient p = PxeClient.of(wire(c, false, false));
      assertThat(p.archCode()).as(c.id()).contains(c.arch());
      assertThat(p.ipxe()).as(c.id()).isEqualTo(c.ipxe());
      assertThat(p.httpClient()).as(c.id()).isEqualTo(c.http());
      assertThat(p.pxe()).as(c.id()).isEqualTo(!c.http());
      assertThat(p.mac()).contains(MAC);
    }
    PxeClient ipxe = PxeClient.of(wire(ClientType.UEFI_ARM64, true, true));
    assertThat(ipxe.ipxe()).isTrue();
    assertThat(ipxe.ipxeHttps()).isTrue();
    assertThat(PxeClient.of(wire(ClientType.IPXE, false, false)).ipxeHttps()).isFalse();
  }

  @Test
  void chainbootsAnswererGivesEachClientItsFile() throws Exception {
    ProxyDhcpAnswerer answerer =
        new ProxyDhcpAnswerer(
            new BootFileChooser(BootBinary.SNPONLY_X86_64_EFI, b -> true), BootResolver.NONE);
    Inet4Address server = (Inet4Address) InetAddress.getByName("10.0.0.5");
    record Want(ClientType c, boolean asIpxe, String file) {}
    for (Want w :
        List.of(
            new Want(ClientType.BIOS, false, "undionly.kpxe"),
            new Want(ClientType.UEFI_X64, false, "snponly.efi"),
            new Want(ClientType.UEFI_ARM64, false, "ipxe-arm64.efi"),
            new Want(ClientType.HTTP_X64, false, "http://10.0.0.5:8080/firmware/snponly.efi"),
            new Want(ClientType.HTTP_ARM64, false, "http://10.0.0.5:8080/firmware/ipxe-arm64.efi"),
            new Want(ClientType.IPXE, false, "http://10.0.0.5:8080/boot.ipxe"),
            new Want(ClientType.UEFI_ARM64, true, "http://10.0.0.5:8080/boot.ipxe"))) {
      ProxyDhcpAnswerer.Answer a =
          answerer.answer(
              wire(w.c(), w.asIpxe(), false),
              ProxyDhcpAnswerer.PXE_PORT,
              server,
              server,
              "10.0.0.5",
              8080);
      assertThat(a.reply()).as(a.log()).isPresent();
      DhcpMessage reply = DhcpCodec.parse(DhcpCodec.encode(a.reply().get()));
      assertThat(Doctor.bootFile(reply)).as(w.toString()).isEqualTo(w.file());
      assertThat(Doctor.trustOf(reply)).isEmpty();
    }
  }

  @Test
  void theTrustOptionIsRead() throws Exception {
    byte[] fp = new byte[32];
    fp[0] = 7;
    ProxyDhcpAnswerer answerer =
        new ProxyDhcpAnswerer(
            new BootFileChooser(BootBinary.SNPONLY_X86_64_EFI, b -> true),
            BootResolver.NONE,
            List.of(fp, fp));
    Inet4Address server = (Inet4Address) InetAddress.getByName("10.0.0.5");
    DhcpMessage reply =
        answerer
            .answer(wire(ClientType.BIOS, false, false), 4011, server, server, "10.0.0.5", 8080)
            .reply()
            .orElseThrow();
    assertThat(Doctor.trustOf(DhcpCodec.parse(DhcpCodec.encode(reply))))
        .hasSize(2)
        .allSatisfy(t -> assertThat(t).isEqualTo(fp));
  }

  @Test
  void aMalformedReplyIsAFindingNotACrash() throws Exception {
    InetSocketAddress at = new InetSocketAddress(InetAddress.getByName("127.0.0.77"), 4011);
    DatagramSocket fake;
    try {
      fake = new DatagramSocket(at);
    } catch (java.net.BindException e) {
      Assumptions.abort("127.0.0.77:4011 is taken: " + e.getMessage());
      return;
    }
    try (fake) {
      Thread t =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      byte[] buf = new byte[1500];
                      DatagramPacket p = new DatagramPacket(buf, buf.length);
                      fake.receive(p);
                      byte[] junk = {2, 1, 6, 0, 1, 2, 3};
                      fake.send(new DatagramPacket(junk, junk.length, p.getSocketAddress()));
                    } catch (java.io.IOException e) {
                      // the probe then reports no answer, which fails the assertion below
                    }
                  });
      DhcpProbe.Outcome o =
          DhcpProbe.ask(at, ClientType.BIOS, false, false, MAC, UUID, Duration.ofMillis(500), 1);
      t.join();
      assertThat(o).isInstanceOf(DhcpProbe.NoAnswer.class);
      assertThat(((DhcpProbe.NoAnswer) o).malformed()).isTrue();
      assertThat(((DhcpProbe.NoAnswer) o).why()).contains("a malformed reply from 127.0.0.77");
    }
  }
}
