package dev.chainboot.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.ipxebuild.IpxePlatform;
import dev.chainboot.testing.Lan;
import dev.chainboot.testing.RealIpxe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The 32-bit UEFI machines Debian ships no iPXE for, booted with binaries chainboot built ({@code
 * ipxe prepare --platform i386-efi,arm32-efi} from {@code CHAINBOOT_IPXE_SOURCE}; skipped with a
 * message without one): on a namespace LAN with dnsmasq as the LAN's DHCP server, an i386 OVMF
 * machine (Debian {@code ovmf-ia32}) and an arm32 {@code virt} machine (Debian {@code
 * qemu-efi-arm}) get pixie's {@code snponly32.efi} / {@code snponly-arm32.efi} from chainboot's
 * proxyDHCP and TFTP, whose iPXE then boots the machine's profile to a marker URL.
 */
@Tag("qemu")
class ProxyDhcp32BitEfiQemuIT {

  static final String I386_MAC = "52:54:00:e1:32:06";
  static final String ARM32_MAC = "52:54:00:a3:32:0a";

  @TempDir static Path tmp;
  static Lan lan;
  static Path data;
  static Path log;
  static Path markerLog;

  @BeforeAll
  static void startLan() throws Exception {
    data = tmp.resolve("data");
    RealIpxe.linkPrepared(data, Set.of(IpxePlatform.I386_EFI, IpxePlatform.ARM32_EFI));
    lan = Lan.create();
    String dhcp = lan.attach("dhcp", null, lan.ip(2) + "/24");
    lan.startDnsmasq(dhcp, tmp);
    Path www = Files.createDirectories(tmp.resolve("www"));
    Files.writeString(www.resolve("marker.ipxe"), "#!ipxe\necho marker reached\nsleep 600\n");
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
    ProxyDhcpIT.cli(
        "profile",
        "add",
        "--data",
        data.toString(),
        "--chain",
        "http://" + lan.ip(1) + ":8081/marker.ipxe?mac={{mac_hexhyp}}",
        "marker");
    for (String mac : List.of(I386_MAC, ARM32_MAC)) {
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
    if (lan != null) {
      lan.close();
    }
  }

  static void boot(String tap, String mac, List<String> cmd) throws Exception {
    lan.addTap(tap);
    List<String> all = new ArrayList<>(cmd);
    all.addAll(
        List.of(
            "-nographic",
            "-serial",
            "file:" + tmp.resolve(tap + ".serial"),
            "-monitor",
            "none",
            "-netdev",
            "tap,id=n0,ifname=" + tap + ",script=no,downscript=no",
            "-device",
            "virtio-net-pci,netdev=n0,romfile=,bootindex=0,mac=" + mac));
    Process qemu =
        lan.start(lan.server(), tmp.resolve(tap + ".qemu.log"), all.toArray(String[]::new));
    try {
      String marker = "GET /marker.ipxe?mac=" + mac.replace(':', '-');
      assertThat(Lan.await(markerLog, marker, qemu, 420))
          .as(
              "waiting for '%s'; chainboot log:%n%s%nqemu: %s%nserial console:%n%s",
              marker,
              ProxyDhcpIT.read(log),
              ProxyDhcpIT.read(tmp.resolve(tap + ".qemu.log")),
              serialTail(tmp.resolve(tap + ".serial")))
          .isTrue();
    } finally {
      qemu.destroyForcibly();
      qemu.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** The end of a serial console log, without escape sequences (it is not always UTF-8). */
  static String serialTail(Path p) throws java.io.IOException {
    if (!Files.exists(p)) {
      return "";
    }
    String text =
        new String(Files.readAllBytes(p), java.nio.charset.StandardCharsets.ISO_8859_1)
            .replaceAll("\u001b\\[[0-9;=?]*[A-Za-z]", "")
            .replace("\r", "");
    return text.substring(Math.max(0, text.length() - 4000));
  }

  @Test
  void anI386UefiMachineBootsChainboot32BitSnponly() throws Exception {
    Path vars = tmp.resolve("OVMF32_VARS.fd");
    Files.copy(
        Path.of("/usr/share/OVMF/OVMF32_VARS_4M.fd"), vars, StandardCopyOption.REPLACE_EXISTING);
    boot(
        "cbtap386",
        I386_MAC,
        List.of(
            "qemu-system-i386",
            "-accel",
            "tcg",
            "-machine",
            "q35,smm=on",
            "-global",
            "driver=cfi.pflash01,property=secure,value=on",
            "-m",
            "512",
            "-drive",
            "if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF32_CODE_4M.secboot.fd",
            "-drive",
            "if=pflash,format=raw,file=" + vars));
    String text = ProxyDhcpIT.read(log);
    assertThat(text)
        .contains("proxyDHCP offer to " + I386_MAC + " arch=6(EFI_IA32) file=snponly32.efi");
    assertThat(text).containsPattern("file=\"snponly32.efi\".*result=ok");
  }

  @Test
  void anArm32UefiMachineBootsChainbootArm32Snponly() throws Exception {
    Path vars = tmp.resolve("AAVMF32_VARS.fd");
    Files.copy(
        Path.of("/usr/share/AAVMF/AAVMF32_VARS.fd"), vars, StandardCopyOption.REPLACE_EXISTING);
    boot(
        "cbtaparm",
        ARM32_MAC,
        List.of(
            "qemu-system-arm",
            "-accel",
            "tcg",
            "-machine",
            "virt",
            "-cpu",
            "cortex-a15",
            "-m",
            "512",
            "-drive",
            "if=pflash,format=raw,readonly=on,file=/usr/share/AAVMF/AAVMF32_CODE.fd",
            "-drive",
            "if=pflash,format=raw,file=" + vars));
    String text = ProxyDhcpIT.read(log);
    assertThat(text)
        .contains("proxyDHCP offer to " + ARM32_MAC + " arch=10(EFI_ARM32) file=snponly-arm32.efi");
    assertThat(text).containsPattern("file=\"snponly-arm32.efi\".*result=ok");
  }
}
