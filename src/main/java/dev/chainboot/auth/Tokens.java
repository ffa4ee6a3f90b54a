package dev.chainboot.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * API tokens: created with 256 random bits (shown once, as {@code cbt_...}), stored as their
 * SHA-256 (a fast hash is right for random secrets of this size: there is nothing to guess), looked
 * up on every request so that a revocation counts at once, in every process that shares the store.
 */
public final class Tokens {

  /** What every secret starts with (so that secret scanners and people recognise one). */
  public static final String PREFIX = "cbt_";

  /** Longer Authorization values are refused unread. */
  public static final int MAX_SECRET = 128;

  private static final Duration TOUCH_EVERY = Duration.ofMinutes(1);

  private final TokenStore store;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Instant> touched = new ConcurrentHashMap<>();

  public Tokens(TokenStore store) {
    this(store, Clock.systemUTC());
  }

  public Tokens(TokenStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** A new token and its secret, which is not kept anywhere: show it once. */
  public record Created(ApiToken token, String secret) {}

  /**
   * Creates a token.
   *
   * @throws IllegalArgumentException for a bad name
   * @throws TokenStore.NameTaken if an active token has the name
   */
  public Created create(String name, Role role) {
    ApiToken.checkName(name);
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    byte[] id = new byte[9];
    random.nextBytes(id);
    String text = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    ApiToken t =
        new ApiToken(
            HexFormat.of().formatHex(id),
            name,
            role,
            clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
            Optional.empty(),
            Optional.empty());
    store.addToken(t, hash(text));
    return new Created(t, text);
  }

  /** The principal an active token's secret stands for; empty for anything else. */
  public Optional<Principal> authenticate(String secret) {
    if (secret == null || secret.length() > MAX_SECRET || !secret.startsWith(PREFIX)) {
      return Optional.empty();
    }
    Optional<ApiToken> t = store.tokenByHash(hash(secret)).filter(ApiToken::active);
    t.ifPresent(this::touch);
    return t.map(x -> new Principal(x.name(), x.role(), x.id(), Principal.Via.TOKEN));
  }

  /**
   * The principal of a session opened with token {@code id}, as that token is now: empty once it is
   * revoked (so revoking a token also ends its sessions), with its current role.
   */
  public Optional<Principal> forSession(String id) {
    return store
        .tokenById(id)
        .filter(ApiToken::active)
        .map(x -> new Principal(x.name(), x.role(), x.id(), Principal.Via.SESSION));
  }

  public List<ApiToken> list() {
    return store.tokens();
  }

  /** Revokes the active token named {@code name}; false if there is none. */
  public boolean revoke(String name) {
    return store.revokeToken(
        name, clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
  }

  private void touch(ApiToken t) {
    Instant now = clock.instant();
    Instant last = touched.get(t.id());
    if (last == null || !now.isBefore(last.plus(TOUCH_EVERY))) {
      touched.put(t.id(), now);
      store.touchToken(t.id(), now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    }
  }

  /** The lowercase hex SHA-256 of a secret, as the store keeps it. */
  public static String hash(String secret) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
