package dev.chainboot.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.testing.Curl;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real jar: PXESRV_ROOT, --scripts, --extra and --config reach the compat endpoints. */
class CompatServeIT {

  @TempDir Path dir;

  static String java() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  static String jar() {
    return System.getProperty("chainboot.jar", "target/chainboot.jar");
  }

  static Process serve(Map<String, String> env, List<String> lines, String... args)
      throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of(java(), "-jar", jar(), "serve"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().remove("PXESRV_ROOT");
    pb.environment().putAll(env);
    Process p = pb.start();
    Thread.ofVirtual()
        .start(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                  lines.add(l);
                }
              } catch (Exception ignored) {
                // process ended
              }
            });
    return p;
  }

  static void stop(Process p) throws InterruptedException {
    dev.chainboot.testing.Processes.stop(p);
  }

  @Test
  void optionsAndEnvironmentReachTheEndpoints() throws Exception {
    Path root = Files.createDirectories(dir.resolve("pxesrv"));
    Files.writeString(root.resolve("default"), "#!ipxe\necho from-pxesrv-env\n");
    Path scripts = Files.createDirectories(dir.resolve("ipxe"));
    Files.writeString(scripts.resolve("00-11-22-33-44-55.ipxe"), "#!ipxe\necho from-pixie\n");
    Path extra = Files.createDirectories(dir.resolve("extra"));
    Files.writeString(extra.resolve("x.txt"), "extra-file");
    Path config = dir.resolve("cb.yaml");
    Files.writeString(config, "zeroos:\n  runmodes:\n    edge: Edge\n");
    Path data = dir.resolve("data");
    Files.createDirectories(data.resolve("kernels/net"));
    Files.writeString(data.resolve("kernels/z1.efi"), "Z1");
    Files.createSymbolicLink(data.resolve("kernels/net/edge.efi"), Path.of("../z1.efi"));

    List<String> lines = new CopyOnWriteArrayList<>();
    Process p =
        serve(
            Map.of("PXESRV_ROOT", root.toString()),
            lines,
            "--data",
            data.toString(),
            "--tftp",
            "off",
            "--http",
            "127.0.0.1:0",
            "--scripts",
            scripts.toString(),
            "--extra",
            extra.toString(),
            "--config",
            config.toString());
    try {
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .alias("started: " + lines)
          .until(() -> lines.stream().anyMatch(l -> l.contains("ready")));
      String base = "http://127.0.0.1:" + port(lines);
      assertThat(Curl.run(base + "/redirect").text()).isEqualTo("#!ipxe\necho from-pxesrv-env\n");
      assertThat(Curl.run(base + "/ipxe/00-11-22-33-44-55.ipxe").text())
          .isEqualTo("#!ipxe\necho from-pixie\n");
      Curl.Result unknown = Curl.run(base + "/ipxe/52-54-00-99-99-99.ipxe");
      assertThat(unknown.status()).isEqualTo(200);
      assertThat(unknown.text()).startsWith("#!ipxe\n").contains("52:54:00:99:99:99");
      assertThat(Curl.run(base + "/extra/x.txt").text()).isEqualTo("extra-file");
      assertThat(Curl.run(base + "/ipxe/edge/42").text())
          .contains(
              base + "/kernel/z1.efi nomodeset version=v3 runmode=edge panic=7200 farmer_id=42 &&");
      assertThat(Curl.run(base + "/ipxe/prod").status()).isEqualTo(404);
      // Decisions taken from the adapters' own files are BootEvents too: 'chainboot events'.
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                Curl.ProcessOutput ev =
                    Curl.exec(
                        List.of(
                            java(), "-jar", jar(), "events", "--data", data.toString(), "--json"));
                return ev.exit() == 0
                    && ev.stdout().contains("pxesrv")
                    && ev.stdout().contains("pixie")
                    && ev.stdout().contains("zeroos");
              });
    } finally {
      stop(p);
    }
  }

  @Test
  void aPxeSrvRootThatIsNotADirectoryStopsTheServer() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    Process p =
        serve(
            Map.of("PXESRV_ROOT", dir.resolve("missing").toString()),
            lines,
            "--data",
            dir.resolve("data").toString(),
            "--tftp",
            "off",
            "--http",
            "127.0.0.1:0");
    try {
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isEqualTo(2);
      Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  lines.stream()
                      .anyMatch(l -> l.contains("PXESRV_ROOT") && l.contains("not a directory")));
    } finally {
      stop(p);
    }
  }

  static String port(List<String> lines) {
    Pattern http = Pattern.compile("HTTP listening on 127\\.0\\.0\\.1:(\\d+)");
    for (String l : lines) {
      Matcher m = http.matcher(l);
      if (m.find()) {
        return m.group(1);
      }
    }
    throw new AssertionError("no HTTP port in " + lines);
  }
}
