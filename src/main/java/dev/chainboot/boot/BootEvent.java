package dev.chainboot.boot;

import java.time.Instant;
import java.util.Optional;

/**
 * One boot decision, as recorded.
 *
 * @param id store id (0 before it is stored)
 * @param time when it was decided
 * @param mac the machine's MAC, if known
 * @param clientIp where the request came from
 * @param match which rule matched
 * @param reason why, in words (e.g. "group rack1 (rack=r1)")
 * @param profile the profile chosen, if any
 * @param protocol the transport or adapter that asked (http, tftp, dhcp, pxesrv, ...)
 * @param onceConsumed whether this decision consumed a once-assignment
 */
public record BootEvent(
    long id,
    Instant time,
    Optional<MacAddress> mac,
    String clientIp,
    Match match,
    String reason,
    Optional<String> profile,
    String protocol,
    boolean onceConsumed) {

  /** The resolution rule that produced a decision. */
  public enum Match {
    ONCE,
    STATIC,
    GROUP,
    DEFAULT,
    NONE,
    ERROR,
    /** A profile asked for by name (boot media made for that profile). */
    PROFILE
  }
}
