package dev.chainboot.auth;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Optional;

/**
 * UI sessions, in this server's memory (a restart logs everyone out): a random id (the cookie), the
 * token the session was opened with, and a random CSRF token that every state-changing request of
 * the session must carry. A session ends after {@link #IDLE} without a request, after {@link #MAX}
 * in all, at logout, or when its token is revoked (checked per request by {@link
 * Tokens#forSession}).
 */
public final class Sessions {

  public static final Duration IDLE = Duration.ofHours(8);
  public static final Duration MAX = Duration.ofHours(24);

  /** At most this many sessions are kept; the least recently used goes first. */
  static final int MAX_SESSIONS = 10_000;

  /**
   * One session.
   *
   * @param id the cookie value
   * @param tokenId the token it was opened with
   * @param csrf the token forms and scripts send back on every state change
   * @param created when it was opened
   */
  public record Session(String id, String tokenId, String csrf, Instant created) {

    /** Whether {@code presented} is this session's CSRF token (compared in constant time). */
    public boolean csrfMatches(String presented) {
      return presented != null
          && MessageDigest.isEqual(
              csrf.getBytes(java.nio.charset.StandardCharsets.UTF_8),
              presented.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final LinkedHashMap<String, Entry> sessions = new LinkedHashMap<>(16, 0.75f, true);

  private record Entry(Session session, Instant lastSeen) {}

  public Sessions() {
    this(Clock.systemUTC());
  }

  public Sessions(Clock clock) {
    this.clock = clock;
  }

  /** Opens a session for a token that has just authenticated. */
  public synchronized Session open(Principal p) {
    Instant now = clock.instant();
    Session s = new Session(randomId(), p.tokenId(), randomId(), now);
    sessions.put(s.id(), new Entry(s, now));
    Iterator<String> it = sessions.keySet().iterator();
    while (sessions.size() > MAX_SESSIONS && it.hasNext()) {
      it.next();
      it.remove();
    }
    return s;
  }

  /** The live session with this id (and marks it used now); empty if unknown or expired. */
  public synchronized Optional<Session> find(String id) {
    if (id == null) {
      return Optional.empty();
    }
    Entry e = sessions.get(id);
    if (e == null) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    if (now.isAfter(e.lastSeen().plus(IDLE)) || now.isAfter(e.session().created().plus(MAX))) {
      sessions.remove(id);
      return Optional.empty();
    }
    sessions.put(id, new Entry(e.session(), now));
    return Optional.of(e.session());
  }

  public synchronized void close(String id) {
    if (id != null) {
      sessions.remove(id);
    }
  }

  /** Ends every session opened with this token. */
  public synchronized void closeAllOf(String tokenId) {
    sessions.values().removeIf(e -> e.session().tokenId().equals(tokenId));
  }

  public synchronized int size() {
    return sessions.size();
  }

  private String randomId() {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
