package dev.chainboot.auth;

/**
 * Who a request acts as: the token it presented, or the token a UI session was opened with.
 *
 * @param name the token's name
 * @param role what it may do
 * @param tokenId the token's id
 * @param via how the request proved it
 */
public record Principal(String name, Role role, String tokenId, Via via) {

  /** How a request authenticated. */
  public enum Via {
    /** {@code Authorization: Bearer TOKEN} (API clients, the remote CLI). */
    TOKEN,
    /** A UI session cookie (browsers; state changes need the session's CSRF token). */
    SESSION
  }

  public boolean may(Role needed) {
    return role.allows(needed);
  }
}
