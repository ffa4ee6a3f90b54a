package dev.chainboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.config.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Configuration a package manager can own: every serve option in the file and as CHAINBOOT_*, flag
 * &gt; environment &gt; file &gt; default; {@code config check} names key and line; {@code config
 * show} says where each value comes from.
 */
class ConfigCommandTest {

  @TempDir Path tmp;

  record Run(int exit, String out, String err) {}

  static synchronized Run run(Map<String, String> env, String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      int exit = Main.commandLine(List.of(args), env).execute(args);
      return new Run(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  /** What serve would run with, parsed (not started) as Main parses it. */
  static ServerConfig serveConfig(Map<String, String> env, String... args) {
    List<String> all = new java.util.ArrayList<>(List.of("serve"));
    all.addAll(List.of(args));
    CommandLine cl = Main.commandLine(all, env);
    CommandLine.ParseResult r = cl.parseArgs(all.toArray(String[]::new));
    ServeCommand serve = (ServeCommand) r.subcommand().commandSpec().userObject();
    return serve.config();
  }

  Path file(String yaml) throws Exception {
    Path f = tmp.resolve("chainboot.yaml");
    Files.writeString(f, yaml);
    return f;
  }

  @Test
  void flagBeatsEnvironmentBeatsFileBeatsDefault() throws Exception {
    Path f = file("http: 127.0.0.1:8001\ntftp: 'off'\nproxy-dhcp: true\nefi-binary: ipxe.efi\n");
    Map<String, String> env = new HashMap<>(Map.of("CHAINBOOT_CONFIG", f.toString()));

    assertThat(serveConfig(Map.of()).http().getPort()).as("default").isEqualTo(8080);
    ServerConfig fromFile = serveConfig(env);
    assertThat(fromFile.http().getPort()).as("file").isEqualTo(8001);
    assertThat(fromFile.tftp()).isEmpty();
    assertThat(fromFile.proxyDhcp()).isPresent();

    env.put("CHAINBOOT_HTTP", "127.0.0.1:8002");
    env.put("CHAINBOOT_PROXY_DHCP", "false");
    ServerConfig fromEnv = serveConfig(env);
    assertThat(fromEnv.http().getPort()).as("environment over file").isEqualTo(8002);
    assertThat(fromEnv.proxyDhcp()).as("environment false over file true").isEmpty();

    assertThat(serveConfig(env, "--http", "127.0.0.1:8003").http().getPort())
        .as("flag over environment")
        .isEqualTo(8003);

    Run show = run(env, "config", "show", "--", "--data", tmp.resolve("d").toString());
    assertThat(show.exit()).as(show.err()).isZero();
    assertThat(show.out())
        .contains("# file: " + f)
        .containsPattern("http: \"127.0.0.1:8002\" +# environment CHAINBOOT_HTTP")
        .containsPattern("tftp: \"off\" +# " + java.util.regex.Pattern.quote(f + " line 2"))
        .containsPattern(
            "efi-binary: \"ipxe.efi\" +# " + java.util.regex.Pattern.quote(f + " line 4"))
        .containsPattern(
            "data: \"" + java.util.regex.Pattern.quote(tmp.resolve("d").toString()) + "\" +# flag")
        .contains("# firmware-dir: not set (default)")
        .containsPattern("proxy-dhcp: false +# environment CHAINBOOT_PROXY_DHCP");
  }

  @Test
  void theDataDirectorysFileIsUsedWhenNoneIsNamed() throws Exception {
    Path data = Files.createDirectories(tmp.resolve("data"));
    Files.writeString(data.resolve("chainboot.yaml"), "http: 127.0.0.1:8011\n");
    assertThat(serveConfig(Map.of(), "--data", data.toString()).http().getPort()).isEqualTo(8011);
    assertThat(serveConfig(Map.of("CHAINBOOT_DATA", data.toString())).http().getPort())
        .isEqualTo(8011);
  }

  @Test
  void showPrintsAFileThatCheckAccepts() throws Exception {
    Path f = file("http: 127.0.0.1:8001\ndb-password-file: /run/secret\n");
    Run show = run(Map.of("CHAINBOOT_CONFIG", f.toString()), "config", "show");
    assertThat(show.exit()).as(show.err()).isZero();
    Path again = tmp.resolve("again.yaml");
    Files.writeString(again, show.out());
    Run check = run(Map.of(), "config", "check", again.toString());
    assertThat(check.exit()).as(check.err()).isZero();
    assertThat(check.out()).contains(again + ": ok");
  }

  @Test
  void checkNamesTheBadKeyAndItsLine() throws Exception {
    Path f =
        file(
            """
            # chainboot
            http: 0.0.0.0:8080
            zeroos:
              runmodes:
                prod: Production
            tftpp: 0.0.0.0:69
            efi-binary: undionly.kpxe
            proxy-dhcp: maybe
            advertise:
              - a
              - b
            """);
    Run r = run(Map.of(), "config", "check", f.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .contains(f + ":6: unknown key 'tftpp' (did you mean 'tftp'?)")
        .contains(f + ":7: efi-binary: --efi-binary must be snponly.efi or ipxe.efi")
        .contains(f + ":8: 'proxy-dhcp' is true or false, not 'maybe'")
        .contains(f + ":9: 'advertise' takes one value, not a list");
    assertThat(r.err()).doesNotContain(":2:").doesNotContain(":3:");
  }

  @Test
  void checkReportsYamlErrorsWithTheirLine() throws Exception {
    Path f = file("http: 0.0.0.0:8080\ntftp: [unclosed\n");
    Run r = run(Map.of(), "config", "check", f.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains(f + ":").contains("not valid YAML");
    Path ok = file("http: 0.0.0.0:8080\ntftp: 0.0.0.0:69\n");
    assertThat(run(Map.of(), "config", "check", ok.toString()).exit()).isZero();
  }

  @Test
  void aCommandFailsWithTheFilesProblemNotWithASurprise() throws Exception {
    Path f = file("htp: 0.0.0.0:8080\n");
    Run r =
        run(Map.of("CHAINBOOT_CONFIG", f.toString()), "machine", "list", "--data", tmp.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains(f + ":1: unknown key 'htp' (did you mean 'http'?)");
    Run missing =
        run(Map.of("CHAINBOOT_CONFIG", tmp.resolve("none.yaml").toString()), "serve", "--help");
    assertThat(missing.out() + missing.err()).contains("none.yaml not found");
  }

  /**
   * Options added to serve later (by other features) need no code here: the provider works from
   * option names. Shown on a command spec with options of the kinds being added (a repeatable list,
   * a number, a flag).
   */
  @Test
  void anyOptionNameIsAKeyAndAnEnvironmentVariable() throws Exception {
    CommandSpec spec = CommandSpec.create();
    spec.addOption(OptionSpec.builder("--max-tftp").type(int.class).build());
    spec.addOption(
        OptionSpec.builder("--trusted-proxy")
            .type(List.class)
            .auxiliaryTypes(String.class)
            .splitRegex(",")
            .build());
    spec.addOption(OptionSpec.builder("--https").type(boolean.class).build());
    Path f = file("max-tftp: 77\ntrusted-proxy:\n  - 10.0.0.1\n  - 10.0.0.2\nhttps: yes\n");
    java.util.Set<String> keys = ConfigDefaults.keysOf(spec);
    assertThat(keys).containsExactly("max-tftp", "trusted-proxy", "https");

    CommandLine cl = new CommandLine(spec);
    cl.setDefaultValueProvider(new ConfigDefaults(Map.of(), keys, Optional.of(f), true));
    cl.parseArgs();
    assertThat((Integer) spec.findOption("--max-tftp").getValue()).isEqualTo(77);
    List<Object> proxies = spec.findOption("--trusted-proxy").getValue();
    assertThat(proxies).containsExactly("10.0.0.1", "10.0.0.2");
    assertThat((Boolean) spec.findOption("--https").getValue()).isTrue();

    CommandSpec spec2 = CommandSpec.create();
    spec2.addOption(OptionSpec.builder("--max-tftp").type(int.class).build());
    CommandLine cl2 = new CommandLine(spec2);
    cl2.setDefaultValueProvider(
        new ConfigDefaults(Map.of("CHAINBOOT_MAX_TFTP", "5"), keys, Optional.of(f), true));
    cl2.parseArgs();
    assertThat((Integer) spec2.findOption("--max-tftp").getValue()).isEqualTo(5);
  }
}
