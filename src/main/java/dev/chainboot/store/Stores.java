package dev.chainboot.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Opens the store {@code --db} names: PostgreSQL by URL, or SQLite in the data directory. */
public final class Stores {

  /** The environment variable a PostgreSQL password may come from. */
  public static final String PASSWORD_ENV = "CHAINBOOT_DB_PASSWORD";

  private Stores() {}

  /**
   * @param db {@code postgresql://...}, or empty (or {@code sqlite}) for {@code
   *     dataDir/chainboot.db}
   * @param passwordFile a file whose first line is the PostgreSQL password; without one, {@value
   *     #PASSWORD_ENV} is used if set
   * @throws IllegalArgumentException for a malformed URL or an unreadable password file
   * @throws StoreException when the database cannot be opened
   */
  public static Store open(Optional<String> db, Path dataDir, Optional<Path> passwordFile) {
    if (db.isPresent() && PostgresUrl.isPostgres(db.get())) {
      PostgresUrl url = PostgresUrl.parse(db.get());
      return PostgresStore.open(url, password(passwordFile).orElse(null));
    }
    if (db.isPresent() && !db.get().isEmpty() && !db.get().equals("sqlite")) {
      throw new IllegalArgumentException(
          "--db: expected postgresql://USER@HOST:PORT/DATABASE, or sqlite (DATA/chainboot.db),"
              + " not '"
              + db.get()
              + "'");
    }
    return SqliteStore.open(dataDir);
  }

  /** Whether {@code db} is shared by several instances (PostgreSQL). */
  public static boolean shared(Optional<String> db) {
    return db.isPresent() && PostgresUrl.isPostgres(db.get());
  }

  /** The password from {@code file} (its first line), else from {@value #PASSWORD_ENV}. */
  public static Optional<String> password(Optional<Path> file) {
    if (file.isPresent()) {
      try {
        String text = Files.readString(file.get());
        int nl = text.indexOf('\n');
        return Optional.of((nl < 0 ? text : text.substring(0, nl)).stripTrailing());
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "--db-password-file: cannot read " + file.get() + ": " + e.getMessage());
      }
    }
    return Optional.ofNullable(System.getenv(PASSWORD_ENV)).filter(p -> !p.isEmpty());
  }
}
