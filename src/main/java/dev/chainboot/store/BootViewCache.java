package dev.chainboot.store;

import dev.chainboot.boot.BootStore.BootView;
import dev.chainboot.boot.MacAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each machine's {@link BootView} in memory so a boot request for a known machine needs no
 * SQLite query, yet sees every change any process has committed before it:
 *
 * <ul>
 *   <li>every cached view is tagged with the {@code machine_version} it was read with (in the same
 *       statement); triggers bump that counter on any change to machines or assignments, by any
 *       process;
 *   <li>a view is served only while its tag equals the current counter. The counter is read again
 *       only when {@link WalCommitWatch} says something was committed since it was last read; with
 *       no commit in between, nothing can have changed;
 *   <li>the MACs of all stored machines are kept too, tagged the same way: while that tag is
 *       current, a MAC not among them is a machine the store does not know, answered with no query.
 *       A burst of first boots (every machine of a rack new to this process) then costs no query
 *       per machine. The list is read again when it is stale and a MAC misses, at most once a
 *       second (and at most 1/50 of the time) while machines keep changing; in between, such a MAC
 *       is read on its own.
 * </ul>
 *
 * A cached once-assignment is only a hint: the boot core always consumes it in the database.
 * Without a usable {@code -shm} mapping every lookup reads the counter (still correct).
 */
final class BootViewCache implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(BootViewCache.class);
  private static final int MAX_ENTRIES = 65_536;

  /** A view and the machine version it was read at. */
  record Entry(BootView view, long machineVersion) {}

  /** The MACs of all stored machines (as {@link MacAddress#value()}, sorted), as of a version. */
  record Known(long[] macs, long machineVersion) {}

  /** The versions as of a WAL header: while the header is unchanged, they are current. */
  private record Versions(WalCommitWatch.Mark mark, long config, long machine) {}

  private final Function<MacAddress, Entry> read;
  private final Supplier<long[]> readVersions;
  private final Supplier<Known> readKnown;
  private volatile Known known;
  private volatile long nextKnownRead = System.nanoTime();
  private final ReentrantLock knownLock = new ReentrantLock();
  private final Map<MacAddress, Entry> entries = new ConcurrentHashMap<>();
  private final Connection pin;
  private final WalCommitWatch watch;
  private volatile Versions versions;

  private BootViewCache(
      Function<MacAddress, Entry> read,
      Supplier<long[]> readVersions,
      Supplier<Known> readKnown,
      Connection pin,
      WalCommitWatch watch) {
    this.read = read;
    this.readVersions = readVersions;
    this.readKnown = readKnown;
    this.pin = pin;
    this.watch = watch;
  }

  /**
   * @param read reads one machine's view and the machine version, in one statement
   * @param readVersions reads {config version, machine version}, in one statement
   * @param readKnown reads every stored machine's MAC and the machine version, in one statement
   */
  static BootViewCache open(
      Path db,
      Function<MacAddress, Entry> read,
      Supplier<long[]> readVersions,
      Supplier<Known> readKnown) {
    Connection pin = null;
    WalCommitWatch watch = null;
    try {
      // Held open for the cache's lifetime: while any connection of this process is open,
      // no other process's close can delete and recreate the -shm file the watch maps.
      pin = DriverManager.getConnection("jdbc:sqlite:" + db);
      try (Statement st = pin.createStatement()) {
        st.execute("PRAGMA busy_timeout = 10000");
        st.executeQuery("SELECT v FROM machine_version WHERE id = 1").close();
      }
      watch = WalCommitWatch.open(db).orElse(null);
    } catch (SQLException | RuntimeException e) {
      log.debug("no WAL watch for {}: {}", db, e.toString());
    }
    if (watch == null) {
      log.debug("boot views of {} are checked against the database on every request", db);
    }
    return new BootViewCache(read, readVersions, readKnown, pin, watch);
  }

  /**
   * The machine's view: from memory while no process has changed machines or assignments since it
   * was read, else from the database. A MAC the store does not know is remembered too (as absent,
   * under the same rule), so a machine that asks again (a PXE ROM's retries, iPXE's own DHCP, the
   * resolver) costs no query until it is registered.
   */
  BootView get(MacAddress mac) {
    WalCommitWatch.Mark mark = watch == null ? null : watch.mark();
    Entry e = entries.get(mac);
    if (e != null) {
      Versions v = current(mark);
      if (e.machineVersion() == v.machine()) {
        BootView view = e.view();
        return view.configVersion() == v.config()
            ? view
            : new BootView(view.machine(), view.onceProfile(), view.staticProfile(), v.config());
      }
    }
    Versions v = versions;
    if (mark != null && v != null && mark.equals(v.mark())) { // else the read below finds them
      Known k = known(v.machine());
      if (k != null && Arrays.binarySearch(k.macs(), mac.value()) < 0) {
        return BootView.unassigned(Optional.empty(), v.config());
      }
    }
    Entry fresh = read.apply(mac); // also read after the mark
    if (mark != null) {
      versions = new Versions(mark, fresh.view().configVersion(), fresh.machineVersion());
    }
    if (entries.size() >= MAX_ENTRIES) {
      entries.clear();
    }
    entries.put(mac, fresh);
    return fresh.view();
  }

  /**
   * The stored machines' MACs as of {@code machineVersion}, or null: read again when stale, unless
   * it was read less than a second ago (or another thread is reading it now).
   */
  private Known known(long machineVersion) {
    Known k = known;
    if (k != null && k.machineVersion() == machineVersion) {
      return k;
    }
    long now = System.nanoTime();
    if (now - nextKnownRead < 0 || !knownLock.tryLock()) {
      return null;
    }
    try {
      k = known;
      if (k == null || k.machineVersion() != machineVersion) {
        k = readKnown.get();
        long took = System.nanoTime() - now;
        known = k;
        nextKnownRead = System.nanoTime() + Math.max(1_000_000_000L, 50 * took);
      }
    } catch (RuntimeException ex) {
      log.debug("cannot read the stored machines' MACs: {}", ex.toString());
      nextKnownRead = System.nanoTime() + 1_000_000_000L;
      return null;
    } finally {
      knownLock.unlock();
    }
    return k.machineVersion() == machineVersion ? k : null;
  }

  /**
   * The current configuration version: read from the database only when some process has committed
   * since it was last read.
   */
  long configVersion() {
    return current(watch == null ? null : watch.mark()).config();
  }

  /** The versions as of {@code mark}, read again only when the WAL header moved since. */
  private Versions current(WalCommitWatch.Mark mark) {
    Versions v = versions;
    if (mark == null || v == null || !mark.equals(v.mark())) {
      long[] now = readVersions.get(); // read after the mark: at least as new as it
      v = new Versions(mark, now[0], now[1]);
      if (mark != null) {
        versions = v;
      }
    }
    return v;
  }

  @Override
  public void close() {
    if (watch != null) {
      watch.close();
    }
    if (pin != null) {
      try {
        pin.close();
      } catch (SQLException e) {
        // closing anyway
      }
    }
  }
}
