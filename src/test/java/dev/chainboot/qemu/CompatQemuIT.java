package dev.chainboot.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.boot.Assignment;
import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Machine;
import dev.chainboot.boot.Profile;
import dev.chainboot.config.ServerConfig;
import dev.chainboot.http.PlainTextHandler;
import dev.chainboot.server.ChainbootServer;
import java.net.InetSocketAddress;
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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real iPXE runs the compat scripts: a BIOS QEMU guest boots chain.ipxe from our TFTP, the core's
 * static profile chains it to pxe_srv's /redirect, whose static/&lt;ip&gt; script chains a URL
 * relative to /redirect (pixie's ipxe/${mac:hexhyp}.ipxe), whose script chains a URL relative to
 * itself (Zero-OS's /ipxe/prod/42/...), whose script imgfetches the runmode's kernel (net/prod.efi
 * -&gt; ../zos.efi; here an iPXE script standing in for an EFI-stub kernel) and imgexecs it, which
 * reaches a marker URL.
 */
@Tag("qemu")
class CompatQemuIT {

  static final String MAC = "52:54:00:12:34:77";
  @TempDir Path tmp;

  @Test
  void pxeSrvPixieAndZeroOsScriptsRunInRealIpxe() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("pxesrv/static"));
    // QEMU's user network makes the guest's requests come from 127.0.0.1.
    Files.writeString(
        tmp.resolve("pxesrv/to-pixie"),
        "#!ipxe\necho compat-test: pxe_srv static\n" + "chain ipxe/${mac:hexhyp}.ipxe\n");
    Files.createSymbolicLink(root.resolve("127.0.0.1"), Path.of("../to-pixie"));
    Path data = tmp.resolve("data");
    ServerConfig cfg =
        ServerConfig.builder(data)
            .tftp(Optional.of(new InetSocketAddress("127.0.0.1", 0)))
            .http(new InetSocketAddress("127.0.0.1", 0))
            .pxesrvRoot(Optional.of(tmp.resolve("pxesrv")))
            .build();
    Queue<String> markers = new ConcurrentLinkedQueue<>();
    try (ChainbootServer server = new ChainbootServer(cfg).start()) {
      server
          .httpRouter()
          .prefix(
              "/marker/",
              new PlainTextHandler(
                  req -> {
                    markers.add(req.getHttpURI().getPathQuery());
                    return "#!ipxe\necho compat-test: marker reached\nsleep 600\n";
                  }));
      int port = server.httpPort();
      Files.writeString(
          data.resolve("scripts/52-54-00-12-34-77.ipxe"),
          "#!ipxe\necho compat-test: pixie\nchain prod/42/console=ttyS0___x\n");
      Files.createDirectories(data.resolve("kernels/net"));
      Files.writeString(
          data.resolve("kernels/zos.efi"),
          "#!ipxe\nchain http://10.0.2.2:" + port + "/marker/zeroos-kernel\n");
      Files.createSymbolicLink(data.resolve("kernels/net/prod.efi"), Path.of("../zos.efi"));
      MacAddress mac = MacAddress.parse(MAC).orElseThrow();
      server.store().putMachine(Machine.of(mac));
      server.store().putProfile(Profile.chain("to-pxesrv", "{{base_url}}/redirect"));
      server.store().assign(new Assignment(mac, Assignment.Kind.STATIC, "to-pxesrv"));

      Path log = tmp.resolve("serial.log");
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
                  "user,id=n0,bootfile=tftp://10.0.2.2:" + server.tftpPort() + "/chain.ipxe",
                  "-device",
                  "e1000,netdev=n0,mac=" + MAC));
      Process q =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(tmp.resolve("qemu.out").toFile())
              .start();
      try {
        Awaitility.await()
            .atMost(Duration.ofSeconds(240))
            .pollInterval(Duration.ofMillis(500))
            .until(() -> !markers.isEmpty() || !q.isAlive());
        assertThat(markers)
            .as("serial log:%n%s", Files.exists(log) ? Files.readString(log) : "")
            .containsExactly("/marker/zeroos-kernel");
      } finally {
        q.destroy();
        if (!q.waitFor(10, TimeUnit.SECONDS)) {
          q.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
      server.events().flush();
      List<BootEvent> ev = server.store().recentEvents(Optional.empty(), 100);
      assertThat(ev)
          .anySatisfy(
              e -> {
                assertThat(e.protocol()).isEqualTo("pxesrv");
                assertThat(e.match()).isEqualTo(BootEvent.Match.STATIC);
                assertThat(e.reason()).isEqualTo("pxe_srv static -> to-pixie");
              });
      assertThat(ev)
          .anySatisfy(
              e -> {
                assertThat(e.protocol()).isEqualTo("pixie");
                assertThat(e.mac()).contains(mac);
              });
      assertThat(ev)
          .anySatisfy(
              e -> {
                assertThat(e.protocol()).isEqualTo("zeroos");
                assertThat(e.reason())
                    .isEqualTo(
                        "zeroos nomodeset version=v3 runmode=prod panic=7200 farmer_id=42"
                            + " console=ttyS0/x");
              });
    }
  }
}
