package dev.chainboot.tftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.testing.LogCapture;
import dev.chainboot.testing.TftpTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real iPXE (the ROM of QEMU's e1000 NIC, under SeaBIOS) fetches {@code chain.ipxe} from our TFTP
 * server (QEMU user networking: 10.0.2.2 is the host's loopback) and then asks our HTTP server for
 * {@code /boot.ipxe}.
 */
@Tag("qemu")
class TftpQemuIT {

  @TempDir Path data;

  @Test
  @org.junit.jupiter.api.Timeout(240)
  void ipxeRomLoadsChainIpxeOverOurTftpThenAsksOurHttp() throws Exception {
    try (TftpTestServer server = new TftpTestServer(data);
        LogCapture tftpLog = new LogCapture("tftp");
        LogCapture httpLog = new LogCapture("http")) {
      Path serial = data.resolve("serial.log");
      List<String> cmd =
          List.of(
              "qemu-system-x86_64",
              "-accel",
              "tcg",
              "-nographic",
              "-serial",
              "file:" + serial,
              "-monitor",
              "none",
              "-m",
              "256",
              "-boot",
              "n",
              "-netdev",
              "user,id=n0,bootfile=tftp://10.0.2.2:" + server.port() + "/chain.ipxe",
              "-device",
              "e1000,netdev=n0");
      Process qemu =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(data.resolve("qemu.out").toFile())
              .start();
      try {
        Awaitility.await()
            .atMost(Duration.ofSeconds(180))
            .pollInterval(Duration.ofSeconds(1))
            .alias("iPXE fetched chain.ipxe and then /boot.ipxe; serial: " + serial)
            .until(
                () -> {
                  if (!qemu.isAlive()) {
                    throw new AssertionError(
                        "QEMU exited: " + Files.readString(data.resolve("qemu.out")));
                  }
                  return httpLog.has("/boot.ipxe");
                });
        assertThat(tftpLog.transfers(t -> t.file().equals("chain.ipxe")))
            .as("TFTP lines: %s", tftpLog.lines())
            .anySatisfy(t -> assertThat(t.result()).isEqualTo("ok"));
        String line =
            httpLog.lines().stream()
                .filter(l -> l.contains("/boot.ipxe"))
                .findFirst()
                .orElseThrow();
        assertThat(line).contains("mac=52-54-00-12-34-56").contains("platform=pcbios");
      } finally {
        dev.chainboot.testing.Processes.kill(qemu);
      }
    }
  }
}
