package dev.chainboot.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.boot.Assignment;
import dev.chainboot.boot.BootStore.BootView;
import dev.chainboot.boot.Machine;
import dev.chainboot.boot.Profile;
import dev.chainboot.testing.Sqlite3;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SqliteStore keeps the store contract, across handles and processes; it sees sqlite3's writes. */
class SqliteStoreTest extends StoreContract {

  @TempDir Path dir;
  @TempDir static Path templateDir;
  static boolean templateMade;

  /**
   * A copy of a new, migrated, closed database: the same empty store a first open makes, without
   * running the migrations again for every test.
   */
  @Override
  protected Store newStore() {
    try {
      synchronized (SqliteStoreTest.class) {
        if (!templateMade) {
          SqliteStore.open(templateDir).close();
          templateMade = true;
        }
      }
      try (var files = Files.list(templateDir)) {
        for (Path f : files.toList()) {
          Files.copy(f, dir.resolve(f.getFileName()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return SqliteStore.open(dir);
  }

  @Test
  void aNewDirectoryIsANewEmptyStore() {
    store.close();
    store = SqliteStore.open(dir.resolve("new")); // not a copy of the template: migrated here
    assertThat(snapshot(store))
        .isEqualTo(
            new Snapshot(
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                Optional.empty(),
                store.configVersion()));
    assertThat(store.events(Optional.empty(), 0, 10)).isEmpty();
    assertThat(Files.exists(dir.resolve("new").resolve("chainboot.db"))).isTrue();
  }

  @Override
  protected Store openAgain() {
    return SqliteStore.open(dir);
  }

  @Override
  protected List<String> storeProcessSpec() {
    return List.of("sqlite", dir.toString());
  }

  String sqlite3(String sql) {
    return Sqlite3.run(((SqliteStore) store).file(), sql);
  }

  @Test
  void theNextBootViewSeesAChangeMadeWithTheSqlite3Tool() {
    chains("p-once", "p-static", "p-other");
    store.putMachine(Machine.of(A));
    store.assign(new Assignment(A, Assignment.Kind.STATIC, "p-static"));
    BootView first = store.bootView(A);
    assertThat(store.bootView(A)).isEqualTo(first); // now from the cache

    sqlite3(
        "INSERT INTO assignments (mac, kind, profile, created_at) VALUES ('"
            + A
            + "', 'once', 'p-once', 0)");
    assertThat(store.bootView(A).onceProfile()).contains("p-once");

    sqlite3(
        "UPDATE assignments SET profile = 'p-other' WHERE mac = '" + A + "' AND kind = 'static'");
    assertThat(store.bootView(A).staticProfile()).contains("p-other");

    sqlite3("UPDATE machines SET labels = '{\"rack\":\"r9\"}' WHERE mac = '" + A + "'");
    assertThat(store.bootView(A).machine())
        .contains(Machine.of(A).withLabels(Map.of("rack", "r9")));

    long v = store.bootView(A).configVersion();
    sqlite3(
        "UPDATE profiles SET chain_url = 'http://example.invalid/changed'"
            + " WHERE name = 'p-other'");
    assertThat(store.bootView(A).configVersion()).isGreaterThan(v).isEqualTo(store.configVersion());
    assertThat(store.profile("p-other"))
        .contains(Profile.chain("p-other", "http://example.invalid/changed"));

    sqlite3("DELETE FROM machines WHERE mac = '" + A + "'");
    assertThat(store.bootView(A).machine()).isEmpty();
    assertThat(sqlite3("SELECT count(*) FROM assignments")).as("cascaded").isEqualTo("0\n");
  }

  @Test
  void aRowWrittenBySqlite3ReadsBackLikeOneWrittenByTheStore() {
    sqlite3(
        "INSERT INTO profiles (name, kind, kernel, initrds, cmdline, chain_url, script, menu)"
            + " VALUES ('k', 'kernel', 'http://x/k', '[\"http://x/b\",\"http://x/a\"]', 'quiet',"
            + " NULL, NULL, '[]')");
    assertThat(store.profile("k"))
        .contains(Profile.kernel("k", "http://x/k", List.of("http://x/b", "http://x/a"), "quiet"));
  }

  @Test
  void anExceptionInsideAtomicallyUndoesItsWrites() {
    store.putProfile(Profile.localDisk("p"));
    Machine m = Machine.of(dev.chainboot.boot.MacAddress.parse("52:54:00:99:00:01").orElseThrow());
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                store.atomically(
                    () -> {
                      store.putMachine(m);
                      store.assign(new Assignment(m.mac(), Assignment.Kind.ONCE, "p"));
                      throw new IllegalStateException("changed my mind");
                    }))
        .hasMessage("changed my mind");
    assertThat(store.machine(m.mac())).isEmpty();
    assertThat(store.assignments()).isEmpty();
  }
}
