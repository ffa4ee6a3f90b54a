package dev.chainboot.auth;

import java.util.Locale;
import java.util.Optional;

/**
 * What a token (and a session logged in with it) may do. Each role includes the ones before it: a
 * viewer reads everything but tokens, an operator also changes machines, profiles, groups,
 * assignments and the default, builds media and runs imports, an admin also manages tokens.
 */
public enum Role {
  VIEWER,
  OPERATOR,
  ADMIN;

  /** Whether this role may do what {@code needed} may. */
  public boolean allows(Role needed) {
    return compareTo(needed) >= 0;
  }

  /** {@code viewer}, {@code operator} or {@code admin}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Role> parse(String s) {
    if (s == null) {
      return Optional.empty();
    }
    for (Role r : values()) {
      if (r.id().equals(s.strip().toLowerCase(Locale.ROOT))) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }
}
