package dev.chainboot.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chainboot.boot.MacAddress;
import dev.chainboot.compat.pixie.PixieLayout;
import dev.chainboot.compat.pxesrv.PxeSrvLayout;
import dev.chainboot.compat.zeroos.ZeroOsImport;
import dev.chainboot.compat.zeroos.ZeroOsProvisionDb;
import dev.chainboot.config.ConfigFile;
import dev.chainboot.testing.Curl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The read side of the import commands: pxe_srv roots, pixie dirs, Zero-OS SQLite files. */
class ImportLayoutsTest {

  @TempDir Path tmp;

  @Test
  void pxeSrvRoot() throws Exception {
    Path root = tmp.resolve("root");
    Files.createDirectories(root.resolve("once"));
    Files.createDirectories(root.resolve("static"));
    Files.createDirectories(root.resolve("centos/7"));
    Files.writeString(root.resolve("default"), "#!ipxe\necho menu\n");
    Files.writeString(root.resolve("centos/7/default"), "#!ipxe\necho c7\n");
    Files.writeString(root.resolve("static/10.0.0.5"), "#!ipxe\necho five\n");
    Files.createSymbolicLink(root.resolve("static/10.0.0.6"), Path.of("../centos/7/default"));
    Files.createSymbolicLink(root.resolve("once/10.0.0.5"), Path.of("../centos/7/default"));
    Files.createSymbolicLink(root.resolve("once/10.0.0.7"), Path.of("../missing"));
    Files.writeString(root.resolve("once/10.0.0.8"), "regular");
    Files.writeString(root.resolve("static/README"), "notes");
    Files.writeString(tmp.resolve("outside"), "#!ipxe\n");
    Files.createSymbolicLink(root.resolve("static/10.0.0.9"), tmp.resolve("outside"));

    PxeSrvLayout l = PxeSrvLayout.read(root);
    assertThat(l.defaultScript())
        .contains(new PxeSrvLayout.Script("default", "#!ipxe\necho menu\n"));
    assertThat(l.statics())
        .containsExactly(
            new PxeSrvLayout.Entry(
                "10.0.0.5", new PxeSrvLayout.Script("static/10.0.0.5", "#!ipxe\necho five\n")),
            new PxeSrvLayout.Entry(
                "10.0.0.6", new PxeSrvLayout.Script("centos/7/default", "#!ipxe\necho c7\n")));
    assertThat(l.onces())
        .containsExactly(
            new PxeSrvLayout.Entry(
                "10.0.0.5", new PxeSrvLayout.Script("centos/7/default", "#!ipxe\necho c7\n")));
    assertThat(l.skipped())
        .hasSize(4)
        .anyMatch(s -> s.startsWith("once/10.0.0.7"))
        .anyMatch(s -> s.startsWith("once/10.0.0.8"))
        .anyMatch(s -> s.startsWith("static/README"))
        .anyMatch(s -> s.startsWith("static/10.0.0.9"));
    // Reading changes nothing.
    assertThat(Files.isSymbolicLink(root.resolve("once/10.0.0.5"))).isTrue();
  }

  @Test
  void pixieDirectory() throws Exception {
    Files.writeString(tmp.resolve("00-11-22-33-44-55.ipxe"), "#!ipxe\necho a\n");
    Files.writeString(tmp.resolve("AA-BB-CC-DD-EE-FF.ipxe"), "#!ipxe\necho b\n");
    Files.writeString(tmp.resolve("aa-bb-cc-dd-ee-ff.ipxe"), "#!ipxe\necho dup\n");
    Files.writeString(tmp.resolve("menu.ipxe"), "#!ipxe\n");
    PixieLayout l = PixieLayout.read(tmp);
    assertThat(l.scripts())
        .extracting(PixieLayout.MacScript::mac)
        .containsExactly(
            MacAddress.parse("00:11:22:33:44:55").orElseThrow(),
            MacAddress.parse("aa:bb:cc:dd:ee:ff").orElseThrow());
    assertThat(l.scripts().get(0).content()).isEqualTo("#!ipxe\necho a\n");
    assertThat(l.skipped())
        .hasSize(2)
        .anyMatch(s -> s.startsWith("menu.ipxe"))
        .anyMatch(s -> s.contains("second file"));
  }

