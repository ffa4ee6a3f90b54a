package dev.chainboot.store;

import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.MacAddress;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Which boot events to read, and which page: with {@code after}, the oldest {@code limit} events
 * whose id is greater (reading forward, as {@code --follow} does); otherwise the newest {@code
 * limit} events (below {@code before}, if given: reading back). Either way oldest first.
 *
 * @param mac only this machine's
 * @param profile only decisions that chose this profile
 * @param match only decisions of this kind
 * @param since only events at or after this time
 * @param until only events before this time
 * @param after only events with a greater id (read forward)
 * @param before only events with a smaller id (read back)
 * @param limit at most this many, 1-1000
 */
public record EventFilter(
    Optional<MacAddress> mac,
    Optional<String> profile,
    Optional<BootEvent.Match> match,
    Optional<Instant> since,
    Optional<Instant> until,
    OptionalLong after,
    OptionalLong before,
    int limit) {

  public static final int MAX_LIMIT = 1000;

  public EventFilter {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1-" + MAX_LIMIT);
    }
  }

  /** The newest {@code limit} events of every machine. */
  public static EventFilter newest(int limit) {
    return new EventFilter(
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        OptionalLong.empty(),
        OptionalLong.empty(),
        limit);
  }

  public EventFilter withMac(Optional<MacAddress> m) {
    return new EventFilter(m, profile, match, since, until, after, before, limit);
  }

  public EventFilter withAfter(long id) {
    return new EventFilter(
        mac, profile, match, since, until, OptionalLong.of(id), OptionalLong.empty(), limit);
  }

  public EventFilter withBefore(long id) {
    return new EventFilter(
        mac, profile, match, since, until, OptionalLong.empty(), OptionalLong.of(id), limit);
  }

  public EventFilter withLimit(int n) {
    return new EventFilter(mac, profile, match, since, until, after, before, n);
  }

  /** Whether {@code e} passes every condition but the page (id bounds and limit). */
  public boolean matches(BootEvent e) {
    return (mac.isEmpty() || mac.equals(e.mac()))
        && (profile.isEmpty() || profile.equals(e.profile()))
        && (match.isEmpty() || match.get() == e.match())
        && (since.isEmpty() || !e.time().isBefore(since.get()))
        && (until.isEmpty() || e.time().isBefore(until.get()));
  }
}
