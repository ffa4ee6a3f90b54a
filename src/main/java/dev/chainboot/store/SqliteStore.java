package dev.chainboot.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.chainboot.boot.Arch;
import dev.chainboot.boot.Assignment;
import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.BootStore.BootView;
import dev.chainboot.boot.FirmwareSettings;
import dev.chainboot.boot.Group;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Machine;
import dev.chainboot.boot.Platform;
import dev.chainboot.boot.Profile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@link Store} in {@code DATA/chainboot.db}: SQLite in WAL mode with a busy timeout and
 * foreign keys, migrated by Flyway, shared safely by the server and CLI processes. Writes run in
 * {@code BEGIN IMMEDIATE} transactions and are retried a few times on SQLITE_BUSY.
 */
public final class SqliteStore implements Store {

  private static final Logger log = LoggerFactory.getLogger(SqliteStore.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {};
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

  private final HikariDataSource pool;
  private final Jdbi jdbi;
  private final Path file;
  private final BootViewCache views;
  private final ReentrantLock writeLock = new ReentrantLock();

  private SqliteStore(Path file, HikariDataSource pool) {
    this.file = file;
    this.pool = pool;
    this.jdbi = Jdbi.create(pool);
    this.views = BootViewCache.open(file, this::readBootView, this::readVersions);
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
            .locations("classpath:db/migration")
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
          try (java.sql.Connection c = pool.getConnection();
              java.sql.PreparedStatement ps = c.prepareStatement(BOOT_VIEW)) {
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

  /** The current {config version, machine version}, read in one statement. */
  private long[] readVersions() {
    return retry(
        () -> {
          try (java.sql.Connection c = pool.getConnection();
              java.sql.PreparedStatement ps = c.prepareStatement(VERSIONS);
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

  @Override
  public long configVersion() {
    return read(
        h -> h.createQuery("SELECT v FROM config_version WHERE id = 1").mapTo(Long.class).one());
  }

  // ---------------------------------------------------------------- machines

  @Override
  public Optional<Machine> machine(MacAddress mac) {
    return read(
        h ->
            h.createQuery("SELECT * FROM machines WHERE mac = :mac")
                .bind("mac", mac.colon())
                .map((rs, ctx) -> machine(rs))
                .findOne());
  }

  @Override
  public Optional<Machine> machineByIp(String ip) {
    return read(
        h ->
            h.createQuery(
                    "SELECT * FROM machines WHERE ip = :ip ORDER BY seen_at DESC, mac LIMIT 1")
                .bind("ip", ip)
                .map((rs, ctx) -> machine(rs))
                .findOne());
  }

  @Override
  public List<Machine> machines() {
    return read(
        h ->
            h.createQuery("SELECT * FROM machines ORDER BY mac")
                .map((rs, ctx) -> machine(rs))
                .list());
  }

  @Override
  public void putMachine(Machine m) {
    write(
        h ->
            h.createUpdate(
                    """
            INSERT INTO machines (mac, ip, uuid, serial, hostname, arch, platform, labels, created_at)
            VALUES (:mac, :ip, :uuid, :serial, :hostname, :arch, :platform, :labels, :now)
            ON CONFLICT (mac) DO UPDATE SET ip = excluded.ip, uuid = excluded.uuid,
              serial = excluded.serial, hostname = excluded.hostname, arch = excluded.arch,
              platform = excluded.platform, labels = excluded.labels""")
                .bindMap(machineParams(m))
                .bind("now", now())
                .execute());
  }

  @Override
  public boolean registerMachine(Machine m) {
    return write(
            h ->
                h.createUpdate(
                        """
            INSERT INTO machines (mac, ip, uuid, serial, hostname, arch, platform, labels,
              created_at, seen_at)
            VALUES (:mac, :ip, :uuid, :serial, :hostname, :arch, :platform, :labels, :now, :now)
            ON CONFLICT (mac) DO NOTHING""")
                    .bindMap(machineParams(m))
                    .bind("now", now())
                    .execute())
        > 0;
  }

  @Override
  public void updateSeen(Machine m) {
    write(
        h ->
            h.createUpdate(
                    """
            UPDATE machines SET ip = :ip, uuid = :uuid, serial = :serial, hostname = :hostname,
              arch = :arch, platform = :platform, seen_at = :now WHERE mac = :mac""")
                .bindMap(machineParams(m))
                .bind("now", now())
                .execute());
  }

  @Override
  public boolean deleteMachine(MacAddress mac) {
    return write(
            h ->
                h.createUpdate("DELETE FROM machines WHERE mac = :mac")
                    .bind("mac", mac.colon())
                    .execute())
        > 0;
  }

  private static Map<String, Object> machineParams(Machine m) {
    Map<String, Object> p = new java.util.HashMap<>();
    p.put("mac", m.mac().colon());
    p.put("ip", m.ip().orElse(null));
    p.put("uuid", m.uuid().orElse(null));
    p.put("serial", m.serial().orElse(null));
    p.put("hostname", m.hostname().orElse(null));
    p.put("arch", m.arch().map(Arch::ipxeName).orElse(null));
    p.put("platform", m.platform().map(Platform::ipxeName).orElse(null));
    p.put("labels", JSON.writeValueAsString(m.labels()));
    return p;
  }

  private static Machine machine(ResultSet rs) throws SQLException {
    return new Machine(
        MacAddress.parse(rs.getString("mac")).orElseThrow(),
        Optional.ofNullable(rs.getString("ip")),
        Optional.ofNullable(rs.getString("uuid")),
        Optional.ofNullable(rs.getString("serial")),
        Optional.ofNullable(rs.getString("hostname")),
        Arch.parse(rs.getString("arch")),
        Platform.parse(rs.getString("platform")),
        JSON.readValue(rs.getString("labels"), LABELS));
  }

  // ---------------------------------------------------------------- profiles

  @Override
  public Optional<Profile> profile(String name) {
    return read(
        h ->
            h.createQuery("SELECT * FROM profiles WHERE name = :name")
                .bind("name", name)
                .map((rs, ctx) -> profile(rs))
                .findOne());
  }

  @Override
  public List<Profile> profiles() {
    return read(
        h ->
            h.createQuery("SELECT * FROM profiles ORDER BY name")
                .map((rs, ctx) -> profile(rs))
                .list());
  }

  @Override
  public void putProfile(Profile p) {
    write(
        h ->
            h.createUpdate(
                    """
            INSERT INTO profiles
              (name, kind, kernel, initrds, cmdline, chain_url, script, menu, loader)
            VALUES (:name, :kind, :kernel, :initrds, :cmdline, :chain, :script, :menu, :loader)
            ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, kernel = excluded.kernel,
              initrds = excluded.initrds, cmdline = excluded.cmdline,
              chain_url = excluded.chain_url, script = excluded.script, menu = excluded.menu,
              loader = excluded.loader""")
                .bind("name", p.name())
                .bind("kind", p.kind().name().toLowerCase(Locale.ROOT))
                .bind("kernel", p.kernel().orElse(null))
                .bind("initrds", JSON.writeValueAsString(p.initrds()))
                .bind("cmdline", p.cmdline().orElse(null))
                .bind("chain", p.chainUrl().orElse(null))
                .bind("script", p.script().orElse(null))
                .bind("menu", JSON.writeValueAsString(p.menu()))
                .bind("loader", p.loader().map(FirmwareSettings.Loader::text).orElse(null))
                .execute());
  }

  @Override
  public boolean deleteProfile(String name) {
    return write(
        h -> {
          List<String> users = new ArrayList<>();
          users.addAll(
              h.createQuery("SELECT 'assignment of ' || mac FROM assignments WHERE profile = :n")
                  .bind("n", name)
                  .mapTo(String.class)
                  .list());
          users.addAll(
              h.createQuery("SELECT 'group ' || name FROM machine_groups WHERE profile = :n")
                  .bind("n", name)
                  .mapTo(String.class)
                  .list());
          users.addAll(
              h.createQuery("SELECT 'the default' FROM default_profile WHERE profile = :n")
                  .bind("n", name)
                  .mapTo(String.class)
                  .list());
          for (Profile p :
              h.createQuery("SELECT * FROM profiles WHERE kind = 'menu'")
                  .map((rs, ctx) -> profile(rs))
                  .list()) {
            if (p.menu().contains(name)) {
              users.add("menu " + p.name());
            }
          }
          if (!users.isEmpty()) {
            throw new StoreException(
                "profile " + name + " is in use by " + String.join(", ", users));
          }
          return h.createUpdate("DELETE FROM profiles WHERE name = :n").bind("n", name).execute()
              > 0;
        });
  }

  private static Profile profile(ResultSet rs) throws SQLException {
    return new Profile(
        rs.getString("name"),
        Profile.Kind.valueOf(rs.getString("kind").toUpperCase(Locale.ROOT)),
        Optional.ofNullable(rs.getString("kernel")),
        JSON.readValue(rs.getString("initrds"), STRINGS),
        Optional.ofNullable(rs.getString("cmdline")),
        Optional.ofNullable(rs.getString("chain_url")),
        Optional.ofNullable(rs.getString("script")),
        JSON.readValue(rs.getString("menu"), STRINGS),
        Optional.ofNullable(rs.getString("loader")).flatMap(FirmwareSettings.Loader::parse));
  }

  // ---------------------------------------------------------------- assignments

  @Override
  public void assign(Assignment a) {
    write(
        h ->
            h.createUpdate(
                    """
            INSERT INTO assignments (mac, kind, profile, created_at) VALUES (:mac, :kind, :p, :now)
            ON CONFLICT (mac, kind) DO UPDATE SET profile = excluded.profile,
              created_at = excluded.created_at""")
                .bind("mac", a.mac().colon())
                .bind("kind", kind(a.kind()))
                .bind("p", a.profile())
                .bind("now", now())
                .execute());
  }

  @Override
  public Optional<String> assignment(MacAddress mac, Assignment.Kind kind) {
    return read(
        h ->
            h.createQuery("SELECT profile FROM assignments WHERE mac = :mac AND kind = :kind")
                .bind("mac", mac.colon())
                .bind("kind", kind(kind))
                .mapTo(String.class)
                .findOne());
  }

  @Override
  public List<Assignment> assignments() {
    return read(
        h ->
            h.createQuery("SELECT mac, kind, profile FROM assignments ORDER BY mac, kind")
                .map(
                    (rs, ctx) ->
                        new Assignment(
                            MacAddress.parse(rs.getString("mac")).orElseThrow(),
                            Assignment.Kind.valueOf(rs.getString("kind").toUpperCase(Locale.ROOT)),
                            rs.getString("profile")))
                .list());
  }

  @Override
  public int clearAssignments(MacAddress mac, Optional<String> profile) {
    return write(
        h ->
            h.createUpdate(
                    "DELETE FROM assignments WHERE mac = :mac"
                        + (profile.isPresent() ? " AND profile = :p" : ""))
                .bind("mac", mac.colon())
                .bind("p", profile.orElse(null))
                .execute());
  }

  @Override
  public Optional<String> consumeOnce(MacAddress mac) {
    // Cheap read first: most boots have no once-assignment and need no write lock.
    if (assignment(mac, Assignment.Kind.ONCE).isEmpty()) {
      return Optional.empty();
    }
    // One statement in one IMMEDIATE transaction: SQLite's write lock makes it exactly-once
    // across connections and processes.
    return write(
        h ->
            h.createQuery(
                    "DELETE FROM assignments WHERE mac = :mac AND kind = 'once' RETURNING profile")
                .bind("mac", mac.colon())
                .mapTo(String.class)
                .findOne());
  }

  @Override
  public void setDefaultProfile(Optional<String> profile) {
    write(
        h ->
            profile.isPresent()
                ? h.createUpdate(
                        """
              INSERT INTO default_profile (id, profile) VALUES (1, :p)
              ON CONFLICT (id) DO UPDATE SET profile = excluded.profile""")
                    .bind("p", profile.get())
                    .execute()
                : h.createUpdate("DELETE FROM default_profile").execute());
  }

  @Override
  public Optional<String> defaultProfile() {
    return read(
        h ->
            h.createQuery("SELECT profile FROM default_profile WHERE id = 1")
                .mapTo(String.class)
                .findOne());
  }

  private static String kind(Assignment.Kind k) {
    return k.name().toLowerCase(Locale.ROOT);
  }

  // ---------------------------------------------------------------- groups

  @Override
  public List<Group> groups() {
    return read(
        h ->
            h.createQuery("SELECT * FROM machine_groups ORDER BY name")
                .map(
                    (rs, ctx) ->
                        new Group(
                            rs.getString("name"),
                            rs.getString("profile"),
                            JSON.readValue(rs.getString("labels"), LABELS),
                            Arch.parse(rs.getString("arch")),
                            Optional.ofNullable(rs.getString("mac_prefix")),
                            FirmwareSettings.parse(rs.getString("firmware"))))
                .list());
  }

  @Override
  public void putGroup(Group g) {
    write(
        h ->
            h.createUpdate(
                    """
            INSERT INTO machine_groups (name, profile, arch, mac_prefix, labels, firmware)
            VALUES (:name, :p, :arch, :prefix, :labels, :firmware)
            ON CONFLICT (name) DO UPDATE SET profile = excluded.profile, arch = excluded.arch,
              mac_prefix = excluded.mac_prefix, labels = excluded.labels,
              firmware = excluded.firmware""")
                .bind("name", g.name())
                .bind("p", g.profile())
                .bind("arch", g.arch().map(Arch::ipxeName).orElse(null))
                .bind("prefix", g.macPrefix().orElse(null))
                .bind("labels", JSON.writeValueAsString(g.labels()))
                .bind("firmware", g.firmware().text())
                .execute());
  }

  @Override
  public boolean deleteGroup(String name) {
    return write(
            h ->
                h.createUpdate("DELETE FROM machine_groups WHERE name = :n")
                    .bind("n", name)
                    .execute())
        > 0;
  }

  // ---------------------------------------------------------------- events

  @Override
  public void appendEvents(List<BootEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    // Plain JDBC: every boot request ends up here, so binding stays cheap.
    serialized(
        () ->
            retry(
                () -> {
                  try (java.sql.Connection c = pool.getConnection()) {
                    c.setAutoCommit(false);
                    try (java.sql.PreparedStatement ps = c.prepareStatement(INSERT_EVENT)) {
                      for (BootEvent e : events) {
                        ps.setLong(1, e.time().toEpochMilli());
                        ps.setString(2, e.mac().map(MacAddress::colon).orElse(null));
                        ps.setString(3, e.clientIp());
                        ps.setString(4, e.match().name().toLowerCase(Locale.ROOT));
                        ps.setString(5, e.reason());
                        ps.setString(6, e.profile().orElse(null));
                        ps.setString(7, e.protocol());
                        ps.setBoolean(8, e.onceConsumed());
                        ps.addBatch();
                      }
                      ps.executeBatch();
                      c.commit();
                    } catch (SQLException | RuntimeException ex) {
                      c.rollback();
                      throw ex;
                    } finally {
                      c.setAutoCommit(true);
                    }
                    return events.size();
                  } catch (SQLException ex) {
                    throw new StoreException("recording boot events: " + ex.getMessage(), ex);
                  }
                }));
  }

  private static final String INSERT_EVENT =
      """
      INSERT INTO boot_events (at, mac, client_ip, match_kind, reason, profile, protocol,
        once_consumed)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)""";

  @Override
  public List<BootEvent> events(Optional<MacAddress> mac, long afterId, int limit) {
    return read(
        h ->
            h.createQuery(
                    "SELECT * FROM boot_events WHERE id > :after"
                        + (mac.isPresent() ? " AND mac = :mac" : "")
                        + " ORDER BY id LIMIT :limit")
                .bind("after", afterId)
                .bind("mac", mac.map(MacAddress::colon).orElse(null))
                .bind("limit", limit)
                .map((rs, ctx) -> event(rs))
                .list());
  }

  @Override
  public List<BootEvent> recentEvents(Optional<MacAddress> mac, int limit) {
    List<BootEvent> list =
        new ArrayList<>(
            read(
                h ->
                    h.createQuery(
                            "SELECT * FROM boot_events"
                                + (mac.isPresent() ? " WHERE mac = :mac" : "")
                                + " ORDER BY id DESC LIMIT :limit")
                        .bind("mac", mac.map(MacAddress::colon).orElse(null))
                        .bind("limit", limit)
                        .map((rs, ctx) -> event(rs))
                        .list()));
    Collections.reverse(list);
    return list;
  }

  private static BootEvent event(ResultSet rs) throws SQLException {
    return new BootEvent(
        rs.getLong("id"),
        Instant.ofEpochMilli(rs.getLong("at")),
        MacAddress.parse(rs.getString("mac")),
        rs.getString("client_ip"),
        BootEvent.Match.valueOf(rs.getString("match_kind").toUpperCase(Locale.ROOT)),
        rs.getString("reason"),
        Optional.ofNullable(rs.getString("profile")),
        rs.getString("protocol"),
        rs.getBoolean("once_consumed"));
  }

  // ---------------------------------------------------------------- plumbing

  private <T> T read(java.util.function.Function<Handle, T> f) {
    return retry(() -> jdbi.withHandle(f::apply));
  }

  private <T> T write(java.util.function.Function<Handle, T> f) {
    return serialized(() -> retry(() -> jdbi.inTransaction(f::apply)));
  }

  /**
   * Runs a write with this process's other writes kept out: they queue on a Java lock (where a
   * virtual thread parks) instead of in SQLite's busy handler (which sleeps in native code, holding
   * one of the few carrier threads). Other processes still meet the busy timeout.
   */
  private <T> T serialized(Supplier<T> op) {
    writeLock.lock();
    try {
      return op.get();
    } finally {
      writeLock.unlock();
    }
  }

  /** Runs {@code op}, retrying a few times when SQLite reports the database busy or locked. */
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

  private static long now() {
    return System.currentTimeMillis();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    views.close();
    pool.close();
  }
}
