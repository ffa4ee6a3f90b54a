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
 * proxyDHCP again) -> our HTTP {@code /boot.ipxe}.
 */
@Tag("qemu")
class ProxyDhcpQemuIT {

  @TempDir static Path tmp;
  static Lan lan;
  static Process chainboot;
  static Path log;

  @BeforeAll
  static void startLan() throws Exception {
    lan = Lan.create();
    String dhcp = lan.attach("dhcp", null, lan.ip(2) + "/24");
    lan.startDnsmasq(dhcp, tmp);
    log = tmp.resolve("chainboot.log");
    chainboot = lan.start(lan.server(), log, ProxyDhcpIT.javaBin(), "-jar", System.getProperty("chainboot.jar"),
        "serve", "--proxy-dhcp", "--data", tmp.resolve("data").toString(), "--tftp", "0.0.0.0:69",
        "--http", "0.0.0.0:8080");
    assertThat(Lan.await(log, "proxyDHCP listening", chainboot, 60)).as(ProxyDhcpIT.read(log)).isTrue();
  }

  @AfterAll
  static void stopLan() throws Exception {
    // the boot, as chainboot logged it (proxyDHCP, TFTP and HTTP lines), for the test report
    ProxyDhcpIT.read(log).lines().filter(l -> l.contains("proxyDHCP") || l.contains("tftp") || l.contains("GET"))
        .forEach(System.out::println);
    if (lan != null) {
      lan.close();
    }
  }

  static int count(String text, String what) {
    int n = 0;
    for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }

  /**
   * Starts QEMU in the server namespace on a new tap; returns once our log holds {@code marker}
   * and one more {@code GET /boot.ipxe} than before the boot.
   */
  static void boot(String tap, List<String> machine, String marker) throws Exception {
    int before = count(ProxyDhcpIT.read(log), "GET /boot.ipxe");
    lan.addTap(tap);
    List<String> cmd = new ArrayList<>(List.of("qemu-system-x86_64", "-accel", "tcg", "-nographic",
        "-serial", "file:" + tmp.resolve(tap + ".serial"), "-monitor", "none", "-m", "256",
        "-netdev", "tap,id=n0,ifname=" + tap + ",script=no,downscript=no"));
    cmd.addAll(machine);
    Process qemu = lan.start(lan.server(), tmp.resolve(tap + ".qemu.log"), cmd.toArray(String[]::new));
    try {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
      boolean seen = false;
      while (!seen && qemu.isAlive() && System.nanoTime() < end) {
        String text = ProxyDhcpIT.read(log);
        seen = text.contains(marker) && count(text, "GET /boot.ipxe") > before;
        Thread.sleep(250);
      }
      assertThat(seen).as("waiting for '%s'; chainboot log:%n%s%nqemu: %s", marker, ProxyDhcpIT.read(log),
          ProxyDhcpIT.read(tmp.resolve(tap + ".qemu.log"))).isTrue();
    } finally {
      qemu.destroyForcibly();
      qemu.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void biosSeabiosIpxeRomGetsOurOfferAndFetchesBootIpxe() throws Exception {
    String mac = "52:54:00:b1:05:01";
    // SeaBIOS runs the e1000's iPXE ROM: it sends user class "iPXE", so the offer is the HTTP
    // /boot.ipxe directly (no TFTP step needed: the chain-loading loop is already broken).
    boot("cbtapbios", List.of("-boot", "n", "-device", "e1000,netdev=n0,mac=" + mac),
        "proxyDHCP offer to " + mac);
    String text = ProxyDhcpIT.read(log);
    assertThat(text).contains("proxyDHCP offer to " + mac + " arch=0(BIOS) iPXE file=http://"
        + lan.ip(1) + ":8080/boot.ipxe");
    assertThat(text).containsPattern(lan.ip(1).substring(0, lan.ip(1).lastIndexOf('.')) + "\\.1\\d\\d GET /boot.ipxe");
  }

  @Test
  void uefiOvmfLoadsSnponlyOverOurTftpThenIpxeFetchesBootIpxe() throws Exception {
    String mac = "52:54:00:e1:05:07";
    Path vars = tmp.resolve("OVMF_VARS.fd");
    Files.copy(Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd"), vars, StandardCopyOption.REPLACE_EXISTING);
    boot("cbtapefi", List.of("-machine", "q35",
        "-drive", "if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd",
        "-drive", "if=pflash,format=raw,file=" + vars,
        "-fw_cfg", "name=opt/org.tianocore/IPv6PXESupport,string=no",
        "-device", "virtio-net-pci,netdev=n0,romfile=,bootindex=0,mac=" + mac),
        "proxyDHCP offer to " + mac + " arch=7(EFI_X86_64) iPXE file=http://" + lan.ip(1) + ":8080/boot.ipxe");
    String text = ProxyDhcpIT.read(log);
    // firmware: our offer names snponly.efi, it comes from our TFTP
    assertThat(text).contains("proxyDHCP offer to " + mac + " arch=7(EFI_X86_64) file=snponly.efi");
    assertThat(text).containsPattern("file=\"?snponly.efi\"?");
  }
}
