package dev.chainboot.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.boot.Assignment;
import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Machine;
import dev.chainboot.boot.Platform;
import dev.chainboot.boot.Profile;
import dev.chainboot.http.PlainTextHandler;
import dev.chainboot.store.Store;
import dev.chainboot.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real firmware and real iPXE: a QEMU guest network-boots (its NIC's iPXE ROM; QEMU's DHCP names
 * {@code tftp://10.0.2.2:PORT/chain.ipxe}), loads chain.ipxe from our TFTP, which hands it to our
 * /boot.ipxe; it gets its once profile, which chains to a marker URL on our server; on the second
 * boot it gets its static profile. The BootEvents carry its MAC.
 */
@Tag("qemu")
class BootQemuIT {

  static final String MAC = "52:54:00:12:34:56";
  @TempDir Path tmp;
  TestServer ts;
  Store store;
  final Queue<String> markers = new ConcurrentLinkedQueue<>();

  @BeforeEach
  void start() throws Exception {
    ts = new TestServer(tmp.resolve("data"), true);
    store = ts.server.store();
    ts.server
        .httpRouter()
        .prefix(
            "/marker/",
            new PlainTextHandler(
                req -> {
                  markers.add(req.getHttpURI().getPath());
                  return "#!ipxe\necho chainboot-test: marker reached\nsleep 600\n";
                }));
    MacAddress mac = MacAddress.parse(MAC).orElseThrow();
    store.putMachine(Machine.of(mac));
    store.putProfile(Profile.chain("first", "{{base_url}}/marker/once/{{mac_hexhyp}}"));
    store.putProfile(Profile.chain("always", "{{base_url}}/marker/static/{{mac_hexhyp}}"));
    store.assign(new Assignment(mac, Assignment.Kind.ONCE, "first"));
    store.assign(new Assignment(mac, Assignment.Kind.STATIC, "always"));
  }

  @AfterEach
  void stop() {
    ts.close();
  }

  @Test
  void biosGuestGetsOnceThenStatic() throws Exception {
    bootTwice(Platform.PCBIOS, List.of("-device", "e1000,netdev=n0,mac=" + MAC));
  }

  @Test
  void uefiGuestGetsOnceThenStatic() throws Exception {
    Path vars = tmp.resolve("OVMF_VARS.fd");
    Files.copy(Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd"), vars);
    bootTwice(
        Platform.EFI,
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
            "virtio-net-pci,netdev=n0,bootindex=0,mac=" + MAC));
  }

  private void bootTwice(Platform platform, List<String> machineArgs) throws Exception {
    boot(machineArgs, "/marker/once/52-54-00-12-34-56", "once");
    boot(machineArgs, "/marker/static/52-54-00-12-34-56", "static");
    ts.server.events().flush();
    List<BootEvent> all = store.recentEvents(Optional.empty(), 100);
    // The timeline's TFTP stages (chain.ipxe from QEMU's own TFTP client, which sends no MAC)
    // come before each decision; the decisions are what this test is about.
    assertThat(all)
        .filteredOn(e -> e.match() == BootEvent.Match.STAGE)
        .isNotEmpty()
        .allSatisfy(e -> assertThat(e.reason()).contains("chain.ipxe"));
    List<BootEvent> ev = all.stream().filter(e -> e.match() != BootEvent.Match.STAGE).toList();
    assertThat(ev).isNotEmpty();
    assertThat(ev).allSatisfy(e -> assertThat(e.mac()).map(MacAddress::colon).contains(MAC));
    assertThat(ev.get(0).match()).isEqualTo(BootEvent.Match.ONCE);
    assertThat(ev.get(0).onceConsumed()).isTrue();
    assertThat(ev.get(0).profile()).contains("first");
    assertThat(ev.subList(1, ev.size()))
        .allSatisfy(
            e -> {
              assertThat(e.match()).isEqualTo(BootEvent.Match.STATIC);
              assertThat(e.profile()).contains("always");
            });
    assertThat(ev.get(0).clientIp()).isEqualTo("127.0.0.1");
    // the identity query arrived whole: the platform (after serial and hostname) was recorded
    assertThat(store.machine(MacAddress.parse(MAC).orElseThrow()).orElseThrow().platform())
        .contains(platform);
  }

  private void boot(List<String> machineArgs, String marker, String name) throws Exception {
    Path log = tmp.resolve("serial-" + name + "-" + System.nanoTime() + ".log");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "qemu-system-x86_64",
                "-accel",
                "tcg",
                "-m",
                "256",
                "-display",
                "none",
                "-serial",
                "file:" + log,
                "-monitor",
                "none",
                "-no-reboot",
                "-boot",
                "n",
                "-netdev",
                "user,id=n0,bootfile=tftp://10.0.2.2:" + ts.server.tftpPort() + "/chain.ipxe"));
    cmd.addAll(machineArgs);
    Process q =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("qemu-" + name + ".out").toFile())
            .start();
    try {
      Awaitility.await(name)
          .atMost(Duration.ofSeconds(240))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> markers.contains(marker) || !q.isAlive());
      assertThat(markers)
          .as("marker %s; serial log:%n%s", marker, Files.exists(log) ? Files.readString(log) : "")
          .contains(marker);
    } finally {
      q.destroy();
      if (!q.waitFor(10, TimeUnit.SECONDS)) {
        q.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
