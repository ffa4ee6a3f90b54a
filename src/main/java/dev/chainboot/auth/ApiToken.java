package dev.chainboot.auth;

import java.time.Instant;
import java.util.Optional;

/**
 * An API token as stored: never its secret, only what identifies and describes it.
 *
 * @param id random public id (the session of a UI login remembers it)
 * @param name the operator's name for it, unique among active tokens
 * @param role what it may do
 * @param created when it was created
 * @param lastUsed when it last authenticated a request (written at most once a minute), if ever
 * @param revoked when it was revoked, if it was
 */
public record ApiToken(
    String id,
    String name,
    Role role,
    Instant created,
    Optional<Instant> lastUsed,
    Optional<Instant> revoked) {

  public boolean active() {
    return revoked.isEmpty();
  }

  /** Token names: 1-64 letters, digits, '.', '_', '-' or '@'. */
  public static String checkName(String name) {
    if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")) {
      throw new IllegalArgumentException(
          "token name must be 1-64 letters, digits, '.', '_', '-' or '@' (starting with a letter"
              + " or digit)");
    }
    return name;
  }
}
