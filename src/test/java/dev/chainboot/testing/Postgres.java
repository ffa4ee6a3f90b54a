package dev.chainboot.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server from Debian's packages (package {@code postgresql}): {@code initdb}
 * and {@code pg_ctl} in a temporary directory, on a free loopback port, trust authentication for
 * the user {@code chainboot}, durability off (a test server). As root the server runs as the {@code
 * postgres} user (initdb refuses root). Ready in about a second; {@link #close()} stops it and
 * deletes everything. A machine without PostgreSQL fails the test with the package to install.
 *
 * <p>{@link #shared()} is one server per test JVM (stopped at exit); {@link #newDatabase()} makes
 * an empty database on it.
 */
public final class Postgres implements AutoCloseable {

  public static final String USER = "chainboot";
  private static final Duration STEP = Duration.ofSeconds(60);
  private static Postgres shared;
  private static final AtomicInteger databases = new AtomicInteger();

  private final Path bin;
  private final Path dir;
  private final int port;
  private final boolean asPostgres;

  private Postgres(Path bin, Path dir, int port, boolean asPostgres) {
    this.bin = bin;
    this.dir = dir;
    this.port = port;
    this.asPostgres = asPostgres;
  }

  /** One server for this JVM, started on first use and stopped when the JVM exits. */
  public static synchronized Postgres shared() {
    if (shared == null) {
      shared = start();
      Postgres s = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(s::close, "postgres-stop"));
    }
    return shared;
  }

  /** Starts a new server (the caller closes it). */
  public static Postgres start() {
    Path bin = binDir();
    try {
      boolean root = "root".equals(System.getProperty("user.name"));
      Path dir = Files.createTempDirectory("chainboot-pg");
      Postgres pg = new Postgres(bin, dir, Jar.freePort(), root);
      if (root) {
        run("chown", "postgres:postgres", dir.toString());
      }
      pg.pg(
          "initdb",
          "-D",
          pg.data().toString(),
          "-U",
          USER,
          "--auth=trust",
          "-E",
          "UTF8",
          "--locale=C.UTF-8",
          "--no-sync");
      try {
        pg.startServer();
        pg.sql("postgres", "CREATE DATABASE chainboot");
      } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
        pg.close();
        throw e;
      }
      return pg;
    } catch (IOException | InterruptedException e) {
      throw new AssertionError("cannot start PostgreSQL: " + e, e);
    }
  }

  /** The newest {@code /usr/lib/postgresql/N/bin} with pg_ctl, or a clear failure. */
  static Path binDir() {
    Path base = Path.of("/usr/lib/postgresql");
    try (Stream<Path> versions = Files.isDirectory(base) ? Files.list(base) : Stream.empty()) {
      return versions
          .map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("pg_ctl")))
          .max(Comparator.comparingInt(b -> Integer.parseInt(b.getParent().getFileName() + "")))
          .orElseThrow(
              () ->
                  new AssertionError(
                      "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/pg_ctl):"
                          + " apt-get install postgresql (scripts/test installs it as root)"));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private Path data() {
    return dir.resolve("data");
  }

  /** Starts the (stopped) server again on the same port and data. */
  public void startServer() throws IOException, InterruptedException {
    pg(
        "pg_ctl",
        "-D",
        data().toString(),
        "-l",
        dir.resolve("pg.log").toString(),
        "-w",
        "-t",
        "60",
        "-o",
        "-k "
            + dir
            + " -p "
            + port
            + " -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
            + " -c full_page_writes=off -c max_connections=300",
        "start");
  }

  /**
   * Stops the server: {@code fast} (clients disconnected, clean) or {@code immediate} (a crash).
   */
  public void stopServer(String mode) throws IOException, InterruptedException {
    pg("pg_ctl", "-D", data().toString(), "-m", mode, "-w", "-t", "60", "stop");
  }

  public int port() {
    return port;
  }

  /** {@code postgresql://chainboot@127.0.0.1:PORT/DB}, what {@code --db} takes. */
  public String url(String database) {
    return "postgresql://" + USER + "@127.0.0.1:" + port + "/" + database;
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=" + USER;
  }

  /** A new, empty database on this server; returns its name. */
  public String newDatabase() {
    String name = "t" + databases.incrementAndGet();
    sql("postgres", "CREATE DATABASE " + name);
    return name;
  }

  /** Runs statements on {@code database}, each on its own (so CREATE DATABASE works). */
  public void sql(String database, String... statements) {
    try (Connection c = DriverManager.getConnection(jdbcUrl(database));
        Statement st = c.createStatement()) {
      for (String s : statements) {
        st.execute(s);
      }
    } catch (SQLException e) {
      throw new AssertionError("PostgreSQL: " + e.getMessage() + " in " + List.of(statements), e);
    }
  }

  /** The server's log so far (for failure messages). */
  public String log() {
    try {
      return Files.readString(dir.resolve("pg.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private void pg(String tool, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    if (asPostgres) {
      cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    cmd.add(bin.resolve(tool).toString());
    cmd.addAll(List.of(args));
    run(cmd.toArray(String[]::new));
  }

  private static void run(String... cmd) throws IOException, InterruptedException {
    Processes.Output o =
        Processes.run(
            new ProcessBuilder(cmd).redirectErrorStream(true).directory(new java.io.File("/")),
            STEP);
    if (o.exit() != 0) {
      throw new AssertionError(String.join(" ", cmd) + " failed (" + o.exit() + "): " + o.all());
    }
  }

  @Override
  public synchronized void close() {
    try {
      if (Files.exists(data().resolve("postmaster.pid"))) {
        stopServer("immediate");
      }
    } catch (IOException | InterruptedException | AssertionError e) {
      System.err.println("Postgres: stopping failed: " + e);
    }
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }
}
