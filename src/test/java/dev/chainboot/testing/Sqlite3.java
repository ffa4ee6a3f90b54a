package dev.chainboot.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The {@code sqlite3} command-line tool (Debian package {@code sqlite3}): another process changing
 * a database, as an operator would. Tests that need it fail, saying so, when it is not installed.
 */
public final class Sqlite3 {

  private Sqlite3() {}

  /** Runs {@code sql} on {@code db} with foreign keys on; returns what it printed. */
  public static String run(Path db, String sql) {
    Process p;
    try {
      p =
          new ProcessBuilder(
                  "sqlite3",
                  "-batch",
                  "-cmd",
                  ".timeout 10000",
                  "-cmd",
                  "PRAGMA foreign_keys = ON",
                  db.toString(),
                  sql)
              .redirectErrorStream(true)
              .start();
    } catch (IOException e) {
      throw new AssertionError(
          "the sqlite3 command-line tool is needed to change the database"
              + " from another process, and it is not installed (Debian: apt-get install sqlite3): "
              + e.getMessage(),
          e);
    }
    try {
      p.getOutputStream().close();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("sqlite3 did not finish within 20 s: " + sql);
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new AssertionError(
            "sqlite3 failed (exit " + p.exitValue() + "): " + sql + "\n" + out);
      }
      return out;
    } catch (IOException | InterruptedException e) {
      p.destroyForcibly();
      throw new AssertionError(e);
    }
  }
}
