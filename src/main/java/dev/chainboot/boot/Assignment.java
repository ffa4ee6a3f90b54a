package dev.chainboot.boot;

/**
 * A per-machine assignment of a profile.
 *
 * @param mac the machine
 * @param kind once (consumed by the first script fetched) or static
 * @param profile the profile's name
 */
public record Assignment(MacAddress mac, Kind kind, String profile) {

  /** Once-assignments are consumed by the first boot; static ones stay. */
  public enum Kind {
    ONCE,
    STATIC
  }
}
