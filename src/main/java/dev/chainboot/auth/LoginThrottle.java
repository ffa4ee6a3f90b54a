package dev.chainboot.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Slows down guessing: after {@link #PER_CLIENT} failed logins (or requests with a wrong token)
 * from one address within {@link #WINDOW}, that address is refused until the oldest of them leaves
 * the window; after {@link #GLOBAL} failures from anywhere within a minute, everyone is, for the
 * rest of that minute. A success does not clear the count (it is no proof the next attempt is not a
 * guess).
 */
public final class LoginThrottle {

  public static final int PER_CLIENT = 5;
  public static final Duration WINDOW = Duration.ofMinutes(10);
  public static final int GLOBAL = 100;
  private static final Duration GLOBAL_WINDOW = Duration.ofMinutes(1);
  private static final int MAX_CLIENTS = 10_000;

  private final Clock clock;
  private final Map<String, Deque<Instant>> failures = new LinkedHashMap<>(16, 0.75f, true);
  private final Deque<Instant> all = new ArrayDeque<>();

  public LoginThrottle() {
    this(Clock.systemUTC());
  }

  public LoginThrottle(Clock clock) {
    this.clock = clock;
  }

  /** How long {@code client} must wait before trying again; empty if it may try now. */
  public synchronized Optional<Duration> retryAfter(String client) {
    Instant now = clock.instant();
    prune(all, now.minus(GLOBAL_WINDOW));
    if (all.size() >= GLOBAL) {
      return Optional.of(positive(Duration.between(now, all.peekFirst().plus(GLOBAL_WINDOW))));
    }
    Deque<Instant> d = failures.get(client);
    if (d == null) {
      return Optional.empty();
    }
    prune(d, now.minus(WINDOW));
    if (d.size() >= PER_CLIENT) {
      return Optional.of(positive(Duration.between(now, d.peekFirst().plus(WINDOW))));
    }
    return Optional.empty();
  }

  /** Counts a failed attempt from {@code client}. */
  public synchronized void failed(String client) {
    Instant now = clock.instant();
    all.addLast(now);
    prune(all, now.minus(GLOBAL_WINDOW));
    Deque<Instant> d = failures.computeIfAbsent(client, k -> new ArrayDeque<>());
    d.addLast(now);
    prune(d, now.minus(WINDOW));
    while (d.size() > PER_CLIENT) {
      d.removeFirst();
    }
    var it = failures.keySet().iterator();
    while (failures.size() > MAX_CLIENTS && it.hasNext()) {
      it.next();
      it.remove();
    }
  }

  /** Forgets every failure (a restart does the same). */
  public synchronized void reset() {
    failures.clear();
    all.clear();
  }

  private static void prune(Deque<Instant> d, Instant before) {
    while (!d.isEmpty() && d.peekFirst().isBefore(before)) {
      d.removeFirst();
    }
  }

  private static Duration positive(Duration d) {
    return d.isNegative() || d.isZero() ? Duration.ofSeconds(1) : d;
  }
}
