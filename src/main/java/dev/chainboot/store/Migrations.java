package dev.chainboot.store;

/**
 * Where Flyway finds a database's migrations: {@code db/migration/common} (SQL both engines run as
 * it is) and the engine's own folder ({@code db/migration/sqlite} or {@code
 * db/migration/postgresql}), one version history for both. A version lives either in common or in
 * both engine folders, never both (docs/architecture.md, "A migration").
 */
final class Migrations {

  private Migrations() {}

  static String[] locations(String vendor) {
    return new String[] {"classpath:db/migration/common", "classpath:db/migration/" + vendor};
  }
}
