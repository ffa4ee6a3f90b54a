package dev.chainboot.tftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.testing.Jar;
import dev.chainboot.testing.Lan;
import dev.chainboot.testing.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --tftp-single-port} behind a NAT-like filter: the client's namespace drops every UDP
 * datagram that does not come from port 69 (as a NAT or container port mapping does with replies
 * from a transfer's own ephemeral port). 50 downloads at once, half atftp and half curl, all arrive
 * whole (sha256); a server in the ordinary mode, on another address of the same host, is not
 * reachable through the same filter (the filter really bites).
 */
class TftpSinglePortIT {

  @TempDir Path dir;

  @Test
  @Timeout(300)
  void fiftyConcurrentDownloadsThroughAFilterThatOnlyLetsPort69In() throws Exception {
    Path data = dir.resolve("data");
    Files.createDirectories(data.resolve("tftp"));
    byte[] blob = new byte[1_500_000];
    new Random(11).nextBytes(blob);
    Files.write(data.resolve("tftp/blob.bin"), blob);
    String want = sha256(blob);
    Path ordinaryData = dir.resolve("ordinary");
    Files.createDirectories(ordinaryData.resolve("tftp"));
    Files.write(ordinaryData.resolve("tftp/blob.bin"), blob);

    try (Lan lan = Lan.create()) {
      String client = lan.attach("cli", null, lan.ip(2) + "/24");
      lan.exec(lan.server(), "ip", "addr", "add", lan.ip(3) + "/24", "dev", "br0");
      lan.exec(client, "iptables", "-A", "INPUT", "-p", "udp", "!", "--sport", "69", "-j", "DROP");

      Path log = dir.resolve("single.log");
      Process single =
          lan.start(
              lan.server(),
              log,
              Jar.command(
                      "serve",
                      "--data",
                      data.toString(),
                      "--tftp",
                      lan.ip(1) + ":69",
                      "--http",
                      lan.ip(1) + ":8080",
                      "--tftp-single-port",
                      // 50 transfers at once from one client: above storm control's default
                      // per-client limit, which this test is not about
                      "--max-tftp-per-client",
                      "64")
                  .toArray(String[]::new));
      Path ordinaryLog = dir.resolve("ordinary.log");
      Process ordinary =
          lan.start(
              lan.server(),
              ordinaryLog,
              Jar.command(
                      "serve",
                      "--data",
                      ordinaryData.toString(),
                      "--tftp",
                      lan.ip(3) + ":69",
                      "--http",
                      lan.ip(3) + ":8080")
                  .toArray(String[]::new));
      assertThat(Lan.await(log, " ready", single, 90)).as(Files.readString(log)).isTrue();
      assertThat(Lan.await(ordinaryLog, " ready", ordinary, 90))
          .as(Files.readString(ordinaryLog))
          .isTrue();

      // The filter bites: the ordinary mode's replies come from another port and are dropped.
      Processes.Output blocked =
          Processes.run(
              Duration.ofSeconds(30),
              "ip",
              "netns",
              "exec",
              client,
              "curl",
              "-sS",
              "--max-time",
              "6",
              "-o",
              dir.resolve("blocked").toString(),
              "tftp://" + lan.ip(3) + "/blob.bin");
      assertThat(blocked.exit()).as("curl through the filter to the ordinary mode").isNotZero();

      List<Callable<Path>> downloads = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        Path out = dir.resolve("out" + i);
        int blksize = List.of(512, 1024, 1428).get(i % 3);
        List<String> cmd =
            i % 2 == 0
                ? List.of(
                    "atftp",
                    "--option",
                    "blksize " + blksize,
                    "--get",
                    "-r",
                    "blob.bin",
                    "-l",
                    out.toString(),
                    lan.ip(1),
                    "69")
                : List.of(
                    "curl",
                    "-sS",
                    "--max-time",
                    "120",
                    "--tftp-blksize",
                    String.valueOf(blksize),
                    "-o",
                    out.toString(),
                    "tftp://" + lan.ip(1) + "/blob.bin");
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", client));
        full.addAll(cmd);
        downloads.add(
            () -> {
              Processes.Output o =
                  Processes.run(
                      new ProcessBuilder(full).redirectErrorStream(true), Duration.ofSeconds(150));
              assertThat(o.exit()).as("%s: %s", full, o.stdout()).isZero();
              return out;
            });
      }
      List<String> sums = new ArrayList<>();
      try (ExecutorService pool = Executors.newFixedThreadPool(50)) {
        List<Future<Path>> done = pool.invokeAll(downloads, 200, TimeUnit.SECONDS);
        for (Future<Path> f : done) {
          sums.add(sha256(Files.readAllBytes(f.get())));
        }
      }
      assertThat(sums).hasSize(50).containsOnly(want);
      try (Stream<String> lines = Files.lines(log)) {
        assertThat(lines.filter(l -> l.contains("file=\"blob.bin\"") && l.contains("result=ok")))
            .as("transfers the server logged as complete")
            .hasSize(50);
      }
    }
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
