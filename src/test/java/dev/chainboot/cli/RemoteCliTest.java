package dev.chainboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.config.TlsFiles;
import dev.chainboot.testing.AdminServer;
import dev.chainboot.testing.Certs;
import dev.chainboot.testing.Curl;
import dev.chainboot.testing.Jar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI driving a remote server: {@code chainboot --server https://... --token T ...} against a
 * real server with its admin listener on TLS, and the same commands with {@code --data} on that
 * server's own directory; output, errors and exit codes must be the same, character for character.
 * The CLI runs in this JVM (each command costs milliseconds, so every command is compared);
 * RemoteCliIT runs the packaged jar for the few things only it can show.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class RemoteCliTest {

  static final String MAC = "52:54:00:40:00:01";
  static final String NEW = "52:54:00:40:00:99";

  @TempDir Path tmp;
  Path data;
  String server;
  String token;
  TlsFiles tls;

  /** Runs the CLI in this JVM, with stdout and stderr captured. */
  static synchronized Jar.Result cli(String... args) {
    java.io.PrintStream out = System.out;
    java.io.PrintStream err = System.err;
    java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream e = new java.io.ByteArrayOutputStream();
    try {
      System.setOut(new java.io.PrintStream(o, true, java.nio.charset.StandardCharsets.UTF_8));
      System.setErr(new java.io.PrintStream(e, true, java.nio.charset.StandardCharsets.UTF_8));
      int code = Main.commandLine().execute(args);
      System.out.flush();
      System.err.flush();
      return new Jar.Result(
          code,
          o.toString(java.nio.charset.StandardCharsets.UTF_8),
          // The server runs in this JVM too: its log lines are not the CLI's output.
          e.toString(java.nio.charset.StandardCharsets.UTF_8)
              .replaceAll("(?m)^\\d{4}-\\d\\d-\\d\\dT\\S+ (INFO|WARN|ERROR|DEBUG) .*\\R", ""));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  Jar.Result local(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--data");
    all.add(data.toString());
    return cli(all.toArray(String[]::new));
  }

  Jar.Result remote(String... args) throws Exception {
    return remoteAs(token, args);
  }

  Jar.Result remoteAs(String t, String... args) throws Exception {
    List<String> all =
        new ArrayList<>(
            List.of("--server", server, "--token", t, "--cacert", tls.cert().toString()));
    all.addAll(List.of(args));
    return cli(all.toArray(String[]::new));
  }

  void ok(Jar.Result r) {
    assertThat(r.code()).as(r.err()).isZero();
  }

  void same(String... args) throws Exception {
    Jar.Result l = local(args);
    Jar.Result r = remote(args);
    assertThat(r.out()).as("stdout of " + String.join(" ", args)).isEqualTo(l.out());
    assertThat(r.code())
        .as("exit of " + String.join(" ", args) + ": " + r.err())
        .isEqualTo(l.code());
    assertThat(withoutAgentNotes(r.err()))
        .as("stderr of " + String.join(" ", args))
        .isEqualTo(withoutAgentNotes(l.err()));
  }

  /**
   * The captured stderr without the lines Jazzer's agent prints when it instruments a class that
   * loads during the capture (it is in this JVM when the fuzz tests ran before this one).
   */
  static String withoutAgentNotes(String err) {
    return err.replaceAll("(?m)^INFO: Instrumented .*\\R", "");
  }

  @Test
  void zeroOsKernelsAreUploadedSwitchedAndListedLocallyAndRemotely() throws Exception {
    data = tmp.resolve("data");
    tls = Certs.selfSigned(Files.createDirectories(tmp.resolve("tls")));
    try (AdminServer s = new AdminServer(data, java.util.Optional.of(tls))) {
      server = s.adminBase();
      token = s.token(dev.chainboot.auth.Role.OPERATOR);
      Path k = Files.write(tmp.resolve("zero-os-cli-amd64.efi"), "MZ cli".getBytes());
      Jar.Result up = remote("zos", "kernel", "upload", k.toString());
      ok(up);
      assertThat(up.out()).startsWith("kernel zero-os-cli-amd64.efi stored (6 bytes, sha256 ");
      assertThat(data.resolve("kernels/zero-os-cli-amd64.efi")).hasContent("MZ cli");
      ok(remote("zos", "kernel", "switch", "prod", "zero-os-cli-amd64.efi"));
      assertThat(Files.readSymbolicLink(data.resolve("kernels/net/prod.efi")))
          .isEqualTo(Path.of("..", "zero-os-cli-amd64.efi"));
      same("zos", "kernel", "list");
      assertThat(local("zos", "kernel", "list").out())
          .containsPattern("prod +Production +zero-os-cli-amd64.efi")
          .containsPattern("zero-os-cli-amd64.efi +6 .* prod");
      Jar.Result bad = remote("zos", "kernel", "upload", k.toString(), "--name", "../x.efi");
      assertThat(bad.code()).isNotZero();
      assertThat(bad.err()).contains("plain file name");
      assertThat(data.resolve("x.efi")).doesNotExist();
      Jar.Result inUse = local("zos", "kernel", "delete", "zero-os-cli-amd64.efi");
      assertThat(inUse.code()).isNotZero();
      assertThat(inUse.err()).contains("switch the runmode");
    }
  }

  @Test
  void everyCommandPrintsTheSameRemotelyAsOnTheServersDisk() throws Exception {
    data = tmp.resolve("data");
    tls = Certs.selfSigned(Files.createDirectories(tmp.resolve("tls")));
    try (AdminServer s = new AdminServer(data, java.util.Optional.of(tls))) {
      server = s.adminBase();
      Jar.Result created = local("token", "create", "cli", "--role", "admin");
      ok(created);
      token = created.out().strip();
      assertThat(token).startsWith("cbt_");
      assertThat(created.err()).contains("shown this once only");

      // Change everything remotely, as an operator at their desk would.
      ok(
          remote(
              "profile",
              "add",
              "install",
              "--kernel",
              "http://10.0.0.1/vmlinuz",
              "--initrd",
              "http://10.0.0.1/initrd.img",
              "--cmdline",
              "console=ttyS0 mac={{mac}}"));
      ok(remote("profile", "add", "disk", "--local-disk"));
      ok(remote("profile", "add", "both", "--menu", "install,disk"));
      ok(
          remote(
              "machine",
              "add",
              MAC,
              "--hostname",
              "node1",
              "--ip",
              "10.0.40.1",
              "--arch",
              "x86_64",
              "--label",
              "rack=r1"));
      Jar.Result pre = remote("boot", "once", NEW, "install");
      ok(pre);
      assertThat(pre.out()).isEqualTo(NEW + ": next boot only -> install\n");
      ok(remote("boot", "static", MAC, "disk"));
      ok(
          remote(
              "group",
              "add",
              "racks",
              "--profile",
              "install",
              "--label",
              "rack=r9",
              "--mac-prefix",
              "52:54:00"));
      ok(remote("boot", "default", "disk"));
      ok(remote("import", "pixie", Files.createDirectories(tmp.resolve("pixie")).toString()));

      // The never-seen MAC boots its once-assignment: pre-provisioning works end to end.
      Curl.Result boot = Curl.run(s.bootBase() + "/boot.ipxe?mac=" + NEW.replace(':', '-'));
      assertThat(boot.text()).contains("kernel http://10.0.0.1/vmlinuz console=ttyS0 mac=" + NEW);
      Curl.run(s.bootBase() + "/boot.ipxe?mac=" + MAC);
      s.server.events().flush();

      for (String[] cmd :
          List.of(
              new String[] {"machine", "list"},
              new String[] {"machine", "list", "--json"},
              new String[] {"machine", "show", MAC},
              new String[] {"machine", "show", "10.0.40.1", "--json"},
              new String[] {"machine", "show", NEW},
              new String[] {"profile", "list"},
              new String[] {"profile", "list", "--json"},
              new String[] {"profile", "show", "install"},
              new String[] {"group", "list"},
              new String[] {"boot", "list"},
              new String[] {"boot", "preview", MAC, "--base-url", "http://10.0.0.1:8080"},
              new String[] {
                "boot",
                "preview",
                "52:54:00:40:00:77",
                "--base-url",
                "http://10.0.0.1:8080",
                "--json"
              },
              new String[] {"events"},
              new String[] {"events", "--machine", NEW, "--json"},
              new String[] {"events", "--match", "once", "--profile", "install"},
              new String[] {"import", "pixie", tmp.resolve("pixie").toString(), "--dry-run"},
              // errors: the same message and exit code
              new String[] {"boot", "once", MAC, "nosuch"},
              new String[] {"boot", "once", "10.9.9.9", "install"},
              new String[] {"machine", "add", "not-a-mac"},
              new String[] {"machine", "show", "52:54:00:40:00:55"},
              new String[] {"profile", "rm", "disk"},
              new String[] {"profile", "add", "bad", "--kernel", "file:///etc/passwd"},
              new String[] {"profile", "add", "loop", "--menu", "both"},
              new String[] {"events", "--since", "yesterday"},
              new String[] {"token", "revoke", "nobody"})) {
        same(cmd);
      }

      // Boot media: the server builds the same bytes as the CLI does here.
      Path remoteEsp = tmp.resolve("remote.esp");
      Path localEsp = tmp.resolve("local.esp");
      ok(remote("media", "esp", "http://10.0.0.1:8080/boot.ipxe", "-o", remoteEsp.toString()));
      ok(cli("media", "esp", "http://10.0.0.1:8080/boot.ipxe", "-o", localEsp.toString()));
      assertThat(Files.readAllBytes(remoteEsp)).isEqualTo(Files.readAllBytes(localEsp));

      // Tokens: roles, revocation, and what a remote call without one says.
      Jar.Result viewer = remote("token", "create", "eve", "--role", "viewer");
      ok(viewer);
      String eve = viewer.out().strip();
      ok(remoteAs(eve, "machine", "list"));
      Jar.Result forbidden = remoteAs(eve, "profile", "add", "x", "--local-disk");
      assertThat(forbidden.code()).isEqualTo(1);
      assertThat(forbidden.err())
          .contains("forbidden: this needs the operator role; eve has viewer");
      ok(remote("token", "revoke", "eve"));
      Jar.Result revoked = remoteAs(eve, "machine", "list");
      assertThat(revoked.code()).isEqualTo(1);
      assertThat(revoked.err()).contains("unauthorized");
      assertThat(remote("token", "list").out())
          .containsPattern("(?m)^cli +admin ")
          .containsPattern("(?m)^eve +viewer .* revoked ");
      Jar.Result noToken = cli("--server", server, "machine", "list");
      assertThat(noToken.code()).isEqualTo(2);
      assertThat(noToken.err()).contains("--server needs a token");
      Jar.Result both = remote("machine", "list", "--data", data.toString());
      assertThat(both.code()).isEqualTo(2);
      assertThat(both.err()).contains("not both");
      Jar.Result untrusted = cli("--server", server, "--token", token, "machine", "list");
      assertThat(untrusted.code())
          .as("a self-signed certificate is not trusted unasked")
          .isEqualTo(1);
      assertThat(untrusted.err()).contains("cannot reach");
      Jar.Result down =
          cli(
              "--server",
              "http://127.0.0.1:" + Jar.freePort(),
              "--token",
              token,
              "machine",
              "list");
      assertThat(down.code()).isEqualTo(1);
      assertThat(down.err()).contains("cannot reach");
    }
  }
}
