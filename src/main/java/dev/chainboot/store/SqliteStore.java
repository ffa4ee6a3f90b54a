package dev.chainboot.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.chainboot.boot.BootStore.BootView;
import dev.chainboot.boot.MacAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The {@link Store} in {@code DATA/chainboot.db}: SQLite in WAL mode with a busy timeout and
 * foreign keys, migrated by Flyway, shared safely by the server and CLI processes. Writes run in
 * {@code BEGIN IMMEDIATE} transactions and are retried a few times on SQLITE_BUSY.
 */
public final class SqliteStore extends JdbcStore {

  private static final Logger log = LoggerFactory.getLogger(SqliteStore.class);
  private final Path file;
  private final BootViewCache views;
  private final ReentrantLock writeLock = new ReentrantLock();

  private SqliteStore(Path file, HikariDataSource pool) {
    super(pool);
    this.file = file;
    this.views = BootViewCache.open(file, this::readBootView, this::readVersions, this::readKnown);
  }

  /** Opens (creating and migrating if needed) {@code dataDir/chainboot.db}. */
  public static SqliteStore open(Path dataDir) {
    try {
      Files.createDirectories(dataDir);
    } catch (java.io.IOException e) {
      throw new StoreException(
          "cannot create data directory " + dataDir + ": " + e.getMessage(), e);
    }
    Path file = dataDir.resolve("chainboot.db").toAbsolutePath();
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl("jdbc:sqlite:" + file);
    hc.setPoolName("sqlite");
    hc.setMaximumPoolSize(Integer.getInteger("chainboot.db.pool", 16));
    hc.setMinimumIdle(1);
    hc.addDataSourceProperty("journal_mode", "WAL");
    hc.addDataSourceProperty("synchronous", "NORMAL");
    hc.addDataSourceProperty("foreign_keys", "true");
    hc.addDataSourceProperty("busy_timeout", "10000");
    hc.addDataSourceProperty("transaction_mode", "IMMEDIATE");
    HikariDataSource ds;
    try {
      ds = new HikariDataSource(hc);
    } catch (RuntimeException e) {
      throw new StoreException("cannot open " + file + ": " + e.getMessage(), e);
    }
    try {
      migrate(ds);
    } catch (RuntimeException e) {
      ds.close();
      throw new StoreException("cannot migrate " + file + ": " + e.getMessage(), e);
    }
    return new SqliteStore(file, ds);
  }

  private static void migrate(HikariDataSource ds) {
    Flyway flyway =
        Flyway.configure()
            .dataSource(ds)
            .locations(Migrations.locations("sqlite"))
            .loggers("slf4j")
            .load();
    for (int attempt = 1; ; attempt++) {
      try {
        flyway.migrate();
        return;
      } catch (RuntimeException e) {
        // Another process may be migrating the same new file at this moment.
        if (attempt >= 3) {
          throw e;
        }
        log.debug("migration attempt {} failed ({}), retrying", attempt, e.toString());
        sleep(200L * attempt);
      }
    }
  }

  public Path file() {
    return file;
  }

  @Override
  protected String where() {
    return file.toString();
  }

  // ---------------------------------------------------------------- boot path

  private static final String BOOT_VIEW =
      """
      SELECT c.v AS config_version, mv.v AS machine_version, m.*,
        (SELECT profile FROM assignments a WHERE a.mac = m.mac AND a.kind = 'once') AS once_p,
        (SELECT profile FROM assignments a WHERE a.mac = m.mac AND a.kind = 'static') AS static_p
      FROM config_version c JOIN machine_version mv ON mv.id = 1
        LEFT JOIN machines m ON m.mac = ?
      WHERE c.id = 1""";

  private static final String VERSIONS =
      """
      SELECT c.v, mv.v FROM config_version c JOIN machine_version mv ON mv.id = 1
      WHERE c.id = 1""";

  @Override
  public BootView bootView(MacAddress mac) {
    return views.get(mac);
  }

