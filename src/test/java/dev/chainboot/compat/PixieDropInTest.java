package dev.chainboot.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.config.ServerConfig;
import dev.chainboot.firmware.BootBinary;
import dev.chainboot.ipxe.ChainScripts;
import dev.chainboot.ipxebuild.IpxeBuilds;
import dev.chainboot.ipxebuild.IpxePlatform;
import dev.chainboot.server.ChainbootServer;
import dev.chainboot.testing.Curl;
import dev.chainboot.testing.FakeIpxeTree;
import dev.chainboot.testing.Peer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a pixie user brings, against a real server (tftp-hpa and curl as the peers): pixie's seven
 * ROM names and {@code snponly-arm.efi} over TFTP (the i386/arm32 ones from {@code DATA/tftp}, a
 * firmware directory or an iPXE build, since Debian ships none), names in any case, scripts that
 * win over Zero-OS runmodes (on only where Zero-OS is configured), MAC script files in any case,
 * and the {@code chain.ipxe} menu going where pixie's did.
 */
class PixieDropInTest {

  @TempDir static Path tmp;
  static ChainbootServer server;
  static Path data;
  static Path scripts;
  static Path work;

  @BeforeAll
  static void start() throws Exception {
    data = tmp.resolve("data");
    scripts = Files.createDirectories(tmp.resolve("scripts"));
    work = Files.createDirectories(tmp.resolve("work"));
    Files.writeString(scripts.resolve("prod"), "#!ipxe\necho pixie script named prod\n");
    Files.writeString(scripts.resolve("00-11-22-AA-BB-CC.ipxe"), "#!ipxe\necho upper-case MAC\n");
    Files.writeString(scripts.resolve("52-54-00-00-00-0a.IPXE"), "#!ipxe\necho mixed\n");
    // i386 EFI from an iPXE build (the fake tree), arm32 snponly from DATA/tftp.
    IpxeBuilds.at(data)
        .prepare(FakeIpxeTree.copyTo(tmp.resolve("ipxe")), Set.of(IpxePlatform.I386_EFI), l -> {});
    Files.createDirectories(data.resolve("tftp"));
    Files.writeString(data.resolve("tftp/snponly-arm32.efi"), "ARM32-SNP from DATA/tftp");
    server =
        new ChainbootServer(
                ServerConfig.builder(data)
                    .http(new InetSocketAddress("127.0.0.1", 0))
                    .tftp(Optional.of(new InetSocketAddress("127.0.0.1", 0)))
                    .scriptsDir(Optional.of(scripts))
                    .netbootXyz(Optional.of(ChainScripts.NETBOOT_XYZ))
                    .build())
            .start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static Optional<byte[]> tftpGet(String name) throws Exception {
    Path out = work.resolve("got");
    Files.deleteIfExists(out);
    Peer.Result r =
        Peer.run(
            work,
            Duration.ofSeconds(60),
            "tftp",
            "127.0.0.1",
            Integer.toString(server.tftpPort()),
            "-m",
            "binary",
            "-c",
            "get",
            name,
            out.toString());
    if (r.output().contains("File not found") || r.output().contains("Error code")) {
      return Optional.empty();
    }
    assertThat(r.exit()).as(r.output()).isZero();
    return Optional.of(Files.readAllBytes(out));
  }

  @Test
  void everyPixieRomNameIsServedOverTftp() throws Exception {
    var fw = server.firmware();
    assertThat(tftpGet("undionly.kpxe")).contains(fw.require(BootBinary.UNDIONLY_KPXE));
    for (String n : new String[] {"ipxe.efi", "ipxe64.efi"}) {
      assertThat(tftpGet(n)).as(n).contains(fw.require(BootBinary.IPXE_X86_64_EFI));
    }
    for (String n : new String[] {"snponly.efi", "snponly64.efi"}) {
      assertThat(tftpGet(n)).as(n).contains(fw.require(BootBinary.SNPONLY_X86_64_EFI));
    }
    for (String n : new String[] {"snponly-arm64.efi", "snponly-arm.efi"}) {
      assertThat(tftpGet(n)).as(n).contains(fw.require(BootBinary.IPXE_ARM64_EFI));
    }
    // Built by `chainboot ipxe prepare --platform i386-efi` (here the fake tree).
    assertThat(new String(tftpGet("ipxe32.efi").orElseThrow()))
        .startsWith("FAKE-IPXE 9.8.7 bin-i386-efi/ipxe.efi");
    assertThat(new String(tftpGet("snponly32.efi").orElseThrow()))
        .startsWith("FAKE-IPXE 9.8.7 bin-i386-efi/snponly.efi");
    // Dropped into DATA/tftp by the operator.
    assertThat(new String(tftpGet("snponly-arm32.efi").orElseThrow()))
        .isEqualTo("ARM32-SNP from DATA/tftp");
    // Firmware that changes the case of the file name still gets it.
    assertThat(tftpGet("UNDIONLY.KPXE")).contains(fw.require(BootBinary.UNDIONLY_KPXE));
    assertThat(tftpGet("no-such.efi")).isEmpty();
  }

  @Test
  void chainIpxeOffersTheMenuAndBootsWherePixieDid() throws Exception {
    String chain = new String(tftpGet("chain.ipxe").orElseThrow());
    assertThat(chain)
        .contains("prompt --timeout 2000 ")
        .contains("item --key s cb_shell (s) iPXE shell")
        .contains("item --key e cb_exit (e) Exit to the next boot device")
        .contains("item --key n cb_xyz (n) netboot.xyz")
        .contains("chain --autofree " + ChainScripts.NETBOOT_XYZ + " ||")
        .contains(
            "chain --autofree http://${next-server}:"
                + server.httpPort()
                + "/ipxe/${mac:hexhyp}.ipxe?serial=");
  }

  @Test
  void scriptsWinOverRunmodesAndMacFilesMatchInAnyCase() throws Exception {
    String base = "http://127.0.0.1:" + server.httpPort();
    // No chainboot.yaml zeroos section and no kernels/net: Zero-OS is not configured here.
    Curl.Result prod = Curl.run(base + "/ipxe/prod");
    assertThat(prod.status()).isEqualTo(200);
    assertThat(prod.text()).isEqualTo("#!ipxe\necho pixie script named prod\n");
    Curl.Result test = Curl.run(base + "/ipxe/test");
    assertThat(test.status()).isEqualTo(404);
    assertThat(test.text()).doesNotContain("runmode");
    for (String name : new String[] {"00-11-22-aa-bb-cc.ipxe", "00-11-22-AA-BB-CC.ipxe"}) {
      assertThat(Curl.run(base + "/ipxe/" + name).text())
          .as(name)
          .isEqualTo("#!ipxe\necho upper-case MAC\n");
    }
    assertThat(Curl.run(base + "/ipxe/52-54-00-00-00-0a.ipxe").text())
        .isEqualTo("#!ipxe\necho mixed\n");
    // Once Zero-OS is configured (its kernels directory exists), runmodes answer, but a scripts
    // file of the same name still wins.
    Files.createDirectories(data.resolve("kernels/net"));
    Files.writeString(data.resolve("kernels/net/test.efi"), "MZ");
    Files.writeString(data.resolve("kernels/net/prod.efi"), "MZ");
    try {
      assertThat(Curl.run(base + "/ipxe/test").text()).contains("runmode=test");
      assertThat(Curl.run(base + "/ipxe/prod").text()).contains("pixie script named prod");
    } finally {
      Files.delete(data.resolve("kernels/net/test.efi"));
      Files.delete(data.resolve("kernels/net/prod.efi"));
      Files.delete(data.resolve("kernels/net"));
    }
  }
}
