package dev.chainboot.cli;

import dev.chainboot.boot.BootStore;
import dev.chainboot.store.PostgresUrl;
import dev.chainboot.store.StoreCopy;
import dev.chainboot.store.StoreException;
import dev.chainboot.store.Stores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code chainboot db copy}: moves a store from one database to another. */
@Command(
    name = "db",
    mixinStandardHelpOptions = true,
    description = "Database maintenance.",
    subcommands = {DbCommand.Copy.class})
public final class DbCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(
      name = "copy",
      mixinStandardHelpOptions = true,
      description = {
        "Copy everything (machines, profiles, assignments, groups, the default, every event with"
            + " its id and time) into a new, empty database, e.g. a single-node install to"
            + " PostgreSQL: chainboot db copy --from DATA/chainboot.db --to"
            + " postgresql://USER@HOST:PORT/DB.",
        "Commits only when every table's row count and sha256 match on both sides, and prints"
            + " them. Stop the servers using either database first."
      })
  static final class Copy implements Callable<Integer> {

    @Option(
        names = "--from",
        required = true,
        paramLabel = "DB",
        description = "Source: DATA/chainboot.db (or DATA), or a postgresql:// URL.")
    String from;

    @Option(
        names = "--to",
        required = true,
        paramLabel = "DB",
        description = "Target (empty or new): a postgresql:// URL, or DATA/chainboot.db.")
    String to;

    @Option(
        names = "--db-password-file",
        paramLabel = "FILE",
        description =
            "File whose first line is the PostgreSQL password (else CHAINBOOT_DB_PASSWORD).")
    Path dbPasswordFile;

    @Override
    public Integer call() {
      try (var source = open(from, true);
          var target = open(to, false)) {
        List<StoreCopy.Table> tables = StoreCopy.copy(source, target);
        System.out.printf("%-16s %10s %10s  %s%n", "table", "from", "to", "sha256 (both)");
        for (StoreCopy.Table t : tables) {
          System.out.printf(
              "%-16s %10d %10d  %s%n", t.name(), t.fromRows(), t.toRows(), t.fromSum());
        }
        System.out.println("copied " + from + " to " + to + ": every table matches");
        return 0;
      } catch (IllegalArgumentException e) {
        System.err.println("chainboot db copy: " + e.getMessage());
        return 2;
      } catch (StoreException | BootStore.UnavailableException e) {
        System.err.println("chainboot db copy: " + e.getMessage());
        return 1;
      }
    }

    /** A store by URL or SQLite path; a source must exist. */
    private dev.chainboot.store.Store open(String db, boolean source) {
      if (PostgresUrl.isPostgres(db)) {
        return Stores.open(Optional.of(db), Path.of("."), Optional.ofNullable(dbPasswordFile));
      }
      Path p = Path.of(db);
      Path dir;
      boolean newDir = !source && !Files.exists(p) && !db.endsWith(".db");
      if (Files.isDirectory(p) || newDir) {
        dir = p;
      } else if (p.getFileName() != null && p.getFileName().toString().equals("chainboot.db")) {
        dir = p.toAbsolutePath().getParent();
      } else {
        throw new IllegalArgumentException(
            (source ? "--from" : "--to")
                + ": expected DATA/chainboot.db, a data directory or a postgresql:// URL, not "
                + db);
      }
      if (source && !Files.exists(dir.resolve("chainboot.db"))) {
        throw new IllegalArgumentException("--from: " + dir.resolve("chainboot.db") + " not found");
      }
      return Stores.open(Optional.empty(), dir, Optional.empty());
    }
  }
}
