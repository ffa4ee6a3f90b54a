package dev.chainboot.tftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.testing.Peer;
import dev.chainboot.testing.Processes;
import dev.chainboot.testing.Unprivileged;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The real jar: {@code serve --tftp}, a transfer and its log line; the port-69 privilege hint. */
class TftpServeIT {

  @TempDir Path dir;

  private static String java() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  private static String jar() {
    return System.getProperty("chainboot.jar", "target/chainboot.jar");
  }

  @Test
  @Timeout(180)
  void servesChainIpxeAndLogsTheTransfer() throws Exception {
    Process p =
        new ProcessBuilder(
                java(),
                "-jar",
                jar(),
                "serve",
                "--data",
                dir.resolve("data").toString(),
                "--tftp",
                "127.0.0.1:0",
                "--http",
                "127.0.0.1:0")
            .redirectErrorStream(true)
            .start();
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread reader =
        Thread.ofVirtual()
            .start(
                () -> {
                  try (BufferedReader r =
                      new BufferedReader(
                          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = r.readLine()) != null) {
                      lines.add(l);
                    }
                  } catch (Exception ignored) {
                    // process ended
                  }
                });
    try {
      Pattern tftp = Pattern.compile("TFTP listening on 127\\.0\\.0\\.1:(\\d+)");
      Pattern http = Pattern.compile("HTTP listening on 127\\.0\\.0\\.1:(\\d+)");
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .alias("started: " + lines)
          .until(() -> lines.stream().anyMatch(l -> l.contains("ready")));
      String port = find(lines, tftp);
      String httpPort = find(lines, http);
      Peer.Result r =
          Peer.run(
              dir,
              Duration.ofSeconds(30),
              "curl",
              "-sS",
              "-o",
              "chain.ipxe",
              "tftp://127.0.0.1:" + port + "/chain.ipxe");
      assertThat(r.exit()).as(r.output()).isZero();
      String script = Files.readString(dir.resolve("chain.ipxe"));
      assertThat(script)
          .startsWith("#!ipxe\n")
          .contains(":" + httpPort + "/boot.ipxe?mac=${mac:hexhyp}");
      Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .alias("transfer log line: " + lines)
          .until(
              () ->
                  lines.stream()
                      .anyMatch(
                          l ->
                              l.contains("tftp")
                                  && l.contains("client=127.0.0.1:")
                                  && l.contains("file=\"chain.ipxe\"")
                                  && l.contains("bytes=" + script.length())
                                  && l.contains("result=ok")));
    } finally {
      Processes.stop(p);
      reader.join(5000);
    }
  }

  private static String find(List<String> lines, Pattern pat) {
    for (String l : lines) {
      Matcher m = pat.matcher(l);
      if (m.find()) {
        return m.group(1);
      }
    }
    throw new AssertionError("no " + pat + " in " + lines);
  }

  /**
   * Runs without the privilege for port 69 on every machine (whatever the host's
   * ip_unprivileged_port_start): nobody, no capabilities, in a fresh network namespace whose
   * ip_unprivileged_port_start is 1024 ({@link Unprivileged}).
   */
  @Test
  @Timeout(120)
  void port69WithoutPrivilegeSaysHowToFixIt() throws Exception {
    Path data = dir.resolve("data");
    Files.createDirectories(data);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxrwxrwx"));
    List<String> cmd =
        Unprivileged.command(
            List.of(
                java(),
                "-jar",
                jar(),
                "serve",
                "--data",
                data.toString(),
                "--tftp",
                "127.0.0.1:69",
                "--http",
                "127.0.0.1:0"));
    // A server that did bind port 69 would keep running: the bounded run then fails the test.
    Processes.Output r =
        Processes.run(new ProcessBuilder(cmd).redirectErrorStream(true), Duration.ofSeconds(60));
    String out = r.stdout();
    Unprivileged.assertSetUp(out);
    assertThat(r.exit()).as(out).isEqualTo(1);
    assertThat(out)
        .contains("cannot listen for TFTP on 127.0.0.1:69")
        .contains("run as root")
        .contains("setcap cap_net_bind_service=+ep")
        .contains("sysctl net.ipv4.ip_unprivileged_port_start=69")
        .contains("--tftp 0.0.0.0:6969");
  }
}
