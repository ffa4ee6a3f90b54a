package dev.chainboot.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.testing.Lan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The end-to-end proof on a namespace LAN: a QEMU guest on a tap device, dnsmasq (no PXE options)
 * as the LAN's DHCP server, and chainboot ({@code serve --proxy-dhcp}, the real jar) as the only
 * source of boot information. Firmware DHCP -> our proxyDHCP -> (UEFI: our TFTP -> iPXE -> our
 * proxyDHCP again) -> our HTTP {@code /boot.ipxe} -> the machine's profile, which chains to a
 * marker URL (a plain python3 http.server beside chainboot). The BootEvents name the guest's MAC
 * and architecture.
 */
@Tag("qemu")
class ProxyDhcpQemuIT {

  static final String BIOS_MAC = "52:54:00:b1:05:01";
  static final String EFI_MAC = "52:54:00:e1:05:07";

  @TempDir static Path tmp;
  static Lan lan;
  static Path data;
  static Path log;
  static Path markerLog;

  @BeforeAll
  static void startLan() throws Exception {
    lan = Lan.create();
    String dhcp = lan.attach("dhcp", null, lan.ip(2) + "/24");
    lan.startDnsmasq(dhcp, tmp);
    Path www = Files.createDirectories(tmp.resolve("www"));
    Files.writeString(
        www.resolve("marker.ipxe"), "#!ipxe\necho chainboot-test: marker reached\nsleep 600\n");
    markerLog = tmp.resolve("marker.log");
    lan.start(
        lan.server(),
        markerLog,
        "python3",
        "-u",
        "-m",
        "http.server",
        "8081",
        "--bind",
        lan.ip(1),
        "--directory",
        www.toString());
    data = tmp.resolve("data");
    ProxyDhcpIT.cli(
        "profile",
        "add",
        "--data",
        data.toString(),
        "--chain",
        "http://" + lan.ip(1) + ":8081/marker.ipxe?mac={{mac_hexhyp}}",
        "marker");
    for (String mac : List.of(BIOS_MAC, EFI_MAC)) {
      ProxyDhcpIT.cli("machine", "add", "--data", data.toString(), mac);
      ProxyDhcpIT.cli("boot", "static", "--data", data.toString(), mac, "marker");
    }
    log = tmp.resolve("chainboot.log");
    Process chainboot =
        lan.start(
            lan.server(),
            log,
            ProxyDhcpIT.javaBin(),
            "-jar",
            System.getProperty("chainboot.jar"),
            "serve",
            "--proxy-dhcp",
            "--data",
            data.toString(),
            "--tftp",
            "0.0.0.0:69",
            "--http",
            "0.0.0.0:8080");
    assertThat(Lan.await(log, "proxyDHCP listening", chainboot, 60))
        .as(ProxyDhcpIT.read(log))
        .isTrue();
  }

  @AfterAll
  static void stopLan() throws Exception {
    try {
      if (log != null) {
        // the boot, as chainboot logged it (proxyDHCP, TFTP and HTTP lines), for the test report
        ProxyDhcpIT.read(log)
            .lines()
            .filter(l -> l.contains("proxyDHCP") || l.contains("tftp") || l.contains("GET"))
            .forEach(System.out::println);
      }
    } finally {
      if (lan != null) {
        lan.close();
      }
    }
  }

  /**
   * Boots QEMU in the server namespace on a new tap until the marker URL is fetched for {@code
   * mac}.
   */
  static void boot(String tap, String mac, List<String> machine) throws Exception {
    lan.addTap(tap);
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "qemu-system-x86_64",
                "-accel",
                "tcg",
                "-nographic",
                "-serial",
                "file:" + tmp.resolve(tap + ".serial"),
                "-monitor",
                "none",
                "-m",
                "256",
                "-netdev",
                "tap,id=n0,ifname=" + tap + ",script=no,downscript=no"));
    cmd.addAll(machine);
    Process qemu =
        lan.start(lan.server(), tmp.resolve(tap + ".qemu.log"), cmd.toArray(String[]::new));
    try {
      String marker = "GET /marker.ipxe?mac=" + mac.replace(':', '-');
      assertThat(Lan.await(markerLog, marker, qemu, 240))
          .as(
              "waiting for '%s'; chainboot log:%n%s%nqemu: %s",
              marker, ProxyDhcpIT.read(log), ProxyDhcpIT.read(tmp.resolve(tap + ".qemu.log")))
          .isTrue();
    } finally {
      qemu.destroyForcibly();
      qemu.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** The BootEvents (the decision: MAC, profile) and the machine record (its architecture). */
  static String events(String mac) throws Exception {
    String events =
        ProxyDhcpIT.cli("events", "--data", data.toString(), "--machine", mac, "--json");
    assertThat(events).contains("\"mac\" : \"" + mac + "\"").contains("\"profile\" : \"marker\"");
    return ProxyDhcpIT.cli("machine", "show", "--data", data.toString(), mac, "--json");
  }

  @Test
  void biosSeabiosIpxeRomBootsItsProfileThroughProxyDhcp() throws Exception {
    // SeaBIOS runs the e1000's iPXE ROM: it sends user class "iPXE", so our offer is the HTTP
    // /boot.ipxe directly (the chain-loading loop is already broken).
    boot(
        "cbtapbios", BIOS_MAC, List.of("-boot", "n", "-device", "e1000,netdev=n0,mac=" + BIOS_MAC));
    String text = ProxyDhcpIT.read(log);
    assertThat(text)
        .contains(
            "proxyDHCP offer to "
                + BIOS_MAC
                + " arch=0(BIOS) iPXE file=http://"
                + lan.ip(1)
                + ":8080/boot.ipxe");
    assertThat(text).containsPattern(" GET /boot.ipxe\\S* 200");
    assertThat(events(BIOS_MAC)).contains(BIOS_MAC).contains("pcbios").contains("i386");
  }

  @Test
  void uefiOvmfLoadsSnponlyOverOurTftpThenIpxeBootsItsProfile() throws Exception {
    Path vars = tmp.resolve("OVMF_VARS.fd");
    Files.copy(
        Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd"), vars, StandardCopyOption.REPLACE_EXISTING);
    boot(
        "cbtapefi",
        EFI_MAC,
        List.of(
            "-machine",
            "q35",
            "-drive",
            "if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd",
            "-drive",
            "if=pflash,format=raw,file=" + vars,
            "-fw_cfg",
            "name=opt/org.tianocore/IPv6PXESupport,string=no",
            "-device",
            "virtio-net-pci,netdev=n0,romfile=,bootindex=0,mac=" + EFI_MAC));
    String text = ProxyDhcpIT.read(log);
    // firmware: our offer names snponly.efi, and our TFTP serves it
    assertThat(text)
        .contains("proxyDHCP offer to " + EFI_MAC + " arch=7(EFI_X86_64) file=snponly.efi");
    assertThat(text).containsPattern("file=\"snponly.efi\".*result=ok");
    // iPXE (snponly.efi) asks our proxyDHCP again and is sent to /boot.ipxe
    assertThat(text)
        .contains(
            "proxyDHCP offer to "
                + EFI_MAC
                + " arch=7(EFI_X86_64) iPXE file=http://"
                + lan.ip(1)
                + ":8080/boot.ipxe");
    assertThat(events(EFI_MAC)).contains(EFI_MAC).contains("\"efi\"").contains("x86_64");
  }
}