  /** The machine's boot view and the machine version it is as of, read in one statement. */
  private BootViewCache.Entry readBootView(MacAddress mac) {
    // Plain JDBC: this runs on every boot request that misses the cache.
    return retry(
        () -> {
          try (Connection c = pool.getConnection();
              PreparedStatement ps = c.prepareStatement(BOOT_VIEW)) {
            ps.setString(1, mac.colon());
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                throw new StoreException("config_version row missing in " + file);
              }
              long v = rs.getLong("config_version");
              long mv = rs.getLong("machine_version");
              if (rs.getString("mac") == null) {
                return new BootViewCache.Entry(BootView.unassigned(Optional.empty(), v), mv);
              }
              return new BootViewCache.Entry(
                  new BootView(
                      Optional.of(machine(rs)),
                      Optional.ofNullable(rs.getString("once_p")),
                      Optional.ofNullable(rs.getString("static_p")),
                      v),
                  mv);
            }
          } catch (SQLException e) {
            throw new StoreException("reading machine " + mac + ": " + e.getMessage(), e);
          }
        });
  }

  /** Every stored machine's MAC, sorted, and the machine version, read in one statement. */
  private BootViewCache.Known readKnown() {
    return retry(
        () -> {
          try (Connection c = pool.getConnection();
              PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT mv.v, m.mac FROM machine_version mv LEFT JOIN machines m ON 1"
                          + " WHERE mv.id = 1");
              ResultSet rs = ps.executeQuery()) {
            long version = -1;
            long[] macs = new long[256];
            int n = 0;
            while (rs.next()) {
              version = rs.getLong(1);
              String mac = rs.getString(2);
              if (mac == null) {
                continue;
              }
              Optional<MacAddress> m = MacAddress.parse(mac);
              if (m.isEmpty()) {
                throw new StoreException("unreadable MAC in " + file + ": " + mac);
              }
              if (n == macs.length) {
                macs = Arrays.copyOf(macs, n * 2);
              }
              macs[n++] = m.get().value();
            }
            if (version < 0) {
              throw new StoreException("machine_version row missing in " + file);
            }
            macs = Arrays.copyOf(macs, n);
            Arrays.sort(macs);
            return new BootViewCache.Known(macs, version);
          } catch (SQLException e) {
            throw new StoreException("reading the machines' MACs: " + e.getMessage(), e);
          }
        });
  }

  /** The current {config version, machine version}, read in one statement. */
  private long[] readVersions() {
    return retry(
        () -> {
          try (Connection c = pool.getConnection();
              PreparedStatement ps = c.prepareStatement(VERSIONS);
              ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
              throw new StoreException("config_version row missing in " + file);
            }
            return new long[] {rs.getLong(1), rs.getLong(2)};
          } catch (SQLException e) {
            throw new StoreException("reading versions: " + e.getMessage(), e);
          }
        });
  }

  /** SQLite's shared machine counter (PostgreSQL has none: its caches learn by NOTIFY). */
  @Override
  public java.util.OptionalLong machineVersion() {
    return java.util.OptionalLong.of(
        read(
            h ->
                h.createQuery("SELECT v FROM machine_version WHERE id = 1")
                    .mapTo(Long.class)
                    .one()));
  }

  @Override
  public long configVersion() {
    return views.configVersion(); // no query while nothing was committed since the last read
  }

  // ---------------------------------------------------------------- plumbing

  /**
   * Runs a write with this process's other writes kept out: they queue on a Java lock (where a
   * virtual thread parks) instead of in SQLite's busy handler (which sleeps in native code, holding
   * one of the few carrier threads). Other processes still meet the busy timeout.
   */
  @Override
  protected <T> T serialized(Supplier<T> op) {
    writeLock.lock();
    try {
      return op.get();
    } finally {
      writeLock.unlock();
    }
  }

  /** Runs {@code op}, retrying a few times when SQLite reports the database busy or locked. */
  @Override
  protected <T> T retry(Supplier<T> op, boolean idempotent) {
    return retry(op);
  }

  private static <T> T retry(Supplier<T> op) {
    for (int attempt = 1; ; attempt++) {
      try {
        return op.get();
      } catch (RuntimeException e) {
        if (attempt >= 5 || !isBusy(e)) {
          throw e;
        }
        log.debug("SQLite busy (attempt {}), retrying", attempt);
        sleep(20L * attempt);
      }
    }
  }

  private static boolean isBusy(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLiteException s) {
        SQLiteErrorCode c = s.getResultCode();
        return c != null && (c.code & 0xff) == 5 || c != null && (c.code & 0xff) == 6;
      }
    }
    return false;
  }

  @Override
  public void close() {
    views.close();
    pool.close();
  }

  @Override
  protected String labelMatchSql() {
    return "EXISTS (SELECT 1 FROM json_each(m.labels) j WHERE lower(j.key || '=' || j.value) LIKE :pat ESCAPE '!')";
  }
}
