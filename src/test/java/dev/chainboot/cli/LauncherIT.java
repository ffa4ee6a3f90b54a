package dev.chainboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ./chainboot launcher and the jar, run as a user would. */
class LauncherIT {

  static final Path ROOT = Path.of(System.getProperty("chainboot.root", "."));

  @TempDir Path tmp;

  record Result(int exit, String out) {}

  /** Runs ./chainboot with the default java (17 here) first on PATH and no JAVA_HOME. */
  static Result launcher(String... args) throws Exception {
    String[] cmd = new String[args.length + 1];
    cmd[0] = ROOT.resolve("chainboot").toString();
    System.arraycopy(args, 0, cmd, 1, args.length);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().remove("JAVA_HOME");
    pb.environment().put("PATH", "/usr/bin:/bin:/usr/sbin:/sbin");
    pb.environment().put("CHAINBOOT_NO_BUILD", "1");
    dev.chainboot.testing.Processes.Output o =
        dev.chainboot.testing.Processes.run(pb, java.time.Duration.ofSeconds(60));
    return new Result(o.exit(), o.stdout());
  }

  @Test
  void versionFindsAJava21OrNewerByItself() throws Exception {
    Result r = launcher("--version");
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out()).contains("chainboot 0.").containsPattern("Java (2[1-9]|[3-9][0-9])");
    assertThat(r.out()).contains("boot binaries: all").contains("ipxe 1.21.1+git20250501");
  }

  @Test
  void helpListsServe() throws Exception {
    Result r = launcher("--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("Usage: chainboot").contains("serve");
    Result s = launcher("serve", "--help");
    assertThat(s.out())
        .contains("--data")
        .contains("--tftp")
        .contains("--http")
        .contains("--firmware-dir");
  }

  @Test
  void unknownOptionIsAClearErrorWithNonZeroExit() throws Exception {
    Result r = launcher("serve", "--no-such-flag");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.out()).contains("Unknown option: '--no-such-flag'");
  }

  @Test
  void serveAnswersHealthAndStopsCleanlyOnSigterm() throws Exception {
    Path data = tmp.resolve("data");
    Path log = tmp.resolve("serve.log");
    ProcessBuilder pb =
        new ProcessBuilder(
                ROOT.resolve("chainboot").toString(),
                "serve",
                "--data",
                data.toString(),
                "--http",
                "127.0.0.1:0",
                "--tftp",
                "127.0.0.1:0")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().put("CHAINBOOT_NO_BUILD", "1");
    Process p = pb.start();
    try {
      int port = waitForPort(log, p);
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> res =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(res.statusCode()).isEqualTo(200);
      assertThat(res.body()).isEqualTo("ok\n");
      assertThat(data.resolve("tftp")).isDirectory();
      // the boot listener answers before the rest (TFTP, the admin listener) is up: stop a
      // server that has finished starting
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!Files.readString(log).contains(" ready") && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(Files.readString(log)).contains(" ready");

      p.destroy(); // SIGTERM
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("exits after SIGTERM").isTrue();
      assertThat(Files.readString(log)).contains("shutting down");
    } finally {
      dev.chainboot.testing.Processes.kill(p);
    }
  }

  static int waitForPort(Path log, Process p) throws Exception {
    Pattern pat = Pattern.compile("HTTP listening on [^:]+:(\\d+)");
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      Matcher m = pat.matcher(Files.readString(log));
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
      if (!p.isAlive()) {
        throw new AssertionError("server exited: " + Files.readString(log));
      }
      Thread.sleep(100);
    }
    throw new AssertionError("server did not start: " + Files.readString(log));
  }
}
