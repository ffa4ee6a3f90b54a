package dev.chainboot.auth;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where tokens are kept: by the SHA-256 of their secret, never the secret itself. Implemented in
 * {@code store} (the same database as everything else, so that a token created or revoked with the
 * CLI counts at once in a running server).
 */
public interface TokenStore {

  /** Thrown by {@link #addToken} when an active token already has that name. */
  final class NameTaken extends RuntimeException {
    public NameTaken(String name) {
      super("a token named " + name + " exists (revoke it first, or choose another name)");
    }
  }

  /**
   * Stores a new token.
   *
   * @param hash the lowercase hex SHA-256 of its secret
   * @throws NameTaken if an active token has its name
   */
  void addToken(ApiToken token, String hash);

  /** The token (active or revoked) whose secret hashes to {@code hash}. */
  Optional<ApiToken> tokenByHash(String hash);

  /** The token with this id (active or revoked). */
  Optional<ApiToken> tokenById(String id);

  /** All tokens, active and revoked, by name then creation. */
  List<ApiToken> tokens();

  /**
   * Revokes the active token named {@code name}.
   *
   * @return false if there is no active token by that name
   */
  boolean revokeToken(String name, Instant at);

  /** Records that the token authenticated a request at {@code at}. */
  void touchToken(String id, Instant at);
}
