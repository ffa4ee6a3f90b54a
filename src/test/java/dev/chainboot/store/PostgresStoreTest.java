package dev.chainboot.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chainboot.boot.Assignment;
import dev.chainboot.boot.Machine;
import dev.chainboot.testing.Postgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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

  @Test
  void anUnknownMacKeptAsUnknownIsSeenOnceAnotherHandleRegistersIt() {
    chains("p1");
    Store other = another();
    assertThat(((PostgresStore) store).listening()).isTrue();
    assertThat(store.bootView(A).machine()).isEmpty();
    assertThat(store.bootView(A).machine()).isEmpty(); // now from the cache
    other.putMachine(Machine.of(A));
    other.assign(new Assignment(A, Assignment.Kind.STATIC, "p1"));
    seen(() -> assertThat(store.bootView(A).staticProfile()).contains("p1"));
    other.deleteMachine(A);
    seen(() -> assertThat(store.bootView(A).machine()).isEmpty());
  }

  @Test
  void connectionsCommitAsTheUrlsSynchronousCommitSays() throws Exception {
    String url = Postgres.shared().url(database);
    for (String[] c :
        List.of(
            new String[] {"", "off"},
            new String[] {"?synchronous_commit=on", "on"},
            new String[] {"?synchronous_commit=remote_apply", "remote_apply"})) {
      try (PostgresStore s = PostgresStore.open(PostgresUrl.parse(url + c[0]), null);
          Connection conn = s.pool.getConnection();
          Statement st = conn.createStatement();
          ResultSet rs = st.executeQuery("SHOW synchronous_commit")) {
        rs.next();
        assertThat(rs.getString(1)).as("synchronous_commit with '%s'", c[0]).isEqualTo(c[1]);
      }
    }
    assertThatThrownBy(() -> PostgresUrl.parse(url + "?synchronous_commit=maybe"))
        .hasMessageContaining("synchronous_commit must be one of");
  }
}
