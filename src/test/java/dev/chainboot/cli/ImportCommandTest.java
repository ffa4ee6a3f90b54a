package dev.chainboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.boot.Assignment;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.store.SqliteStore;
import dev.chainboot.testing.Curl;
import dev.chainboot.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chainboot import pxesrv|pixie|zeroos} into a real store, then the imported rules served by
 * a real server through /boot.ipxe to curl.
 */
class ImportCommandTest {

  @TempDir Path tmp;

  record Run(int exit, String out) {}

  static synchronized Run run(String... args) {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
      int exit = Main.commandLine().execute(args);
      return new Run(exit, buf.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(old);
    }
  }

  static MacAddress mac(String s) {
    return MacAddress.parse(s).orElseThrow();
  }

  @Test
  void pixieScriptsBecomeMachinesProfilesAndStaticAssignments() throws Exception {
    Path data = tmp.resolve("data");
    Path dir = Files.createDirectories(tmp.resolve("ipxe"));
    Files.writeString(dir.resolve("00-11-22-33-44-55.ipxe"), "#!ipxe\necho pixie-machine-one\n");
    Files.writeString(dir.resolve("AA-BB-CC-DD-EE-FF.ipxe"), "#!ipxe\necho pixie-machine-two\n");
    Files.writeString(dir.resolve("menu.ipxe"), "#!ipxe\n");
    Files.writeString(dir.resolve("52-54-00-00-00-09.ipxe"), "#!ipxe\necho {{mac}}\n");

    Run dry = run("import", "pixie", dir.toString(), "--data", data.toString(), "--dry-run");
    assertThat(dry.exit()).isZero();
    assertThat(dry.out()).contains("would add profile pixie-00-11-22-33-44-55");
    try (SqliteStore s = SqliteStore.open(data)) {
      assertThat(s.profiles()).isEmpty();
    }

    Run r = run("import", "pixie", dir.toString(), "--data", data.toString());
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out())
        .contains(
            "add profile pixie-aa-bb-cc-dd-ee-ff",
            "add machine aa:bb:cc:dd:ee:ff",
            "assign aa:bb:cc:dd:ee:ff static -> pixie-aa-bb-cc-dd-ee-ff",
            "skipped menu.ipxe",
            "skipped 52-54-00-00-00-09.ipxe: contains '{{'");
    try (SqliteStore s = SqliteStore.open(data)) {
      assertThat(s.assignment(mac("00:11:22:33:44:55"), Assignment.Kind.STATIC))
          .contains("pixie-00-11-22-33-44-55");
      assertThat(s.machine(mac("52:54:00:00:00:09"))).isEmpty();
    }
    assertThat(run("import", "pixie", dir.toString(), "--data", data.toString()).out())
        .contains("0 changes");

