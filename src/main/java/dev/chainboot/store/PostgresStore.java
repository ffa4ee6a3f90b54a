package dev.chainboot.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.BootStore;
import dev.chainboot.boot.BootStore.BootView;
import dev.chainboot.boot.BootStore.OnceTaken;
import dev.chainboot.boot.MacAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Handle;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Store} on PostgreSQL, for one or several chainboot instances (and the CLI) sharing one
 * database. The same statements as SQLite ({@link JdbcStore}), plus:
 *
 * <ul>
 *   <li>once-assignments are taken by {@code DELETE ... RETURNING}: PostgreSQL's row lock gives the
 *       row to exactly one transaction of any instance, with no lock in this process;
 *   <li>each instance keeps every machine's boot view in memory and learns of every change
 *       committed anywhere by {@code LISTEN chainboot}: the triggers of {@code
 *       db/migration/postgresql} send {@code m <mac>} for a machine or its assignments and {@code c
 *       <version>} for profiles, groups and the default. While the listening connection is down,
 *       nothing is served from memory;
 *   <li>event ids follow commit order (inserts take a transaction-level advisory lock), so reading
 *       "events after id N" never skips an event another instance commits later;
 *   <li>its connections commit with {@code synchronous_commit} as the URL says, {@code off} by
 *       default (see {@link PostgresUrl});
 *   <li>boot requests' once-assignments are taken in batches, one transaction for the boots that
 *       arrive together ({@link PostgresOnces});
 *   <li>a database that cannot be reached raises {@link BootStore.UnavailableException} within
 *       about {@link #CONNECT_TIMEOUT_MS} ms; reads are retried once on a broken connection, writes
 *       are not (their outcome is unknown).
 * </ul>
 */
public final class PostgresStore extends JdbcStore {

  private static final Logger log = LoggerFactory.getLogger(PostgresStore.class);

  /** How long a request waits for a database connection before the store is "unavailable". */
  public static final int CONNECT_TIMEOUT_MS = 2000;

  private static final String CHANNEL = "chainboot";

  /** The advisory lock event inserts take ("chainboo" in ASCII). */
  private static final long EVENT_LOCK = 0x636861696e626f6fL;

  private final PostgresUrl url;
  private final Properties props;
  private final Map<MacAddress, BootView> views = new ConcurrentHashMap<>();
  private static final int MAX_VIEWS = 262_144;
  private final AtomicLong epoch = new AtomicLong();
  private final AtomicLong knownConfig = new AtomicLong();
  private volatile boolean listening;
  private volatile boolean closed;
  private volatile Connection listenConnection;
  private final Thread listener;
  private final PostgresOnces onces;

  private PostgresStore(PostgresUrl url, Properties props, HikariDataSource pool) {
    super(pool);
    this.url = url;
    this.props = props;
    this.onces = new PostgresOnces(new OncesDb());
    this.listener = Thread.ofPlatform().name("pg-listen").daemon(true).start(this::listen);
  }

  /**
   * Connects, migrates (Flyway's lock keeps instances starting together apart) and starts listening
   * for changes.
   *
   * @param password the password, or null (trust, peer or certificate authentication)
   * @throws StoreException naming the database and why it cannot be used
   */
  public static PostgresStore open(PostgresUrl url, String password) {
    Properties props = url.properties(password);
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(url.jdbcUrl());
    hc.setDataSourceProperties(props);
    hc.setPoolName("postgresql");
    hc.setMaximumPoolSize(Integer.getInteger("chainboot.db.pool", 16));
    hc.setMinimumIdle(2);
    hc.setConnectionTimeout(CONNECT_TIMEOUT_MS);
    hc.setValidationTimeout(1000);
    hc.setInitializationFailTimeout(CONNECT_TIMEOUT_MS);
    hc.setKeepaliveTime(60_000);
    HikariDataSource ds;
    try {
      ds = new HikariDataSource(hc);
    } catch (RuntimeException e) {
      throw new StoreException("cannot connect to " + url + ": " + rootMessage(e), e);
    }
    try {
      Flyway.configure()
          .dataSource(ds)
          .locations(Migrations.locations("postgresql"))
          .loggers("slf4j")
          .load()
          .migrate();
    } catch (RuntimeException e) {
      ds.close();
      throw new StoreException("cannot migrate " + url + ": " + rootMessage(e), e);
    }
    PostgresStore s = new PostgresStore(url, props, ds);
    s.awaitListening(CONNECT_TIMEOUT_MS);
    return s;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  @Override
  protected String where() {
    return url.toString();
  }

  /** The database's URL (without password). */
  public PostgresUrl url() {
    return url;
  }

  // ---------------------------------------------------------------- boot views

  private static final String BOOT_VIEW =
      """
      SELECT c.v AS config_version, m.*,
        (SELECT profile FROM assignments a WHERE a.mac = m.mac AND a.kind = 'once') AS once_p,
        (SELECT profile FROM assignments a WHERE a.mac = m.mac AND a.kind = 'static') AS static_p
      FROM config_version c LEFT JOIN machines m ON m.mac = ?
      WHERE c.id = 1""";

  @Override
  public BootView bootView(MacAddress mac) {
    if (listening) {
      BootView v = views.get(mac);
      if (v != null) {
        long config = knownConfig.get();
        return v.configVersion() >= config
            ? v
            : new BootView(v.machine(), v.onceProfile(), v.staticProfile(), config);
      }
    }
    boolean trusted = listening;
    long e = epoch.get();
    BootView fresh = readBootView(mac);
    knownConfig.accumulateAndGet(fresh.configVersion(), Math::max);
    if (trusted) {
      // An unknown MAC is kept too (its registration anywhere notifies 'm <mac>'), so a burst of
      // first boots' retries and iPXE's second DHCP cost no query. Bounded like SQLite's cache.
      if (views.size() >= MAX_VIEWS) {
        views.clear();
      }
      views.put(mac, fresh);
      // A change noticed while we read may be older than what we read, or newer: drop it.
      if (!listening || epoch.get() != e) {
        views.remove(mac, fresh);
      }
    }
    return fresh;
  }

  private BootView readBootView(MacAddress mac) {
    return retry(
        () -> {
          try (Connection c = pool.getConnection();
              PreparedStatement ps = c.prepareStatement(BOOT_VIEW)) {
            ps.setString(1, mac.colon());
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                throw new StoreException("config_version row missing in " + url);
              }
              long v = rs.getLong("config_version");
              if (rs.getString("mac") == null) {
                return BootView.unassigned(Optional.empty(), v);
              }
              return new BootView(
                  Optional.of(machine(rs)),
                  Optional.ofNullable(rs.getString("once_p")),
                  Optional.ofNullable(rs.getString("static_p")),
                  v);
            }
          } catch (SQLException e) {
            throw failure("reading machine " + mac, e);
          }
        },
        true);
  }

  @Override
  protected void machineChanged(MacAddress mac) {
    epoch.incrementAndGet();
    views.remove(mac);
  }

  @Override
  protected void configChanged() {
    knownConfig.accumulateAndGet(configVersion(), Math::max);
  }

  // ---------------------------------------------------------------- once-assignments

  /** A boot's once-assignment is taken in a batch with the other boots' ({@link PostgresOnces}). */
  @Override
  public Optional<BootEvent> takeOnce(
      MacAddress mac, Supplier<String> tokenHash, Function<OnceTaken, BootEvent> decide) {
    if (inTransaction()) {
      return super.takeOnce(mac, tokenHash, decide);
    }
    // No read first (as JdbcStore does): the boot core asks only when the machine's view has a
    // once-assignment, and the batch's DELETE ... RETURNING is what decides anyway.
    return onces.take(mac, tokenHash, decide);
  }

  private final class OncesDb implements PostgresOnces.Db {
    @Override
    public Connection connection() throws SQLException {
      return pool.getConnection();
    }

    @Override
    public <T> T retry(Supplier<T> op) {
      return PostgresStore.this.retry(op, false);
    }

    @Override
    public StoreException failure(String doing, SQLException e) {
      return PostgresStore.this.failure(doing, e);
    }

    @Override
    public Optional<BootEvent> alone(
        MacAddress mac, Supplier<String> tokenHash, Function<OnceTaken, BootEvent> decide) {
      return PostgresStore.super.takeOnce(mac, tokenHash, decide);
    }

    @Override
    public void changed(MacAddress mac) {
      machineChanged(mac);
    }
  }

  // ---------------------------------------------------------------- listening

  /** Keeps one connection listening; reconnects (and forgets the cache) when it breaks. */
  private void listen() {
    boolean warned = false;
    while (!closed) {
      try (Connection c = new org.postgresql.Driver().connect(url.jdbcUrl(), listenProps())) {
        if (c == null) {
          throw new SQLException("the driver does not take " + url.jdbcUrl());
        }
        listenConnection = c;
        try (Statement st = c.createStatement()) {
          st.execute("LISTEN " + CHANNEL);
          // Everything committed before LISTEN is read afresh: forget the cache, then trust it.
          epoch.incrementAndGet();
          views.clear();
          try (ResultSet rs = st.executeQuery("SELECT v FROM config_version WHERE id = 1")) {
            rs.next();
            knownConfig.accumulateAndGet(rs.getLong(1), Math::max);
          }
        }
        listening = true;
        if (warned) {
          log.info("listening for changes in {} again", url);
          warned = false;
        }
        PGConnection pg = c.unwrap(PGConnection.class);
        long quietSince = System.nanoTime();
        while (!closed) {
          PGNotification[] ns = pg.getNotifications(1000);
          if (ns != null && ns.length > 0) {
            for (PGNotification n : ns) {
              changed(n.getParameter());
            }
            quietSince = System.nanoTime();
          } else if (System.nanoTime() - quietSince > 5_000_000_000L) {
            try (Statement st = c.createStatement()) {
              st.setQueryTimeout(5);
              st.execute("SELECT 1"); // notices a dead connection
            }
            quietSince = System.nanoTime();
          }
        }
      } catch (SQLException | RuntimeException e) {
        stopTrusting();
        if (closed) {
          return;
        }
        if (!warned) {
          log.warn(
              "not listening for changes in {} ({}); every boot reads the database until it is back",
              url,
              rootMessage(e));
          warned = true;
        }
        sleep(500);
      }
    }
    stopTrusting();
  }

  private Properties listenProps() {
    Properties p = new Properties();
    p.putAll(props);
    p.setProperty("connectTimeout", String.valueOf(Math.max(1, CONNECT_TIMEOUT_MS / 1000)));
    p.setProperty("socketTimeout", "15");
    p.setProperty("ApplicationName", "chainboot-listen");
    return p;
  }

  private void stopTrusting() {
    listening = false;
    epoch.incrementAndGet();
    views.clear();
  }

  /** One notification: {@code m <mac>} or {@code c <config version>}. */
  private void changed(String payload) {
    if (payload.startsWith("m ")) {
      Optional<MacAddress> mac = MacAddress.parse(payload.substring(2));
      epoch.incrementAndGet();
      if (mac.isPresent()) {
        views.remove(mac.get());
      } else {
        views.clear();
      }
    } else if (payload.startsWith("c ")) {
      try {
        knownConfig.accumulateAndGet(Long.parseLong(payload.substring(2)), Math::max);
      } catch (NumberFormatException e) {
        knownConfig.accumulateAndGet(configVersion(), Math::max);
      }
    }
  }

  private void awaitListening(long ms) {
    long deadline = System.nanoTime() + ms * 1_000_000L;
    while (!listening && System.nanoTime() < deadline) {
      sleep(5);
    }
    if (!listening) {
      log.warn("not yet listening for changes in {}; boots read the database meanwhile", url);
    }
  }

  /** Whether changes are being received (the cache is in use); for tests and health. */
  public boolean listening() {
    return listening;
  }

  // ---------------------------------------------------------------- plumbing

  /** Takes the event lock (held to the end of the transaction). */
  @Override
  protected void beforeEventInsert(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
      ps.setLong(1, EVENT_LOCK);
      ps.execute();
    }
  }

  /**
   * Inserts {@code events} with one statement that first takes the event lock: one round trip, and
   * in autocommit mode the lock is held only while the server inserts and commits (a lock taken by
   * one statement and kept across the client's next round trips made the instances' batches wait
   * for each other's scheduling).
   */
  private static final String INSERT_EVENTS =
      """
      WITH l AS MATERIALIZED (SELECT pg_advisory_xact_lock(?) AS locked)
      INSERT INTO boot_events (at, mac, client_ip, match_kind, reason, profile, protocol,
        once_consumed, stage, detail)
      SELECT u.at, u.mac, u.client_ip, u.match_kind, u.reason, u.profile, u.protocol,
        u.once_consumed, u.stage, u.detail
      FROM l, unnest(?::bigint[], ?::varchar[], ?::varchar[], ?::varchar[], ?::text[],
        ?::varchar[], ?::varchar[], ?::boolean[], ?::varchar[], ?::text[]) WITH ORDINALITY
        AS u(at, mac, client_ip, match_kind, reason, profile, protocol, once_consumed, stage,
          detail, n)
      ORDER BY u.n
      RETURNING id""";

  private static final String[] EVENT_ARRAY_TYPES = {
    "bigint", "varchar", "varchar", "varchar", "text", "varchar", "varchar", "boolean", "varchar",
    "text"
  };

  /**
   * Inserts the events (under the event lock, see {@link #INSERT_EVENTS}); their ids, in the order
   * of {@code events} (rows are inserted in that order under the lock, so their ids ascend).
   */
  static long[] insertEvents(Connection c, List<BootEvent> events) throws SQLException {
    Object[][] columns = new Object[EVENT_ARRAY_TYPES.length][events.size()];
    for (int i = 0; i < events.size(); i++) {
      Object[] v = eventColumns(events.get(i));
      for (int k = 0; k < v.length; k++) {
        columns[k][i] = v[k];
      }
    }
    long[] ids = new long[events.size()];
    int n = 0;
    try (PreparedStatement ps = c.prepareStatement(INSERT_EVENTS)) {
      ps.setLong(1, EVENT_LOCK);
      for (int k = 0; k < columns.length; k++) {
        ps.setArray(k + 2, c.createArrayOf(EVENT_ARRAY_TYPES[k], columns[k]));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (n == ids.length) {
            throw new SQLException("more event ids than events");
          }
          ids[n++] = rs.getLong(1);
        }
      }
    }
    if (n != ids.length) {
      throw new SQLException("fewer event ids than events");
    }
    Arrays.sort(ids);
    return ids;
  }

  @Override
  public void appendEvents(List<BootEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    retry(
        () -> {
          try (Connection c = pool.getConnection()) {
            insertEvents(c, events); // autocommit: one statement, one transaction
            return events.size();
          } catch (SQLException ex) {
            throw failure("recording boot events", ex);
          }
        },
        false);
  }

  /** How a failure bears on trying again. */
  private enum Failure {
    /** No connection could be had: nothing was sent. */
    NO_CONNECTION,
    /** The connection broke while a statement ran: its outcome is unknown. */
    CONNECTION_LOST,
    /** Serialization failure or deadlock: rolled back, safe to run again. */
    CONFLICT,
    OTHER
  }

  private Failure classify(Throwable e) {
    if (closed) {
      return Failure.OTHER;
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientConnectionException) {
        return Failure.NO_CONNECTION;
      }
      if (t instanceof SQLException s && s.getSQLState() != null) {
        String state = s.getSQLState();
        if (state.equals("08001") || state.equals("08004") || state.equals("57P03")) {
          return Failure.NO_CONNECTION;
        }
        if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02")) {
          return Failure.CONNECTION_LOST;
        }
        if (state.equals("40001") || state.equals("40P01")) {
          return Failure.CONFLICT;
        }
      }
    }
    return Failure.OTHER;
  }

  /** How long a request may queue for a connection while every one is busy (not an outage). */
  private static final long BUSY_WAIT_NANOS = 30_000_000_000L;

  /**
   * Whether the pool has connections and all are in use: a wait that timed out then means load, not
   * an unreachable database (whose broken connections the pool drops).
   */
  private boolean saturated() {
    var mx = pool.getHikariPoolMXBean();
    return mx != null && mx.getTotalConnections() > 0 && mx.getIdleConnections() == 0;
  }

  /**
   * Read-check-write sequences (If-Match) must not interleave with another instance's: they queue
   * on one transaction-scoped advisory lock (released at commit or rollback), and READ COMMITTED
   * then shows each the previous one's writes.
   */
  @Override
  protected void beginAtomic(Handle h) {
    h.createQuery("SELECT pg_advisory_xact_lock(:key)")
        .bind("key", ATOMIC_LOCK)
        .map((rs, ctx) -> 1)
        .one();
  }

  /** The advisory lock key of {@link #beginAtomic} ("chainboo" in ASCII). */
  private static final long ATOMIC_LOCK = 0x636861696e626f6fL;

  @Override
  protected <T> T retry(Supplier<T> op, boolean idempotent) {
    long start = System.nanoTime();
    for (int attempt = 1; ; attempt++) {
      try {
        return op.get();
      } catch (RuntimeException e) {
        Failure f = classify(e);
        switch (f) {
          case CONFLICT -> {
            if (attempt < 5) {
              sleep(5L * attempt);
              continue;
            }
            throw e;
          }
          case CONNECTION_LOST -> {
            if (idempotent && attempt < 2) {
              continue; // the pool has dropped the broken connection
            }
            throw unavailable(e);
          }
          case NO_CONNECTION -> {
            if (saturated() && System.nanoTime() - start < BUSY_WAIT_NANOS) {
              continue; // busy, not down: keep our place in the queue
            }
            throw unavailable(e);
          }
          default -> throw e;
        }
      }
    }
  }

  private BootStore.UnavailableException unavailable(Throwable e) {
    return new BootStore.UnavailableException(
        "the database " + url + " cannot be reached now: " + rootMessage(e), e);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    onces.close();
    Connection c = listenConnection;
    if (c != null) {
      try {
        c.close(); // wakes the listener from its wait
      } catch (SQLException e) {
        // closing anyway
      }
    }
    try {
      listener.join(3000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pool.close();
  }

  @Override
  protected String labelMatchSql() {
    return "EXISTS (SELECT 1 FROM jsonb_each_text(m.labels::jsonb) j WHERE lower(j.key || '=' || j.value) LIKE :pat ESCAPE '!')";
  }
}
