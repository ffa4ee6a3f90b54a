package dev.chainboot.store;

import com.zaxxer.hikari.HikariDataSource;
import dev.chainboot.auth.ApiToken;
import dev.chainboot.auth.Role;
import dev.chainboot.auth.TokenStore;
import dev.chainboot.boot.Arch;
import dev.chainboot.boot.Assignment;
import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.FirmwareSettings;
import dev.chainboot.boot.Group;
import dev.chainboot.boot.InstallHold;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Machine;
import dev.chainboot.boot.Platform;
import dev.chainboot.boot.Profile;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The SQL both stores share (SQLite and PostgreSQL run the same statements; the schemas differ only
 * where the engines do, see {@code db/migration/}). A subclass supplies the dialect's retry policy,
 * the boot-view cache and how it learns of other processes' changes, and is told of this process's
 * own changes through {@link #machineChanged} and {@link #configChanged}.
 */
abstract class JdbcStore implements Store, TokenStore {

  static final JsonMapper JSON = JsonMapper.builder().build();
  private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {};
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};
  private static final TypeReference<java.util.LinkedHashMap<String, String>> DETAIL =
      new TypeReference<>() {};

  protected final HikariDataSource pool;
  protected final Jdbi jdbi;

  /** The handle of this thread's {@link #atomically} transaction, if one is open. */
  private final ThreadLocal<Handle> transaction = new ThreadLocal<>();

  protected JdbcStore(HikariDataSource pool) {
    this.pool = pool;
    this.jdbi = Jdbi.create(pool);
  }

  /** Runs {@code op}, retrying as the database's errors allow; {@code idempotent} if it reads. */
  protected abstract <T> T retry(Supplier<T> op, boolean idempotent);

  /** Runs a write, in whatever order this store needs its own writes to queue in. */
  protected <T> T serialized(Supplier<T> op) {
    return op.get();
  }

  /** This process changed the machine or its assignments (committed). */
  protected void machineChanged(MacAddress mac) {}

  /** This process changed profiles, groups or the default (committed). */
  protected void configChanged() {}

  /** Called in an event-inserting transaction before the inserts (to order ids with commits). */
  protected void beforeEventInsert(Connection c) throws SQLException {}

  /** What the database is, for messages (a file name or a URL without password). */
  protected abstract String where();

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
                    "SELECT * FROM machines WHERE ip = :ip"
                        + " ORDER BY seen_at DESC NULLS LAST, mac LIMIT 1")
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

  /**
   * SQL that is true when a label {@code name=value} of the machine row {@code m} contains the
   * lower-cased {@code LIKE} pattern {@code :pat} (escaped with '!').
   */
  protected abstract String labelMatchSql();

  @Override
  public MachinePage machinePage(MachineQuery q) {
    String where = "";
    if (!q.needle().isEmpty()) {
      where =
          " WHERE (m.mac LIKE :pat ESCAPE '!' OR replace(m.mac, ':', '-') LIKE :pat ESCAPE '!'"
              + " OR lower(m.ip) LIKE :pat ESCAPE '!' OR lower(m.hostname) LIKE :pat ESCAPE '!'"
              + " OR "
              + labelMatchSql()
              + ")";
    }
    String filter = where;
    boolean searched = !filter.isEmpty();
    return read(
        h -> {
          // A search counts its matches in the same scan (a window over the filtered rows, before
          // LIMIT); the whole list counts with the primary key's index instead.
          var page =
              h.createQuery(
                  "SELECT m.*, o.profile AS once_profile, s.profile AS static_profile"
                      + (searched ? ", COUNT(*) OVER () AS matched" : "")
                      + " FROM machines m"
                      + " LEFT JOIN assignments o ON o.mac = m.mac AND o.kind = 'once'"
                      + " LEFT JOIN assignments s ON s.mac = m.mac AND s.kind = 'static'"
                      + filter
                      + " ORDER BY m.mac LIMIT :limit OFFSET :offset");
          if (searched) {
            page.bind("pat", q.likePattern());
          }
          int[] matched = {-1};
          List<MachinePage.Row> rows =
              page.bind("limit", (long) Math.min(q.limit(), Integer.MAX_VALUE))
                  .bind("offset", (long) q.offset())
                  .map(
                      (rs, ctx) -> {
                        if (searched) {
                          matched[0] = rs.getInt("matched");
                        }
                        return new MachinePage.Row(
                            machine(rs),
                            Optional.ofNullable(rs.getString("once_profile")),
                            Optional.ofNullable(rs.getString("static_profile")));
                      })
                  .list();
          int total = matched[0];
          if (total < 0) { // the whole list, or a page past the end of a search
            var count = h.createQuery("SELECT COUNT(*) FROM machines m" + filter);
            if (searched) {
              count.bind("pat", q.likePattern());
            }
            total = count.mapTo(Integer.class).one();
          }
          return new MachinePage(rows, total);
        });
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
    machineChanged(m.mac());
  }

  @Override
  public boolean registerMachine(Machine m) {
    boolean added =
        writeOne(
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
    if (added) {
      machineChanged(m.mac());
    }
    return added;
  }

  @Override
  public void updateSeen(Machine m) {
    writeOne(
        h ->
            h.createUpdate(
                    """
            UPDATE machines SET ip = :ip, uuid = :uuid, serial = :serial, hostname = :hostname,
              arch = :arch, platform = :platform, seen_at = :now WHERE mac = :mac""")
                .bindMap(machineParams(m))
                .bind("now", now())
                .execute());
    machineChanged(m.mac());
  }

  @Override
  public boolean deleteMachine(MacAddress mac) {
    boolean deleted =
        write(
                h ->
                    h.createUpdate("DELETE FROM machines WHERE mac = :mac")
                        .bind("mac", mac.colon())
                        .execute())
            > 0;
    machineChanged(mac);
    return deleted;
  }

  static Map<String, Object> machineParams(Machine m) {
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

  static Machine machine(ResultSet rs) throws SQLException {
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
    configChanged();
  }

  @Override
  public boolean deleteProfile(String name) {
    boolean deleted =
        write(
            h -> {
              List<String> users = new ArrayList<>();
              users.addAll(
                  h.createQuery(
                          "SELECT 'assignment of ' || mac FROM assignments WHERE profile = :n"
                              + " ORDER BY mac, kind")
                      .bind("n", name)
                      .mapTo(String.class)
                      .list());
              users.addAll(
                  h.createQuery(
                          "SELECT 'group ' || name FROM machine_groups WHERE profile = :n"
                              + " ORDER BY name")
                      .bind("n", name)
                      .mapTo(String.class)
                      .list());
              users.addAll(
                  h.createQuery("SELECT 'the default' FROM default_profile WHERE profile = :n")
                      .bind("n", name)
                      .mapTo(String.class)
                      .list());
              for (Profile p :
                  h.createQuery("SELECT * FROM profiles WHERE kind = 'menu' ORDER BY name")
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
              return h.createUpdate("DELETE FROM profiles WHERE name = :n")
                      .bind("n", name)
                      .execute()
                  > 0;
            });
    configChanged();
    return deleted;
  }

  static Profile profile(ResultSet rs) throws SQLException {
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
        h -> {
          if (a.kind() == Assignment.Kind.ONCE) {
            endHold(h, a.mac());
          }
          return putAssignment(h, a);
        });
    machineChanged(a.mac());
  }

  private static int putAssignment(Handle h, Assignment a) {
    return h.createUpdate(
            """
            INSERT INTO assignments (mac, kind, profile, created_at) VALUES (:mac, :kind, :p, :now)
            ON CONFLICT (mac, kind) DO UPDATE SET profile = excluded.profile,
              created_at = excluded.created_at""")
        .bind("mac", a.mac().colon())
        .bind("kind", kind(a.kind()))
        .bind("p", a.profile())
        .bind("now", now())
        .execute();
  }

  /** Forgets the machine's install hold (whatever its state) and spends its tokens. */
  private static void endHold(Handle h, MacAddress mac) {
    h.createUpdate("DELETE FROM install_holds WHERE mac = :mac").bind("mac", mac.colon()).execute();
    h.createUpdate("DELETE FROM install_tokens WHERE mac = :mac")
        .bind("mac", mac.colon())
        .execute();
  }

  // ---------------------------------------------------------------- installs held until done

  @Override
  public void holdOnce(MacAddress mac, String profile, int maxBoots) {
    InstallHold check =
        new InstallHold(mac, profile, InstallHold.State.HOLDING, 0, maxBoots, Instant.now());
    write(
        h -> {
          endHold(h, mac);
          putAssignment(h, new Assignment(mac, Assignment.Kind.ONCE, profile));
          return h.createUpdate(
                  """
                  INSERT INTO install_holds (mac, profile, state, boots, max_boots, updated_at)
                  VALUES (:mac, :p, 'holding', 0, :max, :now)""")
              .bind("mac", mac.colon())
              .bind("p", check.profile())
              .bind("max", check.maxBoots())
              .bind("now", now())
              .execute();
        });
    machineChanged(mac);
  }

  @Override
  public Optional<InstallHold> installHold(MacAddress mac) {
    return read(
        h ->
            h.createQuery("SELECT * FROM install_holds WHERE mac = :mac")
                .bind("mac", mac.colon())
                .map((rs, ctx) -> hold(rs))
                .findOne());
  }

  @Override
  public List<InstallHold> installHolds() {
    return read(
        h ->
            h.createQuery("SELECT * FROM install_holds ORDER BY mac")
                .map((rs, ctx) -> hold(rs))
                .list());
  }

  private static InstallHold hold(ResultSet rs) throws SQLException {
    return new InstallHold(
        MacAddress.parse(rs.getString("mac")).orElseThrow(),
        rs.getString("profile"),
        InstallHold.State.valueOf(rs.getString("state").toUpperCase(Locale.ROOT)),
        rs.getInt("boots"),
        rs.getInt("max_boots"),
        Instant.ofEpochMilli(rs.getLong("updated_at")));
  }

  // A held install's next boot: one conditional UPDATE, so that concurrent boots (threads or
  // processes; SQLite's write lock, PostgreSQL's row lock and re-check) each count one.
  private static final String COUNT_BOOT =
      """
      UPDATE install_holds SET boots = boots + 1, updated_at = :now
      WHERE mac = :mac AND state = 'holding' AND boots < max_boots
        AND profile = (SELECT profile FROM assignments WHERE mac = :mac AND kind = 'once')
      RETURNING profile, boots, max_boots""";

  private static final String LOOPED =
      """
      UPDATE install_holds SET state = 'loop', updated_at = :now
      WHERE mac = :mac AND state = 'holding' AND boots >= max_boots
        AND profile = (SELECT profile FROM assignments WHERE mac = :mac AND kind = 'once')
      RETURNING profile, boots""";

  /** Takes the once-assignment in {@code h}'s transaction (see {@link #takeOnce}). */
  private static Optional<OnceTaken> takeOnce(
      Handle h, MacAddress mac, Supplier<String> tokenHash) {
    Optional<OnceTaken> held =
        h.createQuery(COUNT_BOOT)
            .bind("mac", mac.colon())
            .bind("now", now())
            .map(
                (rs, ctx) ->
                    (OnceTaken)
                        new Held(
                            rs.getString("profile"), rs.getInt("boots"), rs.getInt("max_boots")))
            .findOne();
    if (held.isPresent()) {
      h.createUpdate(
              """
              INSERT INTO install_tokens (token_hash, mac, boot, created_at)
              VALUES (:t, :mac, :b, :now)""")
          .bind("t", tokenHash.get())
          .bind("mac", mac.colon())
          .bind("b", ((Held) held.get()).boot())
          .bind("now", now())
          .execute();
      return held;
    }
    Optional<OnceTaken> loop =
        h.createQuery(LOOPED)
            .bind("mac", mac.colon())
            .bind("now", now())
            .map((rs, ctx) -> (OnceTaken) new Loop(rs.getString("profile"), rs.getInt("boots")))
            .findOne();
    if (loop.isPresent()) {
      h.createUpdate("DELETE FROM assignments WHERE mac = :mac AND kind = 'once'")
          .bind("mac", mac.colon())
          .execute();
      h.createUpdate("UPDATE install_tokens SET used_at = :now WHERE mac = :mac")
          .bind("mac", mac.colon())
          .bind("now", now())
          .execute();
      return loop;
    }
    return h.createQuery(TAKE_ONCE)
        .bind("mac", mac.colon())
        .mapTo(String.class)
        .findOne()
        .map(Consumed::new);
  }

  @Override
  public Optional<OnceTaken> takeOnce(MacAddress mac, Supplier<String> tokenHash) {
    // Cheap read first: most boots have no once-assignment and need no write.
    if (assignment(mac, Assignment.Kind.ONCE).isEmpty()) {
      return Optional.empty();
    }
    Optional<OnceTaken> taken = write(h -> takeOnce(h, mac, tokenHash));
    machineChanged(mac);
    return taken;
  }

  @Override
  public Optional<BootEvent> takeOnce(
      MacAddress mac, Supplier<String> tokenHash, Function<OnceTaken, BootEvent> decide) {
    if (assignment(mac, Assignment.Kind.ONCE).isEmpty()) {
      return Optional.empty();
    }
    Optional<BootEvent> stored =
        write(
            h -> {
              Optional<OnceTaken> taken = takeOnce(h, mac, tokenHash);
              if (taken.isEmpty()) {
                return Optional.<BootEvent>empty();
              }
              return Optional.of(insertEvent(h, decide.apply(taken.get())));
            });
    machineChanged(mac);
    return stored;
  }

  @Override
  public CallbackResult confirmInstall(String tokenHash) {
    CallbackResult r =
        write(
            h -> {
              // Spending the token is one conditional UPDATE: two calls with it, one wins.
              Optional<String> spent =
                  h.createQuery(
                          """
                          UPDATE install_tokens SET used_at = :now
                          WHERE token_hash = :t AND used_at IS NULL RETURNING mac""")
                      .bind("t", tokenHash)
                      .bind("now", now())
                      .mapTo(String.class)
                      .findOne();
              if (spent.isEmpty()) {
                Optional<String> known =
                    h.createQuery("SELECT mac FROM install_tokens WHERE token_hash = :t")
                        .bind("t", tokenHash)
                        .mapTo(String.class)
                        .findOne();
                return known.isEmpty()
                    ? (CallbackResult) new Refused(Optional.empty(), "no such callback")
                    : new Refused(
                        MacAddress.parse(known.get()), "this callback URL was already used");
              }
              MacAddress mac = MacAddress.parse(spent.get()).orElseThrow();
              h.createUpdate("UPDATE install_tokens SET used_at = :now WHERE mac = :mac")
                  .bind("mac", mac.colon())
                  .bind("now", now())
                  .execute();
              Optional<InstallHold> done =
                  h.createQuery(
                          """
                          UPDATE install_holds SET state = 'done', updated_at = :now
                          WHERE mac = :mac AND state = 'holding' RETURNING *""")
                      .bind("mac", mac.colon())
                      .bind("now", now())
                      .map((rs, ctx) -> hold(rs))
                      .findOne();
              if (done.isEmpty()) {
                return new Refused(Optional.of(mac), "the install is no longer held until done");
              }
              h.createUpdate(
                      "DELETE FROM assignments WHERE mac = :mac AND kind = 'once' AND profile = :p")
                  .bind("mac", mac.colon())
                  .bind("p", done.get().profile())
                  .execute();
              return new Confirmed(mac, done.get().profile(), done.get().boots());
            });
    if (r instanceof Confirmed c) {
      machineChanged(c.mac());
    }
    return r;
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
    int n =
        write(
            h -> {
              boolean onceGoes =
                  h.createQuery(
                              "SELECT count(*) FROM assignments WHERE mac = :mac AND kind = 'once'"
                                  + (profile.isPresent() ? " AND profile = :p" : ""))
                          .bind("mac", mac.colon())
                          .bind("p", profile.orElse(null))
                          .mapTo(Integer.class)
                          .one()
                      > 0;
              if (onceGoes) {
                endHold(h, mac);
              }
              return h.createUpdate(
                      "DELETE FROM assignments WHERE mac = :mac"
                          + (profile.isPresent() ? " AND profile = :p" : ""))
                  .bind("mac", mac.colon())
                  .bind("p", profile.orElse(null))
                  .execute();
            });
    machineChanged(mac);
    return n;
  }

  private static final String TAKE_ONCE =
      "DELETE FROM assignments WHERE mac = :mac AND kind = 'once' RETURNING profile";

  @Override
  public Optional<String> consumeOnce(MacAddress mac) {
    // Cheap read first: most boots have no once-assignment and need no write.
    if (assignment(mac, Assignment.Kind.ONCE).isEmpty()) {
      return Optional.empty();
    }
    // One DELETE ... RETURNING: the row goes to exactly one caller, in any process (SQLite's
    // write lock, PostgreSQL's row lock).
    Optional<String> taken =
        write(h -> h.createQuery(TAKE_ONCE).bind("mac", mac.colon()).mapTo(String.class).findOne());
    machineChanged(mac);
    return taken;
  }

  @Override
  public Optional<BootEvent> consumeOnce(MacAddress mac, Function<String, BootEvent> decide) {
    if (assignment(mac, Assignment.Kind.ONCE).isEmpty()) {
      return Optional.empty();
    }
    Optional<BootEvent> stored =
        write(
            h -> {
              Optional<String> taken =
                  h.createQuery(TAKE_ONCE).bind("mac", mac.colon()).mapTo(String.class).findOne();
              if (taken.isEmpty()) {
                return Optional.empty();
              }
              return Optional.of(insertEvent(h, decide.apply(taken.get())));
            });
    machineChanged(mac);
    return stored;
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
    configChanged();
  }

  @Override
  public Optional<String> defaultProfile() {
    return read(
        h ->
            h.createQuery("SELECT profile FROM default_profile WHERE id = 1")
                .mapTo(String.class)
                .findOne());
  }

  static String kind(Assignment.Kind k) {
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
    configChanged();
  }

  @Override
  public boolean deleteGroup(String name) {
    boolean deleted =
        write(
                h ->
                    h.createUpdate("DELETE FROM machine_groups WHERE name = :n")
                        .bind("n", name)
                        .execute())
            > 0;
    configChanged();
    return deleted;
  }

  // ---------------------------------------------------------------- events

  static final String INSERT_EVENT =
      """
      INSERT INTO boot_events (at, mac, client_ip, match_kind, reason, profile, protocol,
        once_consumed, stage, detail)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";

  /** Inserts {@code e} in {@code h}'s transaction: the event with its id. */
  private BootEvent insertEvent(Handle h, BootEvent e) {
    try {
      Connection c = h.getConnection();
      beforeEventInsert(c);
      try (PreparedStatement ps = c.prepareStatement(INSERT_EVENT + " RETURNING id")) {
        bindEvent(ps, e);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return withId(e, rs.getLong(1));
        }
      }
    } catch (SQLException ex) {
      throw new StoreException("recording the boot event: " + ex.getMessage(), ex);
    }
  }

  static void bindEvent(PreparedStatement ps, BootEvent e) throws SQLException {
    Object[] v = eventColumns(e);
    for (int i = 0; i < v.length; i++) {
      ps.setObject(i + 1, v[i]);
    }
  }

  /**
   * The values of {@link #INSERT_EVENT}'s columns for {@code e}: at (Long), mac, client_ip,
   * match_kind, reason, profile, protocol (Strings), once_consumed (Boolean), stage, detail
   * (Strings).
   */
  static Object[] eventColumns(BootEvent e) {
    return new Object[] {
      e.time().toEpochMilli(),
      e.mac().map(MacAddress::colon).orElse(null),
      e.clientIp(),
      e.match().name().toLowerCase(Locale.ROOT),
      e.reason(),
      e.profile().orElse(null),
      e.protocol(),
      e.onceConsumed(),
      e.stage().label(),
      e.detail().isEmpty() ? null : JSON.writeValueAsString(e.detail())
    };
  }

  static BootEvent withId(BootEvent e, long id) {
    return e.withId(id);
  }

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
                  try (Connection c = pool.getConnection()) {
                    c.setAutoCommit(false);
                    try {
                      beforeEventInsert(c);
                      try (PreparedStatement ps = c.prepareStatement(INSERT_EVENT)) {
                        for (BootEvent e : events) {
                          bindEvent(ps, e);
                          ps.addBatch();
                        }
                        ps.executeBatch();
                      }
                      c.commit();
                    } catch (SQLException | RuntimeException ex) {
                      rollbackQuietly(c);
                      throw ex;
                    } finally {
                      c.setAutoCommit(true);
                    }
                    return events.size();
                  } catch (SQLException ex) {
                    throw failure("recording boot events", ex);
                  }
                },
                false));
  }

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

  @Override
  public List<BootEvent> findEvents(EventFilter f) {
    StringBuilder where = new StringBuilder(" WHERE 1 = 1");
    f.mac().ifPresent(m -> where.append(" AND mac = :mac"));
    f.profile().ifPresent(p -> where.append(" AND profile = :profile"));
    f.match().ifPresent(m -> where.append(" AND match_kind = :match"));
    f.since().ifPresent(t -> where.append(" AND at >= :since"));
    f.until().ifPresent(t -> where.append(" AND at < :until"));
    f.after().ifPresent(id -> where.append(" AND id > :after"));
    f.before().ifPresent(id -> where.append(" AND id < :before"));
    boolean forward = f.after().isPresent();
    List<BootEvent> list =
        new ArrayList<>(
            read(
                h ->
                    h.createQuery(
                            "SELECT * FROM boot_events"
                                + where
                                + " ORDER BY id"
                                + (forward ? "" : " DESC")
                                + " LIMIT :limit")
                        .bind("mac", f.mac().map(MacAddress::colon).orElse(null))
                        .bind("profile", f.profile().orElse(null))
                        .bind(
                            "match",
                            f.match().map(m -> m.name().toLowerCase(Locale.ROOT)).orElse(null))
                        .bind("since", f.since().map(Instant::toEpochMilli).orElse(0L))
                        .bind("until", f.until().map(Instant::toEpochMilli).orElse(0L))
                        .bind("after", f.after().orElse(0L))
                        .bind("before", f.before().orElse(0L))
                        .bind("limit", f.limit())
                        .map((rs, ctx) -> event(rs))
                        .list()));
    if (!forward) {
      Collections.reverse(list);
    }
    return list;
  }

  static BootEvent event(ResultSet rs) throws SQLException {
    return new BootEvent(
        rs.getLong("id"),
        Instant.ofEpochMilli(rs.getLong("at")),
        MacAddress.parse(rs.getString("mac")),
        rs.getString("client_ip"),
        BootEvent.Match.valueOf(rs.getString("match_kind").toUpperCase(Locale.ROOT)),
        rs.getString("reason"),
        Optional.ofNullable(rs.getString("profile")),
        rs.getString("protocol"),
        rs.getBoolean("once_consumed"),
        BootEvent.Stage.parse(rs.getString("stage")).orElse(BootEvent.Stage.SCRIPT),
        detail(rs.getString("detail")));
  }

  private static Map<String, String> detail(String json) {
    if (json == null || json.isEmpty()) {
      return Map.of();
    }
    try {
      return JSON.readValue(json, DETAIL);
    } catch (RuntimeException e) {
      return Map.of("detail", json); // not ours (written by hand): shown as it is
    }
  }

  // ---------------------------------------------------------------- tokens

  @Override
  public void addToken(ApiToken t, String hash) {
    write(
        h -> {
          if (h.createQuery(
                      "SELECT COUNT(*) FROM api_tokens WHERE name = :n AND revoked_at IS NULL")
                  .bind("n", t.name())
                  .mapTo(Integer.class)
                  .one()
              > 0) {
            throw new TokenStore.NameTaken(t.name());
          }
          return h.createUpdate(
                  """
              INSERT INTO api_tokens (id, name, role, hash, created_at)
              VALUES (:id, :name, :role, :hash, :created)""")
              .bind("id", t.id())
              .bind("name", t.name())
              .bind("role", t.role().id())
              .bind("hash", hash)
              .bind("created", t.created().toEpochMilli())
              .execute();
        });
  }

  @Override
  public Optional<ApiToken> tokenByHash(String hash) {
    return read(
        h ->
            h.createQuery("SELECT * FROM api_tokens WHERE hash = :h")
                .bind("h", hash)
                .map((rs, ctx) -> token(rs))
                .findOne());
  }

  @Override
  public Optional<ApiToken> tokenById(String id) {
    return read(
        h ->
            h.createQuery("SELECT * FROM api_tokens WHERE id = :id")
                .bind("id", id)
                .map((rs, ctx) -> token(rs))
                .findOne());
  }

  @Override
  public List<ApiToken> tokens() {
    // created_at has whole seconds and ids are random: of two tokens of one name made in the same
    // second, the revoked one is the older (a name has one active token at a time)
    return read(
        h ->
            h.createQuery(
                    "SELECT * FROM api_tokens"
                        + " ORDER BY name, created_at, revoked_at IS NULL, revoked_at, id")
                .map((rs, ctx) -> token(rs))
                .list());
  }

  @Override
  public boolean revokeToken(String name, Instant at) {
    return write(
            h ->
                h.createUpdate(
                        "UPDATE api_tokens SET revoked_at = :at"
                            + " WHERE name = :n AND revoked_at IS NULL")
                    .bind("at", at.toEpochMilli())
                    .bind("n", name)
                    .execute())
        > 0;
  }

  @Override
  public void touchToken(String id, Instant at) {
    write(
        h ->
            h.createUpdate("UPDATE api_tokens SET last_used_at = :at WHERE id = :id")
                .bind("at", at.toEpochMilli())
                .bind("id", id)
                .execute());
  }

  private static ApiToken token(ResultSet rs) throws SQLException {
    long used = rs.getLong("last_used_at");
    boolean neverUsed = rs.wasNull();
    long revoked = rs.getLong("revoked_at");
    boolean active = rs.wasNull();
    return new ApiToken(
        rs.getString("id"),
        rs.getString("name"),
        Role.parse(rs.getString("role")).orElseThrow(),
        Instant.ofEpochMilli(rs.getLong("created_at")),
        neverUsed ? Optional.empty() : Optional.of(Instant.ofEpochMilli(used)),
        active ? Optional.empty() : Optional.of(Instant.ofEpochMilli(revoked)));
  }

  // ---------------------------------------------------------------- plumbing

  /**
   * Called at the start of an {@link #atomically} transaction (PostgreSQL raises the isolation so
   * that no other writer comes between; SQLite's write lock already does).
   */
  protected void beginAtomic(Handle h) {}

  @Override
  public <T> T atomically(Supplier<T> op) {
    if (transaction.get() != null) {
      return op.get();
    }
    return serialized(
        () ->
            retry(
                () ->
                    jdbi.inTransaction(
                        h -> {
                          beginAtomic(h);
                          transaction.set(h);
                          try {
                            return op.get();
                          } finally {
                            transaction.remove();
                          }
                        }),
                false));
  }

  protected <T> T read(Function<Handle, T> f) {
    Handle tx = transaction.get();
    if (tx != null) {
      return f.apply(tx);
    }
    return retry(() -> jdbi.withHandle(f::apply), true);
  }

  /** Whether this thread is inside an {@link #atomically} transaction. */
  protected boolean inTransaction() {
    return transaction.get() != null;
  }

  /**
   * A write of one statement, which is atomic by itself: run without BEGIN/COMMIT around it (one
   * round trip to PostgreSQL instead of two), unless inside an {@link #atomically} transaction.
   */
  protected <T> T writeOne(Function<Handle, T> f) {
    Handle tx = transaction.get();
    if (tx != null) {
      return f.apply(tx);
    }
    return serialized(() -> retry(() -> jdbi.withHandle(f::apply), false));
  }

  protected <T> T write(Function<Handle, T> f) {
    Handle tx = transaction.get();
    if (tx != null) {
      return f.apply(tx);
    }
    return serialized(() -> retry(() -> jdbi.inTransaction(f::apply), false));
  }

  /** A JDBC failure as the store's exception (unavailable when the dialect says so). */
  protected StoreException failure(String doing, SQLException e) {
    return new StoreException(doing + ": " + e.getMessage(), e);
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException e) {
      // the connection is gone; nothing was committed
    }
  }

  static long now() {
    return System.currentTimeMillis();
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
