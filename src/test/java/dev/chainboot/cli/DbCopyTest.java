package dev.chainboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.boot.Arch;
import dev.chainboot.boot.Assignment;
import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.Group;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Machine;
import dev.chainboot.boot.Platform;
import dev.chainboot.boot.Profile;
import dev.chainboot.store.PostgresStore;
import dev.chainboot.store.PostgresUrl;
import dev.chainboot.store.SqliteStore;
import dev.chainboot.store.Store;
import dev.chainboot.store.StoreCopy;
import dev.chainboot.testing.Postgres;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chainboot db copy}: a single-node SQLite install moved to PostgreSQL and back, with
 * nothing lost (the same machines, profiles, assignments, groups, default and events, times and ids
 * included: every table's count and sha256 equal).
 */
class DbCopyTest {

  @TempDir Path tmp;

  static MacAddress mac(int i) {
    return MacAddress.parse(String.format("52:54:00:00:%02x:%02x", i / 256, i % 256)).orElseThrow();
  }

  /** A store with some of everything, including what the Store API does not show. */
  static void fill(Store s) throws Exception {
    s.putProfile(Profile.chain("chain-1", "http://example.invalid/x.ipxe"));
    s.putProfile(
        Profile.kernel(
            "debian", "http://10.0.0.1/linux", List.of("http://10.0.0.1/initrd.gz"), "quiet"));
    s.putProfile(Profile.localDisk("disk"));
    s.putProfile(Profile.menu("menu", List.of("debian", "disk")));
    for (int i = 0; i < 300; i++) {
      Machine m =
          new Machine(
              mac(i),
              Optional.of("10.0." + (i / 250) + "." + (i % 250)),
              i % 3 == 0 ? Optional.empty() : Optional.of("uuid-" + i),
              Optional.of("SN-ü " + i),
              Optional.of("node" + i),
              Optional.of(i % 2 == 0 ? Arch.X86_64 : Arch.ARM64),
              Optional.of(Platform.EFI),
              Map.of("rack", "r" + (i % 7), "role", "x\ny"));
      if (i % 2 == 0) {
        s.putMachine(m); // configured: never seen
      } else {
        s.registerMachine(m); // seen at boot
      }
      if (i % 5 == 0) {
        s.assign(new Assignment(mac(i), Assignment.Kind.ONCE, "debian"));
      }
      if (i % 4 == 0) {
        s.assign(new Assignment(mac(i), Assignment.Kind.STATIC, "disk"));
      }
    }
    s.putGroup(
        new Group("rack1", "debian", Map.of("rack", "r1"), Optional.empty(), Optional.empty()));
    s.putGroup(
        new Group("arm", "menu", Map.of(), Optional.of(Arch.ARM64), Optional.of("52:54:00:00:01")));
    s.setDefaultProfile(Optional.of("chain-1"));
    List<BootEvent> events = new ArrayList<>();
    for (int i = 0; i < 2500; i++) {
      events.add(
          new BootEvent(
              0,
              Instant.parse("2026-01-02T03:04:05.678Z").plusMillis(i * 1001L),
              i % 9 == 0 ? Optional.empty() : Optional.of(mac(i % 300)),
              "10.0.0." + (i % 200),
              BootEvent.Match.values()[i % BootEvent.Match.values().length],
              "reason " + i + " ✓",
              i % 4 == 0 ? Optional.empty() : Optional.of("debian"),
              i % 2 == 0 ? "http" : "pxesrv",
              i % 5 == 0));
    }
    s.appendEvents(events.subList(0, 1000));
    s.appendEvents(events.subList(1000, 2500));
  }

  record Everything(
      List<Machine> machines,
      List<Profile> profiles,
      List<Assignment> assignments,
      List<Group> groups,
      Optional<String> defaultProfile,
      List<BootEvent> events) {}

  static Everything everything(Store s) {
    return new Everything(
        s.machines(),
        s.profiles(),
        s.assignments(),
        s.groups(),
        s.defaultProfile(),
        s.events(Optional.empty(), 0, 100_000));
  }

  @Test
  void sqliteToPostgresqlAndBackLosesNothing() throws Exception {
    Path data = tmp.resolve("data");
    Everything before;
    List<String[]> sums;
    try (SqliteStore s = SqliteStore.open(data)) {
      fill(s);
      before = everything(s);
      sums = StoreCopy.checksums(s);
    }
    assertThat(before.machines()).hasSize(300);
    assertThat(before.events()).hasSize(2500);

    Postgres pg = Postgres.shared();
    String url = pg.url(pg.newDatabase());
    ConfigCommandTest.Run r =
        ConfigCommandTest.run(
            Map.of(), "db", "copy", "--from", data.resolve("chainboot.db").toString(), "--to", url);
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .containsPattern("machines +300 +300")
        .containsPattern("boot_events +2500 +2500")
        .containsPattern("assignments +\\d+ +\\d+")
        .contains("every table matches");

    try (PostgresStore p = PostgresStore.open(PostgresUrl.parse(url), null)) {
      assertThat(everything(p)).isEqualTo(before);
      assertThat(StoreCopy.checksums(p))
          .usingRecursiveFieldByFieldElementComparator()
          .isEqualTo(sums);
      // The copy goes on from the copied ids
      p.appendEvents(List.of(before.events().get(0)));
      assertThat(p.recentEvents(Optional.empty(), 1).get(0).id())
          .isGreaterThan(before.events().get(2499).id());
    }

    Path back = tmp.resolve("back");
    String pgBefore;
    try (PostgresStore p = PostgresStore.open(PostgresUrl.parse(url), null)) {
      pgBefore = String.valueOf(p.events(Optional.empty(), 0, 100_000).size());
    }
    ConfigCommandTest.Run r2 =
        ConfigCommandTest.run(Map.of(), "db", "copy", "--from", url, "--to", back.toString());
    assertThat(r2.exit()).as(r2.err()).isZero();
    assertThat(pgBefore).isEqualTo("2501");
    try (SqliteStore s = SqliteStore.open(back)) {
      Everything after = everything(s);
      assertThat(after.machines()).isEqualTo(before.machines());
      assertThat(after.assignments()).isEqualTo(before.assignments());
      assertThat(after.events())
          .hasSize(2501)
          .startsWith(before.events().toArray(BootEvent[]::new));
    }
  }

  @Test
  void aTargetThatIsNotEmptyIsRefusedAndLeftAlone() throws Exception {
    Path data = tmp.resolve("data");
    try (SqliteStore s = SqliteStore.open(data)) {
      s.putProfile(Profile.localDisk("disk"));
    }
    Postgres pg = Postgres.shared();
    String url = pg.url(pg.newDatabase());
    try (PostgresStore p = PostgresStore.open(PostgresUrl.parse(url), null)) {
      p.putProfile(Profile.localDisk("other"));
    }
    ConfigCommandTest.Run r =
        ConfigCommandTest.run(Map.of(), "db", "copy", "--from", data.toString(), "--to", url);
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("is not empty (profiles: 1 rows)");
    try (PostgresStore p = PostgresStore.open(PostgresUrl.parse(url), null)) {
      assertThat(p.profiles()).extracting(Profile::name).containsExactly("other");
    }
    ConfigCommandTest.Run missing =
        ConfigCommandTest.run(
            Map.of(),
            "db",
            "copy",
            "--from",
            tmp.resolve("nothing/chainboot.db").toString(),
            "--to",
            url);
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).contains("not found");
  }
}
