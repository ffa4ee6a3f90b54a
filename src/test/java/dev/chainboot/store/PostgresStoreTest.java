package dev.chainboot.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.boot.Assignment;
import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.Machine;
import dev.chainboot.testing.Postgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * PostgresStore keeps the store contract (on Debian's PostgreSQL, one throwaway server for the
 * class, a fresh database per test copied from a migrated template), across handles and processes.
 */
class PostgresStoreTest extends StoreContract {

  static String template;
  String database;

  static synchronized String template() {
    if (template == null) {
      Postgres pg = Postgres.shared();
      template = pg.newDatabase();
      PostgresStore.open(PostgresUrl.parse(pg.url(template)), null).close();
    }
    return template;
  }

  @Override
  protected Store newStore() {
    Postgres pg = Postgres.shared();
    String tmpl = template();
    database = "c" + System.nanoTime();
    pg.sql("postgres", "CREATE DATABASE " + database + " TEMPLATE " + tmpl);
    return openAgain();
  }

  @Override
  protected Store openAgain() {
    return PostgresStore.open(PostgresUrl.parse(Postgres.shared().url(database)), null);
  }

  @Override
  protected List<String> storeProcessSpec() {
    return List.of("postgresql", Postgres.shared().url(database));
  }

  /** NOTIFY reaches the other handles asynchronously; typically well within a millisecond. */
  @Override
  protected Duration propagation() {
    return Duration.ofSeconds(2);
  }

  @Test
  void aChangeThroughAnotherHandleReachesThisOnesCacheWithinMilliseconds() {
    chains("p1", "p2");
    store.putMachine(Machine.of(A));
    Store other = another();
    assertThat(((PostgresStore) store).listening()).isTrue();
    List<Long> micros = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      String p = i % 2 == 0 ? "p1" : "p2";
      store.bootView(A); // cached
      other.assign(new Assignment(A, Assignment.Kind.STATIC, p));
      long t0 = System.nanoTime();
      while (!store.bootView(A).staticProfile().orElse("").equals(p)) {
        Thread.onSpinWait();
        assertThat(System.nanoTime() - t0)
            .as("change %d not seen after 2 s", i)
            .isLessThan(2_000_000_000L);
      }
      micros.add((System.nanoTime() - t0) / 1000);
    }
    Collections.sort(micros);
    long p50 = micros.get(100);
    long p99 = micros.get(198);
    System.out.printf("PostgresStoreTest: NOTIFY to cache, p50 %d us, p99 %d us%n", p50, p99);
    // Generous bounds: the machine is shared (a loaded one showed p50 3.5 ms, p99 56 ms).
    assertThat(p50).as("median microseconds from commit to seen").isLessThan(50_000);
    assertThat(p99).as("p99 microseconds from commit to seen").isLessThan(1_000_000);
  }

  /**
   * What {@link PostgresStore#appendEvents} relies on: the driver sends a multi-statement query in
   * autocommit mode with one Sync, and PostgreSQL runs it as one implicit transaction (so the event
   * lock of the first statement is held until the insert of the second commits).
   */
  @Test
  void statementsSentTogetherInAutocommitAreOneTransaction() throws SQLException {
    try (Connection c = DriverManager.getConnection(Postgres.shared().jdbcUrl(database));
        PreparedStatement ps =
            c.prepareStatement("SELECT txid_current() + ?; SELECT txid_current() + ?")) {
      assertThat(c.getAutoCommit()).isTrue();
      ps.setLong(1, 0);
      ps.setLong(2, 0);
      assertThat(ps.execute()).isTrue();
      long first;
      try (ResultSet rs = ps.getResultSet()) {
        rs.next();
        first = rs.getLong(1);
      }
      assertThat(ps.getMoreResults()).isTrue();
      try (ResultSet rs = ps.getResultSet()) {
        rs.next();
        assertThat(rs.getLong(1)).as("the second statement's transaction").isEqualTo(first);
      }
    }
  }

  @Test
  void aBatchOfEventsIsOneTransactionUnderTheEventLock() throws Exception {
    List<BootEvent> batch = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      batch.add(event(i, Optional.of(A)));
    }
    try (Connection c = DriverManager.getConnection(Postgres.shared().jdbcUrl(database));
        Statement st = c.createStatement()) {
      // Another session holds the event lock: the batch waits for it.
      st.execute("SELECT pg_advisory_lock(" + 0x636861696e626f6fL + ")");
      CompletableFuture<Void> written = CompletableFuture.runAsync(() -> store.appendEvents(batch));
      Thread.sleep(300);
      assertThat(written).as("written while another holds the event lock").isNotDone();
      st.execute("SELECT pg_advisory_unlock(" + 0x636861696e626f6fL + ")");
      written.get(10, TimeUnit.SECONDS);
      try (ResultSet rs =
          st.executeQuery("SELECT count(*), count(DISTINCT xmin::text) FROM boot_events")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(7);
        assertThat(rs.getInt(2)).as("transactions that wrote the batch").isEqualTo(1);
      }
    }
    assertThat(store.events(Optional.empty(), 0, 100))
        .extracting(BootEvent::reason)
        .containsExactly("e0", "e1", "e2", "e3", "e4", "e5", "e6");
  }

  @Test
  void aBatchTooBigForOneStatementIsWrittenToo() {
    List<BootEvent> batch = new ArrayList<>();
    for (int i = 0; i < PostgresStore.ONE_STATEMENT_EVENTS + 3; i++) {
      batch.add(event(i, Optional.of(A)));
    }
    store.appendEvents(batch);
    store.appendEvents(batch.subList(0, PostgresStore.ONE_STATEMENT_EVENTS));
    List<BootEvent> read = store.events(Optional.empty(), 0, 5000);
    assertThat(read).hasSize(2 * PostgresStore.ONE_STATEMENT_EVENTS + 3);
    assertThat(read.get(PostgresStore.ONE_STATEMENT_EVENTS + 2).reason())
        .isEqualTo("e" + (PostgresStore.ONE_STATEMENT_EVENTS + 2));
    assertThat(read.getLast().reason()).isEqualTo("e" + (PostgresStore.ONE_STATEMENT_EVENTS - 1));
  }
}