    try (TestServer server = new TestServer(data)) {
      Curl.Result boot = Curl.run(server.base() + "/boot.ipxe?mac=aa-bb-cc-dd-ee-ff");
      assertThat(boot.status()).isEqualTo(200);
      assertThat(boot.text()).startsWith("#!ipxe").contains("echo pixie-machine-two");
    }
  }

  @Test
  void pxeSrvRulesFollowTheMachineKnownAtTheIp() throws Exception {
    Path data = tmp.resolve("data");
    Path root = tmp.resolve("pxesrv");
    Files.createDirectories(root.resolve("once"));
    Files.createDirectories(root.resolve("static"));
    Files.writeString(root.resolve("default"), "#!ipxe\necho pxesrv-default-menu\n");
    Files.writeString(root.resolve("install"), "#!ipxe\necho pxesrv-install-once\n");
    Files.writeString(root.resolve("static/127.0.0.2"), "#!ipxe\necho pxesrv-static-two\n");
    Files.createSymbolicLink(root.resolve("once/127.0.0.2"), Path.of("../install"));

    Run first = run("import", "pxesrv", root.toString(), "--data", data.toString());
    assertThat(first.exit()).as(first.out()).isZero();
    assertThat(first.out())
        .contains("set default -> pxesrv-default")
        .contains("skipped static/127.0.0.2: no machine known at 127.0.0.2")
        .contains("skipped once/127.0.0.2: no machine known at 127.0.0.2");

    try (TestServer server = new TestServer(data)) {
      String url = server.base() + "/boot.ipxe?mac=52-54-00-00-00-02";
      // The machine boots once through chainboot from 127.0.0.2: it gets the default and is known.
      assertThat(Curl.run("--interface", "127.0.0.2", url).text())
          .contains("echo pxesrv-default-menu");

      Run second = run("import", "pxesrv", root.toString(), "--data", data.toString());
      assertThat(second.exit()).as(second.out()).isZero();
      assertThat(second.out())
          .contains("assign 52:54:00:00:00:02 static -> pxesrv-static-127.0.0.2")
          .contains("assign 52:54:00:00:00:02 once -> pxesrv-install");

      assertThat(Curl.run("--interface", "127.0.0.2", url).text())
          .contains("echo pxesrv-install-once");
      assertThat(Curl.run("--interface", "127.0.0.2", url).text())
          .contains("echo pxesrv-static-two");
    }
    // The pxe_srv root is only read.
    assertThat(Files.isSymbolicLink(root.resolve("once/127.0.0.2"))).isTrue();
  }

  @Test
  void zeroOsProvisionRowsBecomeKernelProfiles() throws Exception {
    Path data = tmp.resolve("data");
    Path db = tmp.resolve("bootstrap.sqlite3");
    Curl.ProcessOutput made =
        Curl.exec(
            List.of(
                "sqlite3",
                db.toString(),
                "CREATE TABLE provision (client VARCHAR(64) PRIMARY KEY, branch VARCHAR(32), zerotier VARCHAR(32), kargs TEXT);"
                    + "INSERT INTO provision VALUES ('52:54:00:12:34:56', 'prod', '1234', 'console=ttyS0');"
                    + "INSERT INTO provision VALUES ('52:54:00:12:34:57', 'prod', '1', 'x' || char(10) || 'shell');"));
    assertThat(made.exit()).as(made.stderr()).isZero();

    Run r = run("import", "zeroos", db.toString(), "--data", data.toString());
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out())
        .contains(
            "add profile zeroos-525400123456",
            "assign 52:54:00:12:34:56 static",
            "skipped client 52:54:00:12:34:57: unsafe extra kernel argument");
    try (SqliteStore s = SqliteStore.open(data)) {
      assertThat(s.machine(mac("52:54:00:12:34:57"))).isEmpty();
    }

    Files.createDirectories(data.resolve("kernels/net"));
    Files.writeString(data.resolve("kernels/zos-v3.efi"), "KERNEL");
    Files.createSymbolicLink(data.resolve("kernels/net/prod.efi"), Path.of("../zos-v3.efi"));
    try (TestServer server = new TestServer(data)) {
      String script = Curl.run(server.base() + "/boot.ipxe?mac=52-54-00-12-34-56").text();
      assertThat(script)
          .contains(
              server.base()
                  + "/kernel/net/prod.efi nomodeset runmode=prod farmer_id=1234 console=ttyS0");
      assertThat(Curl.run(server.base() + "/kernel/net/prod.efi").text()).isEqualTo("KERNEL");
    }
  }

  @Test
  void badSourcesFailClearly() {
    Run missing =
        run(
            "import",
            "pixie",
            tmp.resolve("nope").toString(),
            "--data",
            tmp.resolve("d").toString());
    assertThat(missing.exit()).isEqualTo(2);
    Run notDb =
        run(
            "import",
            "zeroos",
            tmp.resolve("nope.sqlite3").toString(),
            "--data",
            tmp.resolve("d").toString());
    assertThat(notDb.exit()).isEqualTo(2);
    assertThat(Files.exists(tmp.resolve("nope.sqlite3"))).isFalse();
  }
}
