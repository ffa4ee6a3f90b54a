package dev.chainboot.tftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.boot.Assignment;
import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Machine;
import dev.chainboot.boot.Profile;
import dev.chainboot.firmware.BootBinary;
import dev.chainboot.firmware.FirmwareCatalog;
import dev.chainboot.http.PlainTextHandler;
import dev.chainboot.store.Store;
import dev.chainboot.testing.LogCapture;
import dev.chainboot.testing.TftpTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.eclipse.jetty.http.HttpHeader;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The undionly.kpxe chainboot embeds (Debian trixie's ipxe package) really boots: a SeaBIOS guest's
 * NIC ROM iPXE (Debian's older ipxe-qemu build) gets chain.ipxe and /boot.ipxe from us; its once
 * profile fetches a marker (recording the ROM's User-Agent) and chains {@code
 * tftp://${next-server}:PORT/undionly.kpxe} from our TFTP server; that iPXE starts, takes the DHCP
 * answer, loads chain.ipxe and /boot.ipxe again and follows the static profile to a second marker.
 * The marker's User-Agent is the embedded build's iPXE version, not the ROM's: no other iPXE could
 * have made that request.
 */
@Tag("qemu")
class EmbeddedUndionlyQemuIT {

  static final String MAC = "52:54:00:12:34:56";

  @TempDir Path tmp;

  /** The embedded ipxe package's Debian version, from the jar's SOURCES list. */
  static String embeddedIpxeVersion() throws Exception {
    try (var in =
        FirmwareCatalog.class.getResourceAsStream("/dev/chainboot/firmware/bin/SOURCES")) {
      assertThat(in)
          .as("embedded firmware SOURCES (build with -Dchainboot.firmware.skip=false)")
          .isNotNull();
      for (String line :
          new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
        String[] f = line.split("\t");
        if (f.length >= 2 && f[0].equals("ipxe")) {
          return f[1]; // e.g. 1.21.1+git20250501.dad20602+dfsg-1, which Debian builds in as iPXE's
          // version
        }
      }
    }
    throw new AssertionError("no ipxe line in SOURCES");
  }

  @Test
  @Timeout(240)
  void ipxeRomChainsTheEmbeddedUndionlyWhichBootsToTheStaticProfile() throws Exception {
    String embeddedVersion = embeddedIpxeVersion();
    byte[] undionly = FirmwareCatalog.embedded().require(BootBinary.UNDIONLY_KPXE);
    Map<String, String> userAgents = new ConcurrentHashMap<>();
    try (TftpTestServer server = new TftpTestServer(tmp.resolve("data"));
        LogCapture tftpLog = new LogCapture("tftp")) {
      server
          .server
          .httpRouter()
          .prefix(
              "/marker/",
              new PlainTextHandler(
                  req -> {
                    String path = req.getHttpURI().getPath();
                    userAgents.putIfAbsent(
                        path, String.valueOf(req.getHeaders().get(HttpHeader.USER_AGENT)));
                    return "#!ipxe\necho chainboot-test: marker " + path + "\nsleep 600\n";
                  }));
      Store store = server.server.store();
      MacAddress mac = MacAddress.parse(MAC).orElseThrow();
      store.putMachine(Machine.of(mac));
      store.putProfile(
          Profile.script(
              "to-undionly",
              "#!ipxe\n"
                  + "imgfetch --name rom-marker {{base_url}}/marker/rom/{{mac_hexhyp}} && imgfree rom-marker ||\n"
                  + "chain tftp://${next-server}:"
                  + server.port()
                  + "/undionly.kpxe\n"));
      store.putProfile(Profile.chain("marker", "{{base_url}}/marker/static/{{mac_hexhyp}}"));
      store.assign(new Assignment(mac, Assignment.Kind.ONCE, "to-undionly"));
      store.assign(new Assignment(mac, Assignment.Kind.STATIC, "marker"));

      Path serial = tmp.resolve("serial.log");
      List<String> cmd =
          List.of(
              "qemu-system-x86_64",
              "-accel",
              "tcg",
              "-m",
              "128",
              "-display",
              "none",
              "-serial",
              "file:" + serial,
              "-monitor",
              "none",
              "-no-reboot",
              "-boot",
              "n",
              "-netdev",
              "user,id=n0,bootfile=tftp://10.0.2.2:" + server.port() + "/chain.ipxe",
              "-device",
              "e1000,netdev=n0,mac=" + MAC);
      Process qemu =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(tmp.resolve("qemu.out").toFile())
              .start();
      String staticMarker = "/marker/static/52-54-00-12-34-56";
      try {
        Awaitility.await()
            .atMost(Duration.ofSeconds(180))
            .pollInterval(Duration.ofMillis(500))
            .until(() -> userAgents.containsKey(staticMarker) || !qemu.isAlive());
        assertThat(userAgents)
            .as(
                "markers reached (QEMU %s); serial log:%n%s; qemu:%n%s",
                qemu.isAlive() ? "running" : "exited",
                Files.exists(serial) ? Files.readString(serial) : "",
                Files.readString(tmp.resolve("qemu.out")))
            .containsKey(staticMarker);
      } finally {
        qemu.destroy();
        if (!qemu.waitFor(10, TimeUnit.SECONDS)) {
          qemu.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }

      // The embedded undionly.kpxe went over our TFTP, whole.
      List<LogCapture.Transfer> undi = tftpLog.transfers(t -> t.file().equals("undionly.kpxe"));
      assertThat(undi)
          .as("TFTP lines: %s", tftpLog.lines())
          .isNotEmpty()
          .anySatisfy(
              t -> {
                assertThat(t.result()).isEqualTo("ok");
                assertThat(t.bytes()).isEqualTo(undionly.length);
              });
      // chain.ipxe twice: once for the ROM's iPXE, once for undionly's.
      assertThat(tftpLog.transfers(t -> t.file().equals("chain.ipxe") && t.result().equals("ok")))
          .hasSizeGreaterThanOrEqualTo(2);
      // The ROM's iPXE reached the first marker, the embedded iPXE the second; their versions.
      String romAgent = userAgents.get("/marker/rom/52-54-00-12-34-56");
      String undionlyAgent = userAgents.get(staticMarker);
      assertThat(romAgent).as("the NIC ROM's iPXE").startsWith("iPXE/");
      assertThat(undionlyAgent)
          .as("the embedded undionly.kpxe's iPXE")
          .isEqualTo("iPXE/" + embeddedVersion)
          .isNotEqualTo(romAgent);
      assertThat(romAgent).isNotEqualTo("iPXE/" + embeddedVersion);
      System.out.println(
          "NIC ROM User-Agent: " + romAgent + "; embedded undionly.kpxe: " + undionlyAgent);

      server.server.events().flush();
      List<BootEvent> all = store.recentEvents(Optional.of(mac), 100);
      // the timeline records both TFTP transfers against the machine; then the decisions
      assertThat(all)
          .filteredOn(e -> e.match() == BootEvent.Match.STAGE)
          .extracting(BootEvent::reason)
          .anySatisfy(r -> assertThat(r).startsWith("undionly.kpxe "))
          .anySatisfy(r -> assertThat(r).startsWith("chain.ipxe "));
      List<BootEvent> ev = all.stream().filter(e -> e.match() != BootEvent.Match.STAGE).toList();
      assertThat(ev).hasSizeGreaterThanOrEqualTo(2);
      assertThat(ev.get(0).match()).isEqualTo(BootEvent.Match.ONCE);
      assertThat(ev.get(0).onceConsumed()).isTrue();
      assertThat(ev.subList(1, ev.size()))
          .allSatisfy(e -> assertThat(e.match()).isEqualTo(BootEvent.Match.STATIC));
    }
  }
}
