package dev.chainboot.boot;

import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The boot core's rule for a request that brings its own {@link AssignmentSource} (a seed tool's
 * layout): the source is asked first, once &gt; static &gt; default, and the first assignment it
 * has is the answer, recorded as a {@link BootEvent} with the source's name as protocol; otherwise
 * the store's rules decide ({@link BootResolver#resolve}: once &gt; static &gt; group &gt;
 * default). This keeps each seed tool's behaviour (pxe_srv's files win over the store) with the
 * precedence written once, here.
 */
public final class LayeredResolver {

  private static final Logger log = LoggerFactory.getLogger(LayeredResolver.class);

  private final BootResolver core;
  private final Consumer<BootEvent> events;
  private final Clock clock;

  /**
   * @param core the store's rules ({@link BootCore}), or {@link BootResolver#NONE}
   * @param events where the source's decisions are recorded (the core records its own)
   */
  public LayeredResolver(BootResolver core, Consumer<BootEvent> events, Clock clock) {
    this.core = core;
    this.events = events;
    this.clock = clock;
  }

  public LayeredResolver(BootResolver core, Consumer<BootEvent> events) {
    this(core, events, Clock.systemUTC());
  }

  /** The store's rules alone. */
  public BootResolver core() {
    return core;
  }

  /** What the source has for the request, by precedence, without consuming or recording. */
  private record Hit(BootEvent.Match match, AssignmentSource.Assigned assigned) {}

  private static Optional<Hit> lookup(
      BootRequest request, AssignmentSource source, boolean consume) {
    Optional<AssignmentSource.Assigned> a = source.once(request, consume);
    if (a.isPresent()) {
      return Optional.of(new Hit(BootEvent.Match.ONCE, a.get()));
    }
    a = source.staticFor(request);
    if (a.isPresent()) {
      return Optional.of(new Hit(BootEvent.Match.STATIC, a.get()));
    }
    return source.defaultFor(request).map(d -> new Hit(BootEvent.Match.DEFAULT, d));
  }

  /**
   * Decides what the request's machine boots now: the source's assignment (consuming a once), else
   * the store's decision, and records it.
   *
   * @param baseUrl this server's base URL as the client reached it (validated)
   */
  public BootAnswer resolve(BootRequest request, String baseUrl, AssignmentSource source) {
    Optional<Hit> hit = lookup(request, source, true);
    String ip = request.clientIp().getHostAddress();
    if (hit.isEmpty()) {
      BootAnswer a = core.resolve(request, baseUrl);
      if (source != AssignmentSource.NONE) {
        log.info(
            "{}: no {} assignment; boot core chose {} ({})",
            ip,
            source.name(),
            a.profile().isEmpty() ? "nothing" : a.profile(),
            a.reason());
      }
      return a;
    }
    Hit h = hit.get();
    String reason = h.assigned().reason();
    log.info("{}: {} {}", ip, h.match().name().toLowerCase(Locale.ROOT), reason);
    events.accept(
        new BootEvent(
            0,
            clock.instant(),
            request.mac(),
            ip,
            h.match(),
            reason,
            Optional.empty(),
            source.name(),
            h.match() == BootEvent.Match.ONCE));
    return new BootAnswer(h.assigned().script(), "", reason);
  }

  /**
   * What the source would answer now (for HEAD), consuming nothing and recording nothing; empty
   * when the source has nothing (only a real fetch may ask the store, which can consume).
   */
  public Optional<BootAnswer> peek(BootRequest request, AssignmentSource source) {
    return lookup(request, source, false)
        .map(h -> new BootAnswer(h.assigned().script(), "", h.assigned().reason()));
  }
}
