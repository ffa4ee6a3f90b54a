package dev.chainboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.config.TlsFiles;
import dev.chainboot.testing.Certs;
import dev.chainboot.testing.Curl;
import dev.chainboot.testing.Jar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar as operators run it: {@code serve --admin ... --admin-cert ... --admin-key ...},
 * the first admin token made on the server's disk, then the CLI in another process driving the
 * server through the environment (CHAINBOOT_SERVER, CHAINBOOT_TOKEN, CHAINBOOT_CACERT) over TLS,
 * pre-provisioning a never-seen MAC that then boots it. (RemoteCliTest compares every command's
 * output in-process.)
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class RemoteCliIT {

  @TempDir Path tmp;

  @Test
  void anOperatorDrivesTheServerFromAnotherProcessOverTls() throws Exception {
    Path data = tmp.resolve("data");
    TlsFiles tls = Certs.selfSigned(Files.createDirectories(tmp.resolve("tls")));
    int adminPort = Jar.freePort();
    try (Jar.Server s =
        new Jar.Server(
            data,
            tmp.resolve("server.log"),
            "--admin",
            "127.0.0.1:" + adminPort,
            "--admin-cert",
            tls.cert().toString(),
            "--admin-key",
            tls.key().toString())) {
      // The admin listener is announced after the boot listener Jar.Server waits for.
      String announced = "admin API listening on https://127.0.0.1:" + adminPort;
      long until = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
      while (!Files.readString(s.log).contains(announced) && System.nanoTime() < until) {
        Thread.sleep(200);
      }
      assertThat(Files.readString(s.log)).contains(announced);
      Jar.Result created =
          Jar.run("token", "create", "root", "--role", "admin", "--data", data.toString());
      assertThat(created.code()).as(created.err()).isZero();
      Map<String, String> env =
          Map.of(
              "CHAINBOOT_SERVER", "https://127.0.0.1:" + adminPort,
              "CHAINBOOT_TOKEN", created.out().strip(),
              "CHAINBOOT_CACERT", tls.cert().toString());
      Jar.Result script =
          Jar.runWithEnv(
              env,
              "profile",
              "add",
              "install",
              "--kernel",
              "http://10.0.0.1/vmlinuz",
              "--cmdline",
              "auto=true");
      assertThat(script.code()).as(script.err()).isZero();
      Jar.Result once = Jar.runWithEnv(env, "boot", "once", "52:54:00:41:00:01", "install");
      assertThat(once.code()).as(once.err()).isZero();
      assertThat(once.out()).isEqualTo("52:54:00:41:00:01: next boot only -> install\n");
      assertThat(Curl.run(s.base() + "/boot.ipxe?mac=52-54-00-41-00-01").text())
          .contains("kernel http://10.0.0.1/vmlinuz auto=true");
      Jar.Result show = Jar.runWithEnv(env, "machine", "show", "52:54:00:41:00:01");
      assertThat(show.out()).contains("once:     -").contains("install");
      assertThat(Curl.run(s.base() + "/api/v1/machines").status())
          .as("the boot listener has no API")
          .isEqualTo(404);
    }
  }
}
