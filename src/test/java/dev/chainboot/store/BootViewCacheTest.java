package dev.chainboot.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.boot.Assignment;
import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.BootStore.BootView;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Machine;
import dev.chainboot.boot.Profile;
import dev.chainboot.testing.Sqlite3;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * BootViewCache serves a machine's view from memory while nothing is committed, and reads again
 * after any commit by any process. Its reads are counted here: it is built with a reader that
 * counts (the same query SqliteStore's makes, on a connection of its own).
 */
class BootViewCacheTest {

  static final MacAddress A = MacAddress.parse("52:54:00:00:00:0a").orElseThrow();
  static final MacAddress B = MacAddress.parse("52:54:00:00:00:0b").orElseThrow();

  @TempDir Path dir;
  SqliteStore store;
  Connection connection;
  BootViewCache cache;
  final AtomicInteger viewReads = new AtomicInteger();
  final AtomicInteger versionReads = new AtomicInteger();
  final AtomicInteger knownReads = new AtomicInteger();

  /** A cache on {@code db}, counting its reads. */
  BootViewCache cacheOn(Path db) throws SQLException {
    connection = DriverManager.getConnection("jdbc:sqlite:" + db);
    cache = BootViewCache.open(db, this::readView, this::readVersions, this::readKnown);
    return cache;
  }

  /** SqliteStore with a machine A whose static profile is p. */
  void storeWithMachineA() {
    store = SqliteStore.open(dir);
    store.putProfile(Profile.chain("p", "http://example.invalid/p"));
    store.putProfile(Profile.chain("q", "http://example.invalid/q"));
    store.putMachine(Machine.of(A));
    store.assign(new Assignment(A, Assignment.Kind.STATIC, "p"));
  }

  @AfterEach
  void close() throws SQLException {
    if (cache != null) {
      cache.close();
    }
    if (connection != null) {
      connection.close();
    }
    if (store != null) {
      store.close();
    }
  }

  synchronized BootViewCache.Entry readView(MacAddress mac) {
    viewReads.incrementAndGet();
    try (PreparedStatement ps =
        connection.prepareStatement(
            """
        SELECT c.v, mv.v, m.mac,
          (SELECT profile FROM assignments a WHERE a.mac = m.mac AND a.kind = 'once'),
          (SELECT profile FROM assignments a WHERE a.mac = m.mac AND a.kind = 'static')
        FROM config_version c JOIN machine_version mv ON mv.id = 1
          LEFT JOIN machines m ON m.mac = ?
        WHERE c.id = 1""")) {
      ps.setString(1, mac.colon());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        Optional<Machine> m =
            rs.getString(3) == null ? Optional.empty() : Optional.of(Machine.of(mac));
        return new BootViewCache.Entry(
            new BootView(
                m,
                Optional.ofNullable(rs.getString(4)),
                Optional.ofNullable(rs.getString(5)),
                rs.getLong(1)),
            rs.getLong(2));
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  synchronized long[] readVersions() {
    versionReads.incrementAndGet();
    try (PreparedStatement ps =
            connection.prepareStatement(
                "SELECT c.v, mv.v FROM config_version c JOIN machine_version mv ON mv.id = 1");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return new long[] {rs.getLong(1), rs.getLong(2)};
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  synchronized BootViewCache.Known readKnown() {
    knownReads.incrementAndGet();
    try (PreparedStatement ps =
            connection.prepareStatement(
                "SELECT mv.v, m.mac FROM machine_version mv LEFT JOIN machines m ON 1"
                    + " WHERE mv.id = 1");
        ResultSet rs = ps.executeQuery()) {
      long v = -1;
      List<Long> macs = new java.util.ArrayList<>();
      while (rs.next()) {
        v = rs.getLong(1);
        if (rs.getString(2) != null) {
          macs.add(MacAddress.parse(rs.getString(2)).orElseThrow().value());
        }
      }
      return new BootViewCache.Known(
          macs.stream().mapToLong(Long::longValue).sorted().toArray(), v);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aViewIsServedWithoutAnyQueryWhileNothingCommits() throws Exception {
    storeWithMachineA();
    cacheOn(store.file());
    BootView view = cache.get(A);
    assertThat(view)
        .isEqualTo(
            new BootView(
                Optional.of(Machine.of(A)),
                Optional.empty(),
                Optional.of("p"),
                store.configVersion()));
    assertThat(viewReads).hasValue(1);

    store.machines(); // reads commit nothing, here or elsewhere
    store.bootView(A);
    Sqlite3.run(store.file(), "SELECT count(*) FROM machines");
    for (int i = 0; i < 100; i++) {
      assertThat(cache.get(A)).isEqualTo(view);
    }
    assertThat(viewReads).hasValue(1);
    assertThat(versionReads).hasValue(0);
  }

  @Test
  void afterAnyCommitTheVersionsAreReadAgainAndAChangedMachineIsReadAgain() throws Exception {
    storeWithMachineA();
    cacheOn(store.file());
    BootView view = cache.get(A);
    assertThat(viewReads).hasValue(1);

    // a commit that changes no machine: one version read, and the view still holds
    store.appendEvents(
        List.of(
            new BootEvent(
                0,
                Instant.EPOCH,
                Optional.of(A),
                "10.0.0.1",
                BootEvent.Match.NONE,
                "r",
                Optional.empty(),
                "http",
                false)));
    assertThat(cache.get(A)).isEqualTo(view);
    assertThat(cache.get(A)).isEqualTo(view);
    assertThat(versionReads).hasValue(1);
    assertThat(viewReads).hasValue(1);

    // a configuration change: the same view with the new version
    store.putProfile(Profile.localDisk("disk"));
    assertThat(cache.get(A).configVersion())
        .isEqualTo(store.configVersion())
        .isGreaterThan(view.configVersion());
    assertThat(versionReads).hasValue(2);
    assertThat(viewReads).hasValue(1);

    // a machine change, by this process and by another: read again
    store.assign(new Assignment(A, Assignment.Kind.ONCE, "q"));
    assertThat(cache.get(A).onceProfile()).contains("q");
    assertThat(viewReads).hasValue(2);
    Sqlite3.run(store.file(), "UPDATE assignments SET profile = 'q' WHERE kind = 'static'");
    assertThat(cache.get(A).staticProfile()).contains("q");
    assertThat(viewReads).hasValue(3);
    Sqlite3.run(store.file(), "DELETE FROM machines");
    assertThat(cache.get(A).machine()).isEmpty();
    assertThat(viewReads).hasValue(4);
  }

  /** Another process (the sqlite3 shell) registers {@code mac}, a copy of machine A. */
  void registerElsewhere(String mac) {
    Sqlite3.run(
        store.file(),
        "CREATE TEMP TABLE t AS SELECT * FROM machines WHERE mac = '52:54:00:00:00:0a';"
            + " UPDATE t SET mac = '"
            + mac
            + "'; INSERT INTO machines SELECT * FROM t;");
  }

  @Test
  void anUnknownMachineIsAnsweredFromTheKnownMacsUntilAnyProcessRegistersIt() throws Exception {
    storeWithMachineA();
    cacheOn(store.file());
    assertThat(cache.get(B).machine()).isEmpty();
    for (int i = 0; i < 100; i++) {
      assertThat(cache.get(B).machine()).isEmpty(); // a PXE ROM's retries, iPXE's own DHCP
    }
    // a burst of first boots: a thousand MACs the store does not know, not one query each
    for (int i = 0; i < 1000; i++) {
      MacAddress m = new MacAddress(0x02cb_0000_0000L + i);
      assertThat(cache.get(m))
          .isEqualTo(BootView.unassigned(Optional.empty(), store.configVersion()));
    }
    assertThat(knownReads).hasValue(1);
    assertThat(viewReads).hasValue(1); // B's first
    assertThat(cache.get(A).staticProfile()).contains("p"); // a known one is read, once
    assertThat(cache.get(A).staticProfile()).contains("p");
    assertThat(viewReads).hasValue(2);

    // registered by another process: the machine version moved, so B is read again (on its own:
    // the list of MACs was read less than a second ago)
    registerElsewhere("52:54:00:00:00:0b");
    assertThat(cache.get(B).machine()).isPresent();
    assertThat(cache.get(B).machine()).isPresent();
    assertThat(viewReads).hasValue(3);
    assertThat(knownReads).hasValue(1);
    Sqlite3.run(store.file(), "DELETE FROM machines WHERE mac = '52:54:00:00:00:0b'");
    assertThat(cache.get(B).machine()).isEmpty();
    assertThat(viewReads).hasValue(4);

    // a second later the list is read again, and unknown MACs cost no query once more
    Thread.sleep(1100);
    MacAddress c = new MacAddress(0x02cb_0000_1000L);
    assertThat(cache.get(c).machine()).isEmpty();
    assertThat(knownReads).hasValue(2);
    assertThat(cache.get(new MacAddress(0x02cb_0000_1001L)).machine()).isEmpty();
    assertThat(viewReads).hasValue(4);
    registerElsewhere("02:cb:00:00:10:00");
    assertThat(cache.get(c).machine()).isPresent(); // never served from a stale list
  }

  @Test
  void theConfigurationVersionIsReadOnlyAfterACommit() throws Exception {
    storeWithMachineA();
    cacheOn(store.file());
    long v = cache.configVersion();
    for (int i = 0; i < 100; i++) {
      assertThat(cache.configVersion()).isEqualTo(v);
    }
    assertThat(versionReads).hasValue(1);
    Sqlite3.run(store.file(), "UPDATE config_version SET v = v + 1"); // another process
    assertThat(cache.configVersion()).isEqualTo(v + 1);
    assertThat(versionReads).hasValue(2);
  }

  @Test
  void withoutAShmFileEveryLookupReadsTheVersions() throws Exception {
    Path db = dir.resolve("rollback.db"); // no WAL: nothing to watch
    Sqlite3.run(
        db,
        """
        CREATE TABLE config_version (id INTEGER PRIMARY KEY, v BIGINT NOT NULL);
        CREATE TABLE machine_version (id INTEGER PRIMARY KEY, v BIGINT NOT NULL);
        INSERT INTO config_version VALUES (1, 0);
        INSERT INTO machine_version VALUES (1, 0);
        CREATE TABLE machines (mac TEXT PRIMARY KEY);
        CREATE TABLE assignments (mac TEXT, kind TEXT, profile TEXT);
        INSERT INTO machines VALUES ('52:54:00:00:00:0a');
        """);
    cacheOn(db);
    assertThat(dir.resolve("rollback.db-shm")).doesNotExist();
    assertThat(cache.get(A).machine()).isPresent();
    assertThat(cache.get(A).onceProfile()).isEmpty();
    assertThat(cache.get(A).onceProfile()).isEmpty();
    assertThat(versionReads).hasValue(2);
    assertThat(viewReads).hasValue(1);

    Sqlite3.run(
        db,
        "INSERT INTO assignments VALUES ('52:54:00:00:00:0a', 'once', 'p');"
            + " UPDATE machine_version SET v = v + 1;");
    assertThat(cache.get(A).onceProfile()).contains("p");
    assertThat(viewReads).hasValue(2);
  }
}
