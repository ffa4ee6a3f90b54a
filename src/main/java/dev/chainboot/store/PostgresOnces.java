package dev.chainboot.store;

import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.BootStore;
import dev.chainboot.boot.BootStore.Consumed;
import dev.chainboot.boot.BootStore.Held;
import dev.chainboot.boot.BootStore.Loop;
import dev.chainboot.boot.BootStore.OnceTaken;
import dev.chainboot.boot.MacAddress;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes once-assignments on PostgreSQL for boot requests in batches: one transaction, on one
 * platform thread, for every request that arrived while the previous batch ran. Each statement
 * covers the whole batch ({@code mac = ANY(...)}), and the event lock ({@link
 * PostgresStore#insertEvents}) is taken once per batch by the statement that inserts the batch's
 * events, then released by the commit. A request taking its own transaction held that lock across
 * three round trips of a virtual thread that had to be scheduled again between them, so onces
 * queued behind each other (about 400 a second on two cores).
 *
 * <p>The guarantees are the single transaction's: a once-assignment goes to exactly one request of
 * any instance (the {@code DELETE ... RETURNING} row lock), and its event is committed with its
 * consumption. A batch holds each MAC at most once (a second request for the same machine waits for
 * the next batch, so a held install counts both boots). If a batch fails for another reason than
 * the database being unreachable, nothing of it was committed and each request runs alone ({@code
 * alone}), so one bad request cannot fail the others.
 */
final class PostgresOnces implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PostgresOnces.class);
  private static final int BATCH = 128;

  /** How long a request waits for its batch. */
  static final int WAIT_SECONDS = 30;

  /** What the batches need of the store. */
  interface Db {
    Connection connection() throws SQLException;

    /** Runs a write with the store's retries (conflicts; an unreachable database). */
    <T> T retry(Supplier<T> op);

    StoreException failure(String doing, SQLException e);

    /** The one-transaction path, for a request whose batch failed. */
    Optional<BootEvent> alone(
        MacAddress mac, Supplier<String> tokenHash, Function<OnceTaken, BootEvent> decide);

    /** This process changed the machine's assignments. */
    void changed(MacAddress mac);
  }

  private record Job(
      MacAddress mac,
      Supplier<String> tokenHash,
      Function<OnceTaken, BootEvent> decide,
      CompletableFuture<Optional<BootEvent>> result) {}

  private static final String COUNT_BOOTS =
      """
      UPDATE install_holds h SET boots = h.boots + 1, updated_at = ?
      WHERE h.mac = ANY(?) AND h.state = 'holding' AND h.boots < h.max_boots
        AND h.profile = (SELECT a.profile FROM assignments a WHERE a.mac = h.mac AND a.kind = 'once')
      RETURNING h.mac, h.profile, h.boots, h.max_boots""";

  private static final String LOOPED =
      """
      UPDATE install_holds h SET state = 'loop', updated_at = ?
      WHERE h.mac = ANY(?) AND h.state = 'holding' AND h.boots >= h.max_boots
        AND h.profile = (SELECT a.profile FROM assignments a WHERE a.mac = h.mac AND a.kind = 'once')
      RETURNING h.mac, h.profile, h.boots""";

  private static final String TAKE =
      "DELETE FROM assignments WHERE mac = ANY(?) AND kind = 'once' RETURNING mac, profile";

  private final Db db;
  private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean closing;

  PostgresOnces(Db db) {
    this.db = db;
    this.thread = Thread.ofPlatform().name("pg-onces").daemon(true).start(this::run);
  }

  /**
   * Takes the machine's once-assignment in the next batch (see {@link
   * BootStore#takeOnce(MacAddress, Supplier, Function)}).
   *
   * @throws BootStore.UnavailableException if the database cannot be reached or the batch does not
   *     finish within {@link #WAIT_SECONDS}
   */
  Optional<BootEvent> take(
      MacAddress mac, Supplier<String> tokenHash, Function<OnceTaken, BootEvent> decide) {
    Job job = new Job(mac, tokenHash, decide, new CompletableFuture<>());
    if (closing) {
      throw new BootStore.UnavailableException("the store is closing", null);
    }
    queue.add(job);
    try {
      return job.result().get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new StoreException("taking the once-assignment of " + mac, e.getCause());
    } catch (TimeoutException e) {
      throw new BootStore.UnavailableException(
          "taking the once-assignment of " + mac + " took longer than " + WAIT_SECONDS + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BootStore.UnavailableException("interrupted taking a once-assignment", e);
    }
  }

  private void run() {
    List<Job> carried = new ArrayList<>();
    while (true) {
      List<Job> batch = new ArrayList<>(carried);
      carried.clear();
      try {
        if (batch.isEmpty()) {
          Job first = queue.poll(100, TimeUnit.MILLISECONDS);
          if (first == null) {
            if (closing) {
              return;
            }
            continue;
          }
          batch.add(first);
        }
      } catch (InterruptedException e) {
        if (closing) {
          return;
        }
        continue;
      }
      queue.drainTo(batch, BATCH - batch.size());
      Set<MacAddress> macs = new HashSet<>();
      List<Job> now = new ArrayList<>(batch.size());
      for (Job j : batch) {
        (macs.add(j.mac()) ? now : carried).add(j);
      }
      run(now);
    }
  }

  private void run(List<Job> jobs) {
    Map<Job, Optional<BootEvent>> results;
    try {
      results = db.retry(() -> transaction(jobs));
    } catch (BootStore.UnavailableException e) {
      jobs.forEach(j -> db.changed(j.mac()));
      jobs.forEach(j -> j.result().completeExceptionally(e));
      return;
    } catch (RuntimeException e) {
      log.debug("a batch of {} once-assignments failed; taking each alone: {}", jobs.size(), e);
      for (Job j : jobs) {
        try {
          j.result().complete(db.alone(j.mac(), j.tokenHash(), j.decide()));
        } catch (RuntimeException x) {
          j.result().completeExceptionally(x);
        }
      }
      return;
    }
    jobs.forEach(j -> db.changed(j.mac()));
    jobs.forEach(j -> j.result().complete(results.get(j)));
  }

  private Map<Job, Optional<BootEvent>> transaction(List<Job> jobs) {
    try (Connection c = db.connection()) {
      c.setAutoCommit(false);
      try {
        long now = System.currentTimeMillis();
        Map<MacAddress, OnceTaken> taken = new HashMap<>();
        // 1. installs held until done count a boot; each such boot gets a callback token
        step(
            c,
            COUNT_BOOTS,
            now,
            jobs,
            taken,
            rs -> new Held(rs.getString("profile"), rs.getInt("boots"), rs.getInt("max_boots")));
        List<Job> held = new ArrayList<>();
        for (Job j : jobs) {
          if (taken.containsKey(j.mac())) {
            held.add(j);
          }
        }
        if (!held.isEmpty()) {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO install_tokens (token_hash, mac, boot, created_at)"
                      + " VALUES (?, ?, ?, ?)")) {
            for (Job j : held) {
              ps.setString(1, j.tokenHash().get());
              ps.setString(2, j.mac().colon());
              ps.setInt(3, ((Held) taken.get(j.mac())).boot());
              ps.setLong(4, now);
              ps.addBatch();
            }
            ps.executeBatch();
          }
        }
        // 2. held installs past their maximum: removed, flagged, their tokens spent
        if (taken.size() < jobs.size()) {
          List<String> looped =
              step(
                  c,
                  LOOPED,
                  now,
                  jobs,
                  taken,
                  rs -> new Loop(rs.getString("profile"), rs.getInt("boots")));
          if (!looped.isEmpty()) {
            Array a = c.createArrayOf("varchar", looped.toArray());
            try (PreparedStatement ps =
                c.prepareStatement(
                    "DELETE FROM assignments WHERE mac = ANY(?) AND kind = 'once'")) {
              ps.setArray(1, a);
              ps.executeUpdate();
            }
            try (PreparedStatement ps =
                c.prepareStatement("UPDATE install_tokens SET used_at = ? WHERE mac = ANY(?)")) {
              ps.setLong(1, now);
              ps.setArray(2, a);
              ps.executeUpdate();
            }
          }
        }
        // 3. ordinary once-assignments: taken, gone
        if (taken.size() < jobs.size()) {
          step(c, TAKE, null, jobs, taken, rs -> new Consumed(rs.getString("profile")));
        }
        // 4. the boots' events, under the event lock until the commit
        List<Job> decided = new ArrayList<>();
        List<BootEvent> events = new ArrayList<>();
        for (Job j : jobs) {
          OnceTaken t = taken.get(j.mac());
          if (t != null) {
            decided.add(j);
            events.add(j.decide().apply(t));
          }
        }
        Map<Job, Optional<BootEvent>> results = new HashMap<>();
        jobs.forEach(j -> results.put(j, Optional.empty()));
        if (!events.isEmpty()) {
          long[] ids = PostgresStore.insertEvents(c, events);
          for (int i = 0; i < events.size(); i++) {
            results.put(decided.get(i), Optional.of(events.get(i).withId(ids[i])));
          }
        }
        c.commit();
        return results;
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException r) {
          // the connection is gone; nothing was committed
        }
        throw e;
      } finally {
        try {
          c.setAutoCommit(true);
        } catch (SQLException e) {
          // the pool drops a broken connection
        }
      }
    } catch (SQLException e) {
      throw db.failure("taking once-assignments", e);
    }
  }

  /** What one row of a step took for its MAC. */
  private interface Row {
    OnceTaken taken(ResultSet rs) throws SQLException;
  }

  /**
   * Runs one set-based step ({@code now} as its first parameter if given, then the array of the
   * MACs with nothing taken yet) and records what each returned row took; the MACs it took.
   */
  private static List<String> step(
      Connection c, String sql, Long now, List<Job> jobs, Map<MacAddress, OnceTaken> taken, Row row)
      throws SQLException {
    List<String> took = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      int i = 1;
      if (now != null) {
        ps.setLong(i++, now);
      }
      ps.setArray(i, macs(c, jobs, taken));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          taken.put(mac(rs), row.taken(rs));
          took.add(rs.getString("mac"));
        }
      }
    }
    return took;
  }

  /** The MACs of the jobs with nothing taken yet. */
  private static Array macs(Connection c, List<Job> jobs, Map<MacAddress, OnceTaken> taken)
      throws SQLException {
    List<String> macs = new ArrayList<>(jobs.size());
    for (Job j : jobs) {
      if (!taken.containsKey(j.mac())) {
        macs.add(j.mac().colon());
      }
    }
    return c.createArrayOf("varchar", macs.toArray());
  }

  private static MacAddress mac(ResultSet rs) throws SQLException {
    return MacAddress.parse(rs.getString("mac")).orElseThrow();
  }

  @Override
  public void close() {
    closing = true;
    try {
      thread.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<Job> left = new ArrayList<>();
    queue.drainTo(left);
    left.forEach(
        j ->
            j.result()
                .completeExceptionally(
                    new BootStore.UnavailableException("the store is closing", null)));
  }
}
