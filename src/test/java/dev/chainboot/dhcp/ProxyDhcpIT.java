package dev.chainboot.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.testing.Lan;
import dev.chainboot.testing.Pcap;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * proxyDHCP with real clients on a namespace LAN: chainboot ({@code serve --proxy-dhcp}, the real
 * jar) at .1 beside dnsmasq at .2 (the LAN's DHCP server, with no PXE options). udhcpc plays the
 * PXE firmware; what it is offered is read off the wire in its own namespace.
 */
class ProxyDhcpIT {

  @TempDir static Path tmp;
  static Lan lan;
  static Process chainboot;
  static Path chainbootLog;

  @BeforeAll
  static void startLan() throws Exception {
    lan = Lan.create();
    String dhcp = lan.attach("dhcp", null, lan.ip(2) + "/24");
    lan.startDnsmasq(dhcp, tmp);
    // the boot core knows the test machines (a static profile each) and has no default, so any
    // other machine gets no offer
    Path data = tmp.resolve("data");
    cli(
        "profile",
        "add",
        "--data",
        data.toString(),
        "--chain",
        "http://" + lan.ip(1) + ":8081/marker.ipxe",
        "marker");
    for (String mac : List.of(BIOS_MAC, EFI_MAC, IPXE_MAC, PXE4011_MAC)) {
      cli("machine", "add", "--data", data.toString(), mac);
      cli("boot", "static", "--data", data.toString(), mac, "marker");
    }
    chainbootLog = tmp.resolve("chainboot.log");
    chainboot =
        lan.start(
            lan.server(),
            chainbootLog,
            javaBin(),
            "-jar",
            System.getProperty("chainboot.jar"),
            "serve",
            "--proxy-dhcp",
            "--data",
            data.toString(),
            "--tftp",
            "off",
            "--http",
            "0.0.0.0:8080");
    assertThat(Lan.await(chainbootLog, "proxyDHCP listening", chainboot, 60))
        .as(Files.exists(chainbootLog) ? Files.readString(chainbootLog) : "no log")
        .isTrue();
  }

  @AfterAll
  static void stopLan() {
    if (lan != null) {
      lan.close();
    }
  }

  static final String BIOS_MAC = "52:54:00:00:00:01";
  static final String EFI_MAC = "52:54:00:00:00:07";
  static final String IPXE_MAC = "52:54:00:00:00:0e";
  static final String PXE4011_MAC = "52:54:00:40:11:01";

  /** Runs a chainboot subcommand (the real jar) to completion; fails unless it exits 0. */
  static String cli(String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(List.of(javaBin(), "-jar", System.getProperty("chainboot.jar")));
    cmd.addAll(List.of(args));
    dev.chainboot.testing.Processes.Output o =
        dev.chainboot.testing.Processes.run(
            new ProcessBuilder(cmd).redirectErrorStream(true), java.time.Duration.ofSeconds(60));
    String out = o.stdout();
    assertThat(o.exit()).as("chainboot %s: %s", String.join(" ", args), out).isZero();
    return out;
  }

  static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Offers seen on the client's wire, by source address. */
  record Offers(Map<String, List<DhcpMessage>> bySource) {
    List<DhcpMessage> from(String ip) {
      return bySource.getOrDefault(ip, List.of());
    }
  }

  /** Runs {@code client} in a fresh namespace with tcpdump capturing DHCP replies. */
  static Offers capture(String name, String mac, String... client) throws Exception {
    return capture(name, mac, null, client);
  }

  /**
   * Like the above; a client that stays running (dhclient -d) is stopped once {@code until} exists.
   */
  static Offers capture(String name, String mac, Path until, String... client) throws Exception {
    String ns = lan.attach(name, mac, null);
    Path pcap = tmp.resolve(name + ".pcap");
    Path dumpLog = tmp.resolve(name + ".tcpdump.log");
    Process dump =
        lan.start(
            ns,
            dumpLog,
            "tcpdump",
            "-i",
            "eth0",
            "-n",
            "-U",
            "--immediate-mode",
            "-w",
            pcap.toString(),
            "udp port 68");
    assertThat(Lan.await(dumpLog, "listening on", dump, 20)).isTrue();
    try {
      Process p = lan.start(ns, tmp.resolve(name + ".client.log"), client);
      long end = System.nanoTime() + 40_000_000_000L;
      while (p.isAlive() && System.nanoTime() < end && (until == null || !Files.exists(until))) {
        Thread.sleep(100);
      }
      assertThat(dev.chainboot.testing.Processes.stop(p)).as("client stopped").isTrue();
      Thread.sleep(500); // let the last replies reach the capture
    } finally {
      assertThat(dev.chainboot.testing.Processes.stop(dump)).as("tcpdump stopped").isTrue();
    }
    List<DhcpMessage> all = new ArrayList<>();
    Map<String, List<DhcpMessage>> by = new java.util.HashMap<>();
    for (Pcap.Udp u : Pcap.udp(pcap)) {
      if (u.srcPort() != 67) {
        continue;
      }
      DhcpMessage m = DhcpCodec.parse(u.payload());
      if (m.messageType().orElse(0) == DhcpMessage.OFFER) {
        by.computeIfAbsent(u.src().getHostAddress(), k -> new ArrayList<>()).add(m);
        all.add(m);
      }
    }
    return new Offers(by);
  }

  static String[] udhcpc(String... extra) {
    List<String> c =
        new ArrayList<>(
            List.of(
                "timeout",
                "30",
                "udhcpc",
                "-f",
                "-q",
                "-n",
                "-t",
                "2",
                "-T",
                "2",
                "-i",
                "eth0",
                "-s",
                "/bin/true"));
    c.addAll(List.of(extra));
    return c.toArray(String[]::new);
  }

  void assertProxyOffer(DhcpMessage o, String mac, String file) throws Exception {
    InetAddress server = InetAddress.getByName(lan.ip(1));
    assertThat(o.mac().orElseThrow().colon()).isEqualTo(mac);
    assertThat(o.yiaddr()).isEqualTo(DhcpMessage.ZERO);
    assertThat(o.options().has(DhcpOptions.LEASE_TIME)).isFalse();
    assertThat(o.siaddr()).isEqualTo(server);
    assertThat(o.options().ipv4(DhcpOptions.SERVER_ID)).contains((java.net.Inet4Address) server);
    assertThat(o.options().string(DhcpOptions.VENDOR_CLASS)).contains("PXEClient");
    assertThat(o.file()).isEqualTo(file);
  }

  /** dnsmasq, the LAN's server, still offers the address, and offers no boot file. */
  void assertDnsmasqOffersAnAddress(Offers offers) {
    assertThat(offers.from(lan.ip(2)))
        .as("dnsmasq's offer")
        .isNotEmpty()
        .allSatisfy(
            o -> {
              assertThat(o.yiaddr().getHostAddress())
                  .startsWith(lan.ip(1).substring(0, lan.ip(1).length() - 1));
              assertThat(o.yiaddr()).isNotEqualTo(DhcpMessage.ZERO);
              assertThat(o.file()).isEmpty();
            });
  }

  @Test
  void biosPxeClientIsOfferedUndionlyFromTheInterfaceAddress() throws Exception {
    String mac = BIOS_MAC;
    Offers offers =
        capture("bios", mac, udhcpc("-V", "PXEClient:Arch:00000:UNDI:002001", "-x", "0x5d:0000"));
    assertThat(offers.from(lan.ip(1))).as("chainboot's offers: %s", offers).isNotEmpty();
    for (DhcpMessage o : offers.from(lan.ip(1))) {
      assertProxyOffer(o, mac, "undionly.kpxe");
      assertThat(
              o.options()
                  .encapsulated(DhcpOptions.VENDOR_SPECIFIC)
                  .orElseThrow()
                  .u8(DhcpOptions.PXE_DISCOVERY_CONTROL))
          .contains(8);
    }
    assertDnsmasqOffersAnAddress(offers);
    assertThat(
            Lan.await(
                chainbootLog,
                "proxyDHCP offer to " + mac + " arch=0(BIOS) file=undionly.kpxe",
                chainboot,
                10))
        .as("%s", logText())
        .isTrue();
  }

  @Test
  void efiX64PxeClientIsOfferedSnponly() throws Exception {
    String mac = EFI_MAC;
    Offers offers =
        capture("efi", mac, udhcpc("-V", "PXEClient:Arch:00007:UNDI:003016", "-x", "0x5d:0007"));
    assertThat(offers.from(lan.ip(1)))
        .as("chainboot's offers: %s", offers)
        .isNotEmpty()
        .allSatisfy(o -> assertProxyOfferUnchecked(o, mac, "snponly.efi"));
    assertDnsmasqOffersAnAddress(offers);
  }

  @Test
  void ipxeUserClassIsSentToTheHttpBootScript() throws Exception {
    String mac = IPXE_MAC;
    Offers offers =
        capture("ipxe", mac, udhcpc("-V", "PXEClient:Arch:00000:UNDI:002001", "-x", "77:69505845"));
    assertThat(offers.from(lan.ip(1)))
        .as("chainboot's offers: %s", offers)
        .isNotEmpty()
        .allSatisfy(
            o -> assertProxyOfferUnchecked(o, mac, "http://" + lan.ip(1) + ":8080/boot.ipxe"));
  }

  /**
   * A PXE client the boot core has nothing for (no assignment, no group, no default) boots as if
   * chainboot were not there: no offer, one log line saying why.
   */
  @Test
  void pxeClientTheCoreIgnoresGetsNoOffer() throws Exception {
    String mac = "52:54:00:00:00:99";
    Offers offers =
        capture(
            "ignored", mac, udhcpc("-V", "PXEClient:Arch:00000:UNDI:002001", "-x", "0x5d:0000"));
    assertThat(offers.from(lan.ip(1))).as("chainboot must stay silent").isEmpty();
    assertDnsmasqOffersAnAddress(offers);
    assertThat(
            Lan.await(
                chainbootLog,
                "proxyDHCP no answer to " + mac + " arch=0(BIOS): the boot core has nothing",
                chainboot,
                10))
        .as("%s", logText())
        .isTrue();
  }

  @Test
  void plainDhclientGetsNoOfferFromChainbootAndItsLeaseFromDnsmasq() throws Exception {
    String mac = "52:54:00:00:00:aa";
    Path script = tmp.resolve("dhclient-script");
    Files.writeString(
        script,
        "#!/bin/sh\nenv > "
            + tmp.resolve("dhclient-$reason.tmp")
            + " && mv "
            + tmp.resolve("dhclient-$reason.tmp")
            + " "
            + tmp.resolve("dhclient-$reason.env")
            + "\n");
    script.toFile().setExecutable(true);
    Path conf = tmp.resolve("dhclient.conf");
    Files.writeString(conf, "");
    Path bound = tmp.resolve("dhclient-BOUND.env");
    Offers offers =
        capture(
            "plain",
            mac,
            bound,
            "timeout",
            "30",
            "dhclient",
            "-1",
            "-d",
            "-v",
            "-cf",
            conf.toString(),
            "-sf",
            script.toString(),
            "-lf",
            tmp.resolve("dhclient.leases").toString(),
            "-pf",
            tmp.resolve("dhclient.pid").toString(),
            "eth0");
    assertThat(offers.from(lan.ip(1))).as("chainboot must stay silent").isEmpty();
    assertDnsmasqOffersAnAddress(offers);
    assertThat(bound).exists();
    Map<String, String> env =
        Files.readAllLines(bound, StandardCharsets.UTF_8).stream()
            .filter(l -> l.contains("="))
            .collect(
                Collectors.toMap(
                    l -> l.substring(0, l.indexOf('=')),
                    l -> l.substring(l.indexOf('=') + 1),
                    (a, b) -> b));
    assertThat(env.get("new_dhcp_server_identifier")).isEqualTo(lan.ip(2));
    assertThat(env.get("new_ip_address"))
        .startsWith(lan.ip(1).substring(0, lan.ip(1).lastIndexOf('.') + 1));
    assertThat(Files.readString(chainbootLog)).doesNotContain("offer to " + mac);
  }

  /**
   * An address added after the start is picked up (re-read at most every 10 s) and answered from.
   */
  @Test
  void addressAddedLaterIsAnsweredFrom() throws Exception {
    String later = "192.168." + (100 + (int) (Math.random() * 150)) + ".1";
    lan.exec(lan.server(), "ip", "addr", "add", later + "/24", "dev", "br0");
    long end = System.nanoTime() + 40_000_000_000L;
    List<DhcpMessage> fromLater = List.of();
    for (int i = 0; fromLater.isEmpty() && System.nanoTime() < end; i++) {
      Offers offers =
          capture("later" + i, BIOS_MAC, udhcpc("-V", "PXEClient:Arch:00000:UNDI:002001"));
      fromLater = offers.from(later);
      assertThat(offers.from(lan.ip(1))).isNotEmpty();
    }
    assertThat(fromLater)
        .as("an offer naming " + later)
        .isNotEmpty()
        .allSatisfy(
            o -> {
              assertThat(o.siaddr().getHostAddress()).isEqualTo(later);
              assertThat(o.file()).isEqualTo("undionly.kpxe");
            });
    assertThat(Lan.await(chainbootLog, "now also answering on " + later + "/24", chainboot, 10))
        .as("%s", logText())
        .isTrue();
  }

  /** The boot-server request UEFI firmware may send to port 4011 once it has an address. */
  @Test
  void port4011RequestGetsAnAckFromPort4011() throws Exception {
    String ns = lan.attach("pxe4011", "52:54:00:40:11:01", lan.ip(60) + "/24");
    String script =
        Path.of(System.getProperty("chainboot.root"), "src/test/resources/dhcp/pxe4011.py")
            .toString();
    String[] out = lan.exec(ns, "python3", script, lan.ip(60), lan.ip(1), "7").strip().split("\n");
    assertThat(out[0]).isEqualTo("4011");
    DhcpMessage ack = DhcpCodec.parse(java.util.HexFormat.of().parseHex(out[1]));
    assertThat(ack.messageType()).contains(DhcpMessage.ACK);
    assertThat(ack.xid()).isEqualTo(0x4011cafe);
    assertThat(ack.file()).isEqualTo("snponly.efi");
    assertThat(ack.yiaddr()).isEqualTo(DhcpMessage.ZERO);
    assertThat(ack.siaddr()).isEqualTo(InetAddress.getByName(lan.ip(1)));
    assertThat(ack.options().get(DhcpOptions.CLIENT_UUID)).isPresent();
    assertThat(ack.options().encapsulated(DhcpOptions.VENDOR_SPECIFIC).orElseThrow().get(71))
        .isPresent();
    assertThat(
            Lan.await(
                chainbootLog,
                "proxyDHCP ack to 52:54:00:40:11:01 arch=7(EFI_X86_64) file=snponly.efi",
                chainboot,
                10))
        .as("%s", logText())
        .isTrue();
  }

  void assertProxyOfferUnchecked(DhcpMessage o, String mac, String file) {
    try {
      assertProxyOffer(o, mac, file);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String read(Path p) throws IOException {
    return Files.exists(p) ? Files.readString(p) : "";
  }

  private static String logText() throws IOException {
    return Files.exists(chainbootLog) ? Files.readString(chainbootLog) : "no log";
  }
}