  @Test
  void zeroOsProvisionSqliteWithTheRealSqlite3() throws Exception {
    Path db = tmp.resolve("bootstrap.sqlite3");
    sql(
        db,
        "CREATE TABLE provision (client VARCHAR(64) PRIMARY KEY, branch VARCHAR(32), zerotier VARCHAR(32), kargs TEXT);"
            + "INSERT INTO provision VALUES ('52:54:00:12:34:56', 'prod', '1234', 'console=ttyS0 debug');"
            + "INSERT INTO provision VALUES ('52:54:00:12:34:57', 'test', '', '');"
            + "INSERT INTO provision VALUES ('52:54:00:12:34:58', 'prod', '12', 'x\n#!ipxe shell');"
            + "INSERT INTO provision VALUES ('52:54:00:12:34:59', 'nope', '12', '');"
            + "INSERT INTO provision VALUES ('not-a-mac', 'prod', '12', '');"
            + "INSERT INTO provision VALUES ('52:54:00:12:34:5a', 'dev', 'abc', NULL);");
    ZeroOsProvisionDb r = ZeroOsProvisionDb.read(db, ConfigFile.DEFAULT_RUNMODES.keySet());
    assertThat(r.rows()).hasSize(2);
    assertThat(r.rows().get(0).mac())
        .isEqualTo(MacAddress.parse("52:54:00:12:34:56").orElseThrow());
    // What the seed's /provision/<mac> script booted them with (boot-quick.ipxe).
    assertThat(r.rows().get(0).request().kernelCommandLine(ZeroOsImport.PROVISION_CMDLINE))
        .isEqualTo("nomodeset runmode=prod farmer_id=1234 console=ttyS0 debug");
    assertThat(r.rows().get(1).request().kernelCommandLine(ZeroOsImport.PROVISION_CMDLINE))
        .isEqualTo("nomodeset runmode=test");
    assertThat(r.skipped()).hasSize(4);
    assertThat(String.join("\n", r.skipped()))
        .contains("unsafe extra")
        .contains("unknown runmode 'nope'")
        .contains("not-a-mac")
        .contains("farmer id");
  }

  @Test
  void zeroOsOlderReleaseColumnAndBadFiles() throws Exception {
    Path db = tmp.resolve("old.sqlite3");
    sql(
        db,
        "CREATE TABLE provision (client TEXT PRIMARY KEY, release TEXT, zerotier TEXT, kargs TEXT);"
            + "INSERT INTO provision VALUES ('52-54-00-00-00-01', 'qa', '7', NULL);");
    assertThat(ZeroOsProvisionDb.read(db, ConfigFile.DEFAULT_RUNMODES.keySet()).rows())
        .singleElement()
        .satisfies(row -> assertThat(row.request().runmode()).isEqualTo("qa"));
    Path other = tmp.resolve("other.sqlite3");
    sql(other, "CREATE TABLE t (x);");
    assertThatThrownBy(() -> ZeroOsProvisionDb.read(other, ConfigFile.DEFAULT_RUNMODES.keySet()))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("no table 'provision'");
    assertThatThrownBy(
            () ->
                ZeroOsProvisionDb.read(
                    tmp.resolve("missing"), ConfigFile.DEFAULT_RUNMODES.keySet()))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("no such file");
    assertThat(Files.exists(tmp.resolve("missing"))).isFalse();
  }

  static void sql(Path db, String statements) throws Exception {
    Curl.ProcessOutput out = Curl.exec(List.of("sqlite3", db.toString(), statements));
    assertThat(out.exit()).as(out.stderr()).isZero();
  }
}
