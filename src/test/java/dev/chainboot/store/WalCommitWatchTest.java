package dev.chainboot.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Profile;
import dev.chainboot.testing.Sqlite3;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The WAL-index header says whether anything was committed, by this process or another. */
class WalCommitWatchTest {

  static final MacAddress A = MacAddress.parse("52:54:00:00:00:0a").orElseThrow();

  @TempDir Path dir;

  @Test
  void aMarkStaysWhileNothingCommitsAndChangesWithEveryCommitOfAnyProcess() throws Exception {
    try (SqliteStore store = SqliteStore.open(dir);
        WalCommitWatch watch = WalCommitWatch.open(store.file()).orElseThrow()) {
      Set<WalCommitWatch.Mark> marks = new HashSet<>();
      WalCommitWatch.Mark first = watch.mark();
      assertThat(first).isNotNull();
      marks.add(first);

      // reads, here and in another process, commit nothing
      store.machines();
      store.profiles();
      store.bootView(A);
      store.events(Optional.empty(), 0, 10);
      assertThat(Sqlite3.run(store.file(), "SELECT count(*) FROM profiles")).isEqualTo("0\n");
      Thread.sleep(20);
      assertThat(watch.mark()).isEqualTo(first);

      store.putProfile(Profile.localDisk("disk"));
      WalCommitWatch.Mark afterProfile = watch.mark();
      assertThat(afterProfile).isNotNull();
      assertThat(marks.add(afterProfile)).as("a new mark after putProfile").isTrue();
      assertThat(watch.mark()).isEqualTo(afterProfile);

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
      assertThat(marks.add(watch.mark())).as("a new mark after appendEvents").isTrue();

      Sqlite3.run(
          store.file(),
          "INSERT INTO machines (mac, labels, created_at)" + " VALUES ('" + A + "', '{}', 0)");
      WalCommitWatch.Mark afterOther = watch.mark();
      assertThat(afterOther).isNotNull();
      assertThat(marks.add(afterOther)).as("a new mark after sqlite3's insert").isTrue();
      assertThat(store.machine(A)).as("the insert happened").isPresent();
      assertThat(watch.mark()).isEqualTo(afterOther);
    }
  }

  @Test
  void thereIsNothingToWatchWithoutAShmFile() throws Exception {
    Path rollback = dir.resolve("rollback.db"); // sqlite3's default journal: no WAL, no -shm
    Sqlite3.run(rollback, "CREATE TABLE t (x); INSERT INTO t VALUES (1);");
    assertThat(rollback).exists();
    assertThat(dir.resolve("rollback.db-shm")).doesNotExist();
    assertThat(WalCommitWatch.open(rollback)).isEmpty();

    Path data = dir.resolve("data"); // a WAL database nobody has open: the -shm is gone
    SqliteStore.open(data).close();
    assertThat(data.resolve("chainboot.db")).exists();
    assertThat(data.resolve("chainboot.db-shm")).doesNotExist();
    assertThat(WalCommitWatch.open(data.resolve("chainboot.db"))).isEmpty();

    assertThat(WalCommitWatch.open(dir.resolve("missing.db"))).isEmpty();

    Files.write(dir.resolve("short.db-shm"), new byte[50]); // too short for the header
    assertThat(WalCommitWatch.open(dir.resolve("short.db"))).isEmpty();
    Files.write(dir.resolve("long.db-shm"), new byte[200]); // the same, long enough: opens
    try (WalCommitWatch w = WalCommitWatch.open(dir.resolve("long.db")).orElseThrow()) {
      assertThat(w.mark()).as("not initialized").isNull();
    }
  }
}
