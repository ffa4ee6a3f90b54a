package dev.chainboot.boot;

import dev.chainboot.store.Store;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place boot policy lives: identifies the machine (by MAC, else by client IP),
 * registers machines seen for the first time, decides once &gt; static &gt; group &gt; default,
 * consumes a once-assignment atomically, renders the script and records a {@link BootEvent}.
 */
public final class BootCore implements BootResolver {

  private static final Logger log = LoggerFactory.getLogger(BootCore.class);

  private final Store store;
  private final Consumer<BootEvent> events;
  private final ScriptRenderer renderer = new ScriptRenderer();
  private final Clock clock;

  public BootCore(Store store, Consumer<BootEvent> events) {
    this(store, events, Clock.systemUTC());
  }

  public BootCore(Store store, Consumer<BootEvent> events, Clock clock) {
    this.store = store;
    this.events = events;
    this.clock = clock;
  }

  /** What resolution chose, before rendering. */
  record Decision(BootEvent.Match match, String reason, Optional<String> profile,
      boolean onceConsumed) {}

  @Override
  public BootScript resolve(BootRequest request, String baseUrl) {
    Machine machine = identify(request);
    Decision d;
    String text;
    try {
      d = decide(machine, true);
      text = render(d, machine, baseUrl);
    } catch (RuntimeException e) {
      log.error("boot of {} from {} failed: {}", who(machine, request),
          request.clientIp().getHostAddress(), IpxeSafe.printable(e.getMessage()), e);
      d = new Decision(BootEvent.Match.ERROR, "error: " + e.getMessage(), Optional.empty(),
          false);
      text = ScriptRenderer.error("cannot boot " + who(machine, request) + ": "
          + e.getMessage());
    }
    record(request, machine, d);
    return new BootScript(text, d.profile().orElse(""), d.reason());
  }

  @Override
  public boolean hasBootFor(BootRequest request) {
    Machine m = request.mac().map(mac -> store.machine(mac)
            .orElseGet(() -> Machine.fromRequest(mac, request)))
        .or(() -> store.machineByIp(request.clientIp().getHostAddress()))
        .orElse(null);
    return decide(m, false).profile().isPresent();
  }

  /** The machine a request is from: known by MAC (updated), new (registered), or by IP. */
  private Machine identify(BootRequest r) {
    if (r.mac().isEmpty()) {
      return store.machineByIp(r.clientIp().getHostAddress()).orElse(null);
    }
    MacAddress mac = r.mac().get();
    Optional<Machine> known = store.machine(mac);
    if (known.isEmpty()) {
      Machine m = Machine.fromRequest(mac, r);
      if (store.registerMachine(m)) {
        log.info("new machine {} from {} ({})", mac, r.clientIp().getHostAddress(),
            r.arch().map(Arch::ipxeName).orElse("arch unknown"));
        return m;
      }
      known = store.machine(mac);
      if (known.isEmpty()) {
        return m;
      }
    }
    Machine updated = known.get().seenAs(r);
    if (!updated.equals(known.get())) {
      store.updateSeen(updated);
    }
    return updated;
  }

  private Decision decide(Machine m, boolean consume) {
    if (m != null) {
      Optional<String> once = consume ? store.consumeOnce(m.mac())
          : store.assignment(m.mac(), Assignment.Kind.ONCE);
      if (once.isPresent()) {
        return new Decision(BootEvent.Match.ONCE, "once assignment", once, consume);
      }
      Optional<String> fixed = store.assignment(m.mac(), Assignment.Kind.STATIC);
      if (fixed.isPresent()) {
        return new Decision(BootEvent.Match.STATIC, "static assignment", fixed, false);
      }
      Optional<Group> group = store.groups().stream().filter(g -> g.matches(m))
          .min(Group.PRECEDENCE);
      if (group.isPresent()) {
        Group g = group.get();
        return new Decision(BootEvent.Match.GROUP,
            "group " + g.name() + " (" + g.selector() + ")", Optional.of(g.profile()), false);
      }
    }
    Optional<String> def = store.defaultProfile();
    if (def.isPresent()) {
      return new Decision(BootEvent.Match.DEFAULT,
          m == null ? "default (machine not identified)" : "default", def, false);
    }
    return new Decision(BootEvent.Match.NONE,
        m == null ? "no match (machine not identified, no default)" : "no match, no default",
        Optional.empty(), false);
  }

  private String render(Decision d, Machine m, String baseUrl) {
    if (d.profile().isEmpty()) {
      return ScriptRenderer.nothing(m == null ? "this machine (no MAC given)" : m.mac().colon());
    }
    String name = d.profile().get();
    Profile p = store.profile(name)
        .orElseThrow(() -> new IllegalStateException("profile " + name + " does not exist"));
    return renderer.render(p, m, baseUrl, d.reason(), store::profile);
  }

  private void record(BootRequest r, Machine m, Decision d) {
    events.accept(new BootEvent(0, clock.instant(),
        m == null ? r.mac() : Optional.of(m.mac()),
        r.clientIp().getHostAddress(), d.match(), d.reason(), d.profile(),
        r.protocol().name().toLowerCase(Locale.ROOT), d.onceConsumed()));
  }

  private static String who(Machine m, BootRequest r) {
    return m != null ? m.mac().colon()
        : r.mac().map(MacAddress::colon).orElse(r.clientIp().getHostAddress());
  }
}
