package dev.chainboot.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.boot.Profile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The migration layout of docs/architecture.md ("A migration"): db/migration/common for SQL both
 * engines run, db/migration/sqlite and db/migration/postgresql for the rest, one version history.
 * Migrations already applied somewhere never change, and a database made before the layout existed
 * (when SQLite's migrations sat directly in db/migration) still opens.
 */
class MigrationsTest {

  static final Path ROOT = Path.of("src/main/resources/db/migration");
  static final Pattern NAME = Pattern.compile("V(\\d+)__([a-z0-9_]+)\\.sql");

  /** sha256 of migrations released with SQLite installs: Flyway refuses a changed one. */
  static final Map<String, String> RELEASED =
      Map.of(
          "sqlite/V1__boot_core.sql",
          "722ee6f0ee58fda6e85b04721ce7bcce4180b18f9b7fab8ec63d73b6f5e2227b",
          "sqlite/V2__config_version.sql",
          "0cf4d2125bf081573089a4db9d44b08ae5626b4a53732f6d94c5ef37f88ee88b",
          "sqlite/V3__machine_version.sql",
          "c92c24cf31e84f958bcd7a6afc904b0b9e03da32a46f4dc3f2a52432d221ba0e");

  @TempDir Path tmp;

  static Map<Integer, String> versions(String folder) throws Exception {
    Map<Integer, String> out = new TreeMap<>();
    Path dir = ROOT.resolve(folder);
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        String name = f.getFileName().toString();
        if (!name.endsWith(".sql")) {
          continue;
        }
        Matcher m = NAME.matcher(name);
        assertThat(m.matches())
            .as("%s/%s: V<number>__<lowercase_words>.sql", folder, name)
            .isTrue();
        assertThat(out.put(Integer.parseInt(m.group(1)), m.group(2)))
            .as("version %s twice in %s", m.group(1), folder)
            .isNull();
      }
    }
    return out;
  }

  @Test
  void releasedMigrationsAreByteForByteUnchanged() throws Exception {
    for (Map.Entry<String, String> e : RELEASED.entrySet()) {
      byte[] b = Files.readAllBytes(ROOT.resolve(e.getKey()));
      assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b)))
          .as("%s was applied by released installs; add a new version instead", e.getKey())
          .isEqualTo(e.getValue());
    }
  }

  @Test
  void everyVersionIsCommonOrInBothEnginesFoldersAndNothingElseIsAMigration() throws Exception {
    try (Stream<Path> top = Files.list(ROOT)) {
      assertThat(top.filter(p -> p.toString().endsWith(".sql")).toList())
          .as("migrations go in common/, or in sqlite/ and postgresql/ (docs/architecture.md)")
          .isEmpty();
    }
    Map<Integer, String> common = versions("common");
    Map<Integer, String> sqlite = versions("sqlite");
    Map<Integer, String> postgresql = versions("postgresql");
    Set<Integer> all = new TreeSet<>(common.keySet());
    all.addAll(sqlite.keySet());
    all.addAll(postgresql.keySet());
    assertThat(all).contains(1, 2, 3);
    for (int v : all) {
      if (common.containsKey(v)) {
        assertThat(sqlite).as("V%d is in common/ and sqlite/", v).doesNotContainKey(v);
        assertThat(postgresql).as("V%d is in common/ and postgresql/", v).doesNotContainKey(v);
      } else {
        assertThat(sqlite).as("V%d is in postgresql/ but not sqlite/", v).containsKey(v);
        assertThat(postgresql).as("V%d is in sqlite/ but not postgresql/", v).containsKey(v);
        assertThat(postgresql.get(v)).as("V%d's description", v).isEqualTo(sqlite.get(v));
      }
    }
  }

  @Test
  void aDatabaseMigratedBeforeTheLayoutExistedOpensAndKeepsItsData() throws Exception {
    Path old = Files.createDirectories(tmp.resolve("old-layout"));
    for (String f : RELEASED.keySet()) {
      Files.copy(ROOT.resolve(f), old.resolve(Path.of(f).getFileName()));
    }
    Path data = Files.createDirectories(tmp.resolve("data"));
    Flyway.configure()
        .dataSource("jdbc:sqlite:" + data.resolve("chainboot.db"), null, null)
        .locations("filesystem:" + old)
        .load()
        .migrate();
    try (SqliteStore s = SqliteStore.open(data)) {
      s.putProfile(Profile.localDisk("disk"));
    }
    try (SqliteStore s = SqliteStore.open(data)) {
      assertThat(s.profiles()).containsExactly(Profile.localDisk("disk"));
    }
  }
}
