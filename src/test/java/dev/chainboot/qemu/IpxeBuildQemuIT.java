package dev.chainboot.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.config.ServerConfig;
import dev.chainboot.http.PlainTextHandler;
import dev.chainboot.ipxebuild.IpxePlatform;
import dev.chainboot.server.ChainbootServer;
import dev.chainboot.testing.RealIpxe;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real iPXE builds from a source tree ({@code CHAINBOOT_IPXE_SOURCE}; skipped with a message
 * without one) booted by QEMU: Zero-OS's {@code /krn/prod} is an {@code ipxe.lkrn} that {@code
 * qemu-system-x86_64 -kernel} boots straight to its Zero-OS script (no initrd, no autoexec), and
 * {@code /uefi/test} one self-contained {@code ipxe.efi} that OVMF boots from a FAT disk to its
 * script. Each script then fetches its runmode's "kernel" (here an iPXE script standing in for an
 * EFI-stub kernel) that reaches a marker URL.
 */
@Tag("qemu")
class IpxeBuildQemuIT {

  @TempDir static Path tmp;
  static ChainbootServer server;
  static final Queue<String> markers = new ConcurrentLinkedQueue<>();
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    Path data = tmp.resolve("data");
    RealIpxe.linkPrepared(data, Set.of(IpxePlatform.PCBIOS, IpxePlatform.X86_64_EFI));
    server =
        new ChainbootServer(
                ServerConfig.builder(data)
                    .http(new InetSocketAddress("127.0.0.1", 0))
                    // QEMU's user network: the guest reaches the host's loopback as 10.0.2.2.
                    .advertise(Optional.of("10.0.2.2"))
                    .build())
            .start();
    server
        .httpRouter()
        .prefix(
            "/marker/",
            new PlainTextHandler(
                req -> {
                  markers.add(req.getHttpURI().getPath());
                  return "#!ipxe\necho marker reached\nsleep 600\n";
                }));
    Path kernels = Files.createDirectories(data.resolve("kernels/net"));
    for (String rm : List.of("prod", "test")) {
      Files.writeString(
          data.resolve("kernels/zos-" + rm + ".efi"),
          "#!ipxe\nchain http://10.0.2.2:" + server.httpPort() + "/marker/" + rm + "\n");
      Files.createSymbolicLink(kernels.resolve(rm + ".efi"), Path.of("../zos-" + rm + ".efi"));
    }
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static Path download(String path, String expectedName) throws Exception {
    HttpResponse<byte[]> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
                .timeout(Duration.ofMinutes(5))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Disposition"))
        .hasValue("inline; filename=" + expectedName);
    Path f = tmp.resolve(expectedName);
    Files.write(f, r.body());
    return f;
  }

  static void bootUntilMarker(String name, List<String> cmd, String marker) throws Exception {
    Path serial = tmp.resolve(name + ".serial");
    List<String> all = new ArrayList<>(cmd);
    all.addAll(List.of("-serial", "file:" + serial, "-monitor", "none", "-display", "none"));
    Process q =
        new ProcessBuilder(all)
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve(name + ".qemu.out").toFile())
            .start();
    try {
      Awaitility.await()
          .atMost(Duration.ofSeconds(300))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> markers.contains(marker) || !q.isAlive());
      assertThat(markers)
          .as(
              "qemu: %s%nserial: %s",
              Files.readString(tmp.resolve(name + ".qemu.out")),
              Files.exists(serial) ? Files.readString(serial) : "")
          .contains(marker);
    } finally {
      q.destroy();
      if (!q.waitFor(10, TimeUnit.SECONDS)) {
        q.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void krnIsAnLkrnThatQemuBootsAsAKernelStraightToItsZeroOsScript() throws Exception {
    Path lkrn = download("/krn/prod/42", "ipxe-prod.lkrn");
    bootUntilMarker(
        "krn",
        List.of(
            "qemu-system-x86_64",
            "-accel",
            "tcg",
            "-m",
            "256",
            "-no-reboot",
            "-kernel",
            lkrn.toString(),
            "-netdev",
            "user,id=n0",
            "-device",
            "e1000,netdev=n0,romfile="),
        "/marker/prod");
    server.events().flush();
    assertThat(server.store().recentEvents(Optional.empty(), 50))
        .anySatisfy(
            e -> {
              assertThat(e.protocol()).isEqualTo("zeroos");
              assertThat(e.reason())
                  .isEqualTo("zeroos nomodeset version=v3 runmode=prod panic=7200 farmer_id=42");
            });
  }

  @Test
  void uefiIsOneSelfContainedEfiThatOvmfBootsFromAFatDisk() throws Exception {
    Path efi = download("/uefi/test", "ipxe-test.efi");
    Path esp = Files.createDirectories(tmp.resolve("esp/EFI/BOOT"));
    Files.copy(efi, esp.resolve("BOOTX64.EFI"), StandardCopyOption.REPLACE_EXISTING);
    Path vars = tmp.resolve("OVMF_VARS.fd");
    Files.copy(
        Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd"), vars, StandardCopyOption.REPLACE_EXISTING);
    bootUntilMarker(
        "uefi",
        List.of(
            "qemu-system-x86_64",
            "-accel",
            "tcg",
            "-machine",
            "q35",
            "-m",
            "512",
            "-drive",
            "if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd",
            "-drive",
            "if=pflash,format=raw,file=" + vars,
            "-drive",
            "format=raw,file=fat:rw:" + tmp.resolve("esp"),
            "-netdev",
            "user,id=n0",
            "-device",
            "e1000,netdev=n0,romfile="),
        "/marker/test");
  }
}
