package dev.chainboot.boot;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One stage of a machine's boot, as recorded: the boot decision and its script ({@link
 * Stage#SCRIPT}), or what a transport saw before and after it (a proxyDHCP answer, a TFTP transfer,
 * a download, an installer's callback, ...). Together, a machine's events are its boot timeline.
 *
 * @param id store id (0 before it is stored)
 * @param time when it happened (a transfer: when it ended)
 * @param mac the machine's MAC, if known
 * @param clientIp where the request came from
 * @param match which rule matched ({@link Match#STAGE} for every stage but {@link Stage#SCRIPT})
 * @param reason why, in words (e.g. "group rack1 (rack=r1)"); for other stages a one-line summary
 *     (e.g. "snponly.efi 1.1 MB in 830 ms: ok")
 * @param profile the profile chosen, if any
 * @param protocol the transport or adapter that asked (http, tftp, dhcp, pxesrv, ...)
 * @param onceConsumed whether this decision consumed a once-assignment
 * @param stage which stage of the boot this is
 * @param detail the stage's measurements by name (file, bytes, duration_ms, blksize, ...), in the
 *     order they were given; empty for most decisions
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
    boolean onceConsumed,
    Stage stage,
    Map<String, String> detail) {

  public BootEvent {
    detail =
        detail.isEmpty()
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(detail));
  }

  /** A boot decision ({@link Stage#SCRIPT}) without details. */
  public BootEvent(
      long id,
      Instant time,
      Optional<MacAddress> mac,
      String clientIp,
      Match match,
      String reason,
      Optional<String> profile,
      String protocol,
      boolean onceConsumed) {
    this(
        id,
        time,
        mac,
        clientIp,
        match,
        reason,
        profile,
        protocol,
        onceConsumed,
        Stage.SCRIPT,
        Map.of());
  }

  /** The same event with the store's id. */
  public BootEvent withId(long newId) {
    return new BootEvent(
        newId, time, mac, clientIp, match, reason, profile, protocol, onceConsumed, stage, detail);
  }

  /** The same event for this machine (a stage whose transport knew only the client's address). */
  public BootEvent withMac(Optional<MacAddress> m) {
    return new BootEvent(
        id, time, m, clientIp, match, reason, profile, protocol, onceConsumed, stage, detail);
  }

  /** The same event with more details. */
  public BootEvent withDetail(Map<String, String> more) {
    Map<String, String> d = new java.util.LinkedHashMap<>(detail);
    d.putAll(more);
    return new BootEvent(
        id, time, mac, clientIp, match, reason, profile, protocol, onceConsumed, stage, d);
  }

  /** The resolution rule that produced a decision. */
  public enum Match {
    ONCE,
    STATIC,
    GROUP,
    DEFAULT,
    NONE,
    ERROR,
    /** A profile asked for by name (boot media made for that profile). */
    PROFILE,
    /** Not a decision: a stage other than {@link Stage#SCRIPT}. */
    STAGE
  }

  /** The stages of a network boot, roughly in the order a machine goes through them. */
  public enum Stage {
    /** proxyDHCP offered a boot file to a DISCOVER (details: arch, file, ipxe). */
    DHCP_OFFER(true),
    /** proxyDHCP acknowledged a PXE client's REQUEST on port 4011 (details: arch, file). */
    DHCP_ACK(true),
    /** proxyDHCP stayed silent for a PXE client (counted in metrics, not recorded). */
    DHCP_IGNORED(false),
    /**
     * One TFTP transfer (details: file, blksize, windowsize, bytes, duration_ms, resends, result).
     */
    TFTP(true),
    /** The boot decision and its script (match, reason, profile). */
    SCRIPT(true),
    /**
     * A file fetched over HTTP: an asset, kernel, initrd or boot binary (details: path, status,
     * bytes, duration_ms, range).
     */
    DOWNLOAD(true),
    /** Boot media (ISO, USB image, EFI image) downloaded (details as {@link #DOWNLOAD}). */
    MEDIA(true),
    /** An installer called its {@code --until-done} URL (details: result). */
    CALLBACK(true),
    /** Nothing came after the machine's last stage within the stall time (details: after). */
    STALLED(true),
    /**
     * Not a machine's: an operator changed Zero-OS's runmode kernels (details: action upload,
     * delete or switch; kernel; runmode, previous; bytes, sha256).
     */
    KERNEL(true);

    private final boolean recorded;
    private final String label;

    Stage(boolean recorded) {
      this.recorded = recorded;
      this.label = name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** Whether events of this stage are stored in the timeline (else only counted). */
    public boolean recorded() {
      return recorded;
    }

    /** Lower-case name with '-' (dhcp-offer, tftp, script, ...), as shown and stored. */
    public String label() {
      return label;
    }

    /** The stage with this {@link #label()}, if any. */
    public static Optional<Stage> parse(String label) {
      for (Stage s : values()) {
        if (s.label().equalsIgnoreCase(label)) {
          return Optional.of(s);
        }
      }
      return Optional.empty();
    }
  }
}
