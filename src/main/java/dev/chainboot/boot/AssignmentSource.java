package dev.chainboot.boot;

import java.util.Optional;

/**
 * Assignments kept outside the store, looked up per request: a seed tool's layout on disk
 * (pxe_srv's {@code once/<ip>}, {@code static/<ip>} and {@code default}; pixie's {@code
 * <mac>.ipxe}) or what a seed URL names (a Zero-OS runmode). A source only answers lookups; which
 * one wins is the boot core's rule ({@link LayeredResolver}). Package {@code compat} implements it.
 */
public interface AssignmentSource {

  /** What a source assigns: the script to send as it is, and where it came from (for events). */
  record Assigned(byte[] script, String reason) {}

  /** The source's name, recorded as the protocol of the boot events it decides (e.g. "pxesrv"). */
  String name();

  /**
   * The request's once-assignment; with {@code consume}, taken so that of concurrent callers
   * exactly one gets it.
   */
  default Optional<Assigned> once(BootRequest request, boolean consume) {
    return Optional.empty();
  }

  /** The request's static assignment. */
  default Optional<Assigned> staticFor(BootRequest request) {
    return Optional.empty();
  }

  /** The source's default for any request. */
  default Optional<Assigned> defaultFor(BootRequest request) {
    return Optional.empty();
  }

  /** A source with nothing in it: every request goes to the store's rules. */
  AssignmentSource NONE = () -> "none";
}
