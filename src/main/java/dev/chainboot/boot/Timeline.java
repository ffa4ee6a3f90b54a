package dev.chainboot.boot;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every machine's boot timeline as it happens: the one stream of {@link BootEvent}s, decisions
 * (from {@link BootCore}) and stages (from the transports, through {@link BootTimeline}), on their
 * way to the store and the metrics ({@code sink}). On the way it
 *
 * <ul>
 *   <li>finds the machine of a stage that came with an address only (TFTP, downloads): the MAC last
 *       seen at that address in a decision or a DHCP request, else the store's machine with that
 *       IP;
 *   <li>follows each machine between stages and flags it <b>stalled</b> when the next stage it
 *       should go through does not come within {@code stallAfter} ("got the kernel, never asked for
 *       the initrd"; "got undionly.kpxe, never came back over HTTP"): a {@link
 *       BootEvent.Stage#STALLED} event, and {@link #stalled()} until its next stage.
 * </ul>
 *
 * What a machine should do next: after a proxyDHCP answer, fetch its file; after a TFTP transfer,
 * come back (over DHCP or HTTP); after a script that boots a kernel from this server, fetch that
 * kernel and each initrd ({@code expects} in the script's details); a script that boots anything
 * else, or an installer's callback, ends the boot. Cheap on the boot path: two hash-map operations
 * per decision, no I/O (the store is asked about an address only when no decision or DHCP request
 * has named it, at most once per address every {@value #STORE_LOOKUP_TTL_MILLIS} ms).
 */
public final class Timeline implements BootTimeline, Consumer<BootEvent> {

  private static final Logger log = LoggerFactory.getLogger(Timeline.class);

  /** Detail key of a {@link BootEvent.Stage#SCRIPT}: this server's paths the script fetches. */
  public static final String EXPECTS = "expects";

  static final long STORE_LOOKUP_TTL_MILLIS = 10_000;
  private static final int MAX_ADDRESSES = 65_536;
  private static final int MAX_BOOTING = 100_000;

  private final BootStore store;
  private final Consumer<BootEvent> sink;
  private final Clock clock;
  private final long stallAfterMillis;

  /** The machine at an address; learned from the store entries expire. */
  private record Address(Optional<MacAddress> mac, long at, boolean fromStore) {}

  private final Map<String, Address> addresses = new ConcurrentHashMap<>();

  /**
   * A machine between two stages of its boot.
   *
   * @param last the last stage, in words
   * @param lastAt when it happened
   * @param clientIp the address it came from
   * @param waitingFor what it should do next, in words ("got X, never asked for Y")
   * @param expects this server's paths the machine still has to fetch
   * @param stalled whether it has been flagged stalled
   */
  public record Progress(
      String last,
      Instant lastAt,
      String clientIp,
      String waitingFor,
      Set<String> expects,
      boolean stalled) {}

  private final Map<MacAddress, Progress> booting = new ConcurrentHashMap<>();
  private volatile boolean warnedFull;

  /**
   * @param store asked for the machine at an address no decision or DHCP request has named
   * @param sink where every event goes on (the store's writer, the metrics)
   * @param stallAfter how long a machine may stay between two stages before it is flagged stalled
   */
  public Timeline(BootStore store, Consumer<BootEvent> sink, Clock clock, Duration stallAfter) {
    if (stallAfter.isNegative() || stallAfter.isZero()) {
      throw new IllegalArgumentException("the stall time must be positive: " + stallAfter);
    }
    this.store = store;
    this.sink = sink;
    this.clock = clock;
    this.stallAfterMillis = stallAfter.toMillis();
  }

  public Duration stallAfter() {
    return Duration.ofMillis(stallAfterMillis);
  }

  /** A decision from the boot core (or a seed layout): learned from, watched, passed on. */
  @Override
  public void accept(BootEvent e) {
    if (e.mac().isPresent()) {
      remember(e.clientIp(), e.mac().get());
    }
    observe(e);
    sink.accept(e);
  }

  @Override
  public void record(
      BootEvent.Stage stage,
      Optional<MacAddress> mac,
      String clientIp,
      String protocol,
      String summary,
      Map<String, String> detail) {
    Optional<MacAddress> m = mac.isPresent() ? mac : macAt(clientIp);
    BootEvent e =
        new BootEvent(
            0,
            clock.instant(),
            m,
            clientIp,
            BootEvent.Match.STAGE,
            summary,
            Optional.empty(),
            protocol,
            false,
            stage,
            detail);
    observe(e);
    sink.accept(e);
  }

  @Override
  public void seen(MacAddress mac, String ip) {
    remember(ip, mac);
  }

  private void remember(String ip, MacAddress mac) {
    if (ip == null || ip.isEmpty() || ip.equals("0.0.0.0")) {
      return;
    }
    Address a = addresses.get(ip);
    if (a != null && !a.fromStore() && a.mac().isPresent() && a.mac().get().equals(mac)) {
      return; // the common case: nothing new
    }
    if (a == null && addresses.size() >= MAX_ADDRESSES) {
      addresses.clear(); // bounded; what is forgotten is asked of the store again
    }
    addresses.put(ip, new Address(Optional.of(mac), clock.millis(), false));
  }

  /** The machine at {@code ip}: as last learned, else as the store knows it. */
  Optional<MacAddress> macAt(String ip) {
    if (ip == null || ip.isEmpty() || ip.equals("0.0.0.0")) {
      return Optional.empty();
    }
    long now = clock.millis();
    Address a = addresses.get(ip);
    if (a != null && (!a.fromStore() || now - a.at() < STORE_LOOKUP_TTL_MILLIS)) {
      return a.mac();
    }
    Optional<MacAddress> m;
    try {
      m = store.machineByIp(ip).map(Machine::mac);
    } catch (RuntimeException ex) {
      log.debug("cannot look up the machine at {}: {}", ip, ex.toString());
      m = Optional.empty();
    }
    if (addresses.size() >= MAX_ADDRESSES) {
      addresses.clear();
    }
    addresses.put(ip, new Address(m, now, true));
    return m;
  }

  // ------------------------------------------------------------------ stall watch

  private void observe(BootEvent e) {
    if (e.mac().isEmpty()) {
      return;
    }
    MacAddress m = e.mac().get();
    Map<String, String> d = e.detail();
    switch (e.stage()) {
      case DHCP_IGNORED, STALLED, MEDIA -> {}
      case DHCP_OFFER, DHCP_ACK ->
          waiting(
              m,
              e,
              "got a proxyDHCP "
                  + (e.stage() == BootEvent.Stage.DHCP_OFFER ? "offer" : "ack")
                  + " ("
                  + d.getOrDefault("file", "?")
                  + "), never fetched it",
              Set.of());
      case TFTP -> {
        String file = d.getOrDefault("file", "?");
        String result = d.getOrDefault("result", "?");
        waiting(
            m,
            e,
            result.equals("ok")
                ? "got " + file + " over TFTP, never came back over HTTP"
                : "TFTP of " + file + " failed (" + result + "), nothing came after",
            Set.of());
      }
      case SCRIPT -> {
        String expects = d.get(EXPECTS);
        if (expects == null || expects.isBlank()) {
          booting.remove(m); // the script boots nothing more from this server: done
        } else {
          Set<String> set = new LinkedHashSet<>(List.of(expects.trim().split(" +")));
          waiting(
              m,
              e,
              "got its script (" + e.profile().orElse("?") + "), never asked for " + first(set),
              set);
        }
      }
      case DOWNLOAD -> download(m, e);
      case CALLBACK -> booting.remove(m);
    }
  }

  private void download(MacAddress m, BootEvent e) {
    String path = e.detail().getOrDefault("path", "?");
    boolean ok = e.detail().getOrDefault("status", "200").startsWith("2");
    booting.computeIfPresent(
        m,
        (k, p) -> {
          if (!ok) {
            return next(
                p,
                e,
                "GET "
                    + path
                    + " failed ("
                    + e.detail().get("status")
                    + ")"
                    + (p.expects().isEmpty() ? ", nothing came after" : ""),
                p.expects());
          }
          if (p.expects().contains(path)) {
            Set<String> left = new LinkedHashSet<>(p.expects());
            left.remove(path);
            if (left.isEmpty()) {
              return null; // everything the script boots was fetched: done
            }
            return next(p, e, "got " + path + ", never asked for " + first(left), left);
          }
          if (p.expects().isEmpty()) {
            return next(p, e, "got " + path + " over HTTP, nothing came after", Set.of());
          }
          return next(p, e, p.waitingFor(), p.expects());
        });
  }

  private static Progress next(Progress p, BootEvent e, String waitingFor, Set<String> expects) {
    return new Progress(
        e.stage().label() + ": " + e.reason(),
        e.time(),
        e.clientIp(),
        waitingFor,
        Set.copyOf(expects),
        false);
  }

  private void waiting(MacAddress m, BootEvent e, String waitingFor, Set<String> expects) {
    if (booting.size() >= MAX_BOOTING && !booting.containsKey(m)) {
      if (!warnedFull) {
        warnedFull = true;
        log.warn(
            "more than {} machines booting at once: not watching more for stalls", MAX_BOOTING);
      }
      return;
    }
    booting.put(
        m,
        new Progress(
            e.stage().label() + ": " + e.reason(),
            e.time(),
            e.clientIp(),
            waitingFor,
            Set.copyOf(expects),
            false));
  }

  private static String first(Set<String> s) {
    return s.iterator().next();
  }

  /**
   * Flags the machines that have waited longer than the stall time since their last stage, each
   * with one {@link BootEvent.Stage#STALLED} event. Called periodically by the server.
   *
   * @return how many machines are stalled now
   */
  public int checkStalls() {
    Instant now = clock.instant();
    int n = 0;
    for (Map.Entry<MacAddress, Progress> en : booting.entrySet()) {
      Progress p = en.getValue();
      if (p.stalled()) {
        n++;
        continue;
      }
      long waited = now.toEpochMilli() - p.lastAt().toEpochMilli();
      if (waited < stallAfterMillis) {
        continue;
      }
      Progress s =
          new Progress(p.last(), p.lastAt(), p.clientIp(), p.waitingFor(), p.expects(), true);
      if (booting.replace(en.getKey(), p, s)) {
        n++;
        long secs = Math.round(waited / 1000.0);
        log.info("machine {} stalled: {} ({} s ago)", en.getKey(), p.waitingFor(), secs);
        sink.accept(
            new BootEvent(
                0,
                now,
                Optional.of(en.getKey()),
                p.clientIp(),
                BootEvent.Match.STAGE,
                "stalled: " + p.waitingFor() + " (" + secs + " s after its last stage)",
                Optional.empty(),
                "chainboot",
                false,
                BootEvent.Stage.STALLED,
                Map.of("after", p.last(), "waited_s", Long.toString(secs))));
      }
    }
    return n;
  }

  /** The machines flagged stalled now, with what they were waiting for. */
  public Map<MacAddress, Progress> stalled() {
    Map<MacAddress, Progress> out =
        new java.util.TreeMap<>(java.util.Comparator.comparingLong(MacAddress::value));
    booting.forEach(
        (m, p) -> {
          if (p.stalled()) {
            out.put(m, p);
          }
        });
    return out;
  }

  /** How many machines are flagged stalled now (for a gauge). */
  public int stalledCount() {
    int n = 0;
    for (Progress p : booting.values()) {
      if (p.stalled()) {
        n++;
      }
    }
    return n;
  }

  /** Where a machine is in its boot, if it is between two stages (or stalled). */
  public Optional<Progress> progress(MacAddress mac) {
    return Optional.ofNullable(booting.get(mac));
  }
}
