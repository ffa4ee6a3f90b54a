package dev.chainboot.boot;

import dev.chainboot.text.Printable;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place boot policy lives: identifies the machine (by MAC, else by client IP), registers
 * machines seen for the first time, decides once &gt; static &gt; group &gt; default, consumes a
 * once-assignment atomically, renders the script and records a {@link BootEvent}.
 */
public final class BootCore implements BootResolver {

  private static final Logger log = LoggerFactory.getLogger(BootCore.class);

  private final BootStore store;
  private final Consumer<BootEvent> events;
  private final ScriptRenderer renderer = new ScriptRenderer();
  private final GrubRenderer grub = new GrubRenderer(renderer);
  private final Clock clock;

  public BootCore(BootStore store, Consumer<BootEvent> events) {
    this(store, events, Clock.systemUTC());
  }

  public BootCore(BootStore store, Consumer<BootEvent> events, Clock clock) {
    this.store = store;
    this.events = events;
    this.clock = clock;
  }

  /**
   * What resolution chose, before rendering.
   *
   * @param doneToken the callback token of an install held until done, or null
   * @param detail recorded with the decision (an install's boot count, an install loop)
   */
  record Decision(
      BootEvent.Match match,
      String reason,
      Optional<String> profile,
      boolean onceConsumed,
      String doneToken,
      Map<String, String> detail) {
    Decision(BootEvent.Match match, String reason, Optional<String> profile, boolean consumed) {
      this(match, reason, profile, consumed, null, Map.of());
    }
  }

  /** A rendered script and this server's paths it fetches ({@link Timeline#EXPECTS}). */
  private record Script(String text, String expects) {}

  /** The language a decision is rendered in. */
  private enum Language {
    IPXE,
    GRUB
  }

  @Override
  public BootAnswer resolve(BootRequest request, String baseUrl) {
    return resolve(request, baseUrl, Language.IPXE);
  }

  @Override
  public BootAnswer resolveGrub(BootRequest request, String baseUrl) {
    return resolve(request, baseUrl, Language.GRUB);
  }

  private BootAnswer resolve(BootRequest request, String baseUrl, Language language) {
    BootStore.BootView identified = identify(request);
    Machine m = identified.machine().orElse(null);
    if (m != null && identified.onceProfile().isPresent()) {
      Optional<BootAnswer> once = takeOnce(request, m, identified, baseUrl, language);
      if (once.isPresent()) {
        return once.get();
      }
      // Another request (here or in another process) took it first: decide without it.
      identified =
          new BootStore.BootView(
              identified.machine(),
              Optional.empty(),
              identified.staticProfile(),
              identified.configVersion());
    }
    BootStore.BootView view = identified;
    return answer(
        request, view, baseUrl, Optional.empty(), config -> decide(m, view, config), language);
  }

  /**
   * Consumes the machine's once-assignment, exactly once across requests and processes, and answers
   * with its profile. The event is stored with the consumption where the store can (so no crash
   * leaves a consumed once without its event); a failure to render still consumed it, and its ERROR
   * event says so. Empty when there was nothing left to take.
   */
  private Optional<BootAnswer> takeOnce(
      BootRequest request, Machine m, BootStore.BootView view, String baseUrl, Language language) {
    Decision[] made = new Decision[1];
    String[] text = new String[1];
    String[] token = new String[1];
    Optional<BootEvent> taken;
    try {
      Config config = config(view.configVersion());
      taken =
          store.takeOnce(
              m.mac(),
              () -> CallbackToken.hash(token[0] = CallbackToken.create()),
              once -> {
                Decision d = onceDecision(m, view, config, once, token[0]);
                String expects = null;
                try {
                  Script script = render(d, m, baseUrl, config, language);
                  text[0] = script.text();
                  expects = script.expects();
                } catch (RuntimeException e) {
                  d = failed(request, m, e, Optional.empty(), d.onceConsumed());
                  text[0] = errorScript(request, m, e, language);
                }
                made[0] = d;
                return event(request, m, d, expects);
              });
    } catch (BootStore.UnavailableException e) {
      throw e;
    } catch (RuntimeException e) {
      Decision d = failed(request, m, e, Optional.empty(), false);
      events.accept(event(request, m, d, null));
      return Optional.of(new BootAnswer(errorScript(request, m, e, language), "", d.reason()));
    }
    if (taken.isEmpty()) {
      return Optional.empty();
    }
    events.accept(taken.get()); // stored already when it has an id
    Decision d = made[0];
    return Optional.of(new BootAnswer(text[0], d.profile().orElse(""), d.reason()));
  }

  /**
   * What taking the once-assignment decided: consumed (an ordinary once), held (an install until
   * its installer calls back, with the callback token of this boot), or an install loop (past its
   * maximum: the machine falls to its static profile, group or default).
   */
  private Decision onceDecision(
      Machine m, BootStore.BootView view, Config config, BootStore.OnceTaken taken, String token) {
    switch (taken) {
      case BootStore.Consumed c -> {
        return new Decision(
            BootEvent.Match.ONCE, "once assignment", Optional.of(c.profile()), true);
      }
      case BootStore.Held h -> {
        String boot = "boot " + h.boot() + " of " + h.maxBoots();
        return new Decision(
            BootEvent.Match.ONCE,
            "once assignment, until its installer calls back (" + boot + ")",
            Optional.of(h.profile()),
            false,
            token,
            Map.of("install", boot));
      }
      case BootStore.Loop l -> {
        String loop =
            "install loop: "
                + l.profile()
                + " booted "
                + l.boots()
                + " time"
                + (l.boots() == 1 ? "" : "s")
                + " without its callback";
        log.warn("machine {}: {}; it falls to its static profile, group or default", m.mac(), loop);
        Decision rest = decideAfterOnce(m, view, config);
        return new Decision(
            rest.match(),
            rest.reason() + " (" + loop + ")",
            rest.profile(),
            false,
            null,
            Map.of("install_loop", l.profile(), "boots", Integer.toString(l.boots())));
      }
    }
  }

  @Override
  public Optional<BootAnswer> resolveProfile(BootRequest request, String profile, String baseUrl) {
    BootStore.BootView view = identify(request);
    if (!config(view.configVersion()).profiles().containsKey(profile)) {
      return Optional.empty();
    }
    return Optional.of(
        answer(
            request,
            view,
            baseUrl,
            Optional.of(profile),
            config ->
                new Decision(
                    BootEvent.Match.PROFILE,
                    "profile " + profile + " asked for by name (boot media)",
                    Optional.of(profile),
                    false),
            Language.IPXE));
  }

  /**
   * Decides with {@code decide}, renders and records the decision. A failure on the way becomes a
   * script that says so and an ERROR event (naming {@code profileOnError}), which still says
   * whether a once-assignment was consumed on the way.
   */
  private BootAnswer answer(
      BootRequest request,
      BootStore.BootView view,
      String baseUrl,
      Optional<String> profileOnError,
      java.util.function.Function<Config, Decision> decide,
      Language language) {
    Machine machine = view.machine().orElse(null);
    Decision d = null;
    String text;
    String expects = null;
    try {
      Config config = config(view.configVersion());
      d = decide.apply(config);
      Script script = render(d, machine, baseUrl, config, language);
      text = script.text();
      expects = script.expects();
    } catch (BootStore.UnavailableException e) {
      throw e; // not a boot error: the transport answers "try again"
    } catch (RuntimeException e) {
      d = failed(request, machine, e, profileOnError, false);
      text = errorScript(request, machine, e, language);
    }
    events.accept(event(request, machine, d, expects));
    return new BootAnswer(text, d.profile().orElse(""), d.reason());
  }

  /**
   * An installer's call to its per-boot URL ({@code POST /done/<token>}): ends an install held
   * until done, once. Recorded as a {@link BootEvent.Stage#CALLBACK} of the machine (refusals of a
   * known machine's spent token too).
   */
  @Override
  public BootStore.CallbackResult confirmInstall(String token, String clientIp) {
    if (!CallbackToken.wellFormed(token)) {
      return new BootStore.Refused(Optional.empty(), "not a callback token");
    }
    BootStore.CallbackResult r = store.confirmInstall(CallbackToken.hash(token));
    switch (r) {
      case BootStore.Confirmed c -> {
        log.info(
            "machine {}: its installer called back from {}: install of {} done after {} boot(s)",
            c.mac(),
            clientIp,
            c.profile(),
            c.boots());
        callback(
            c.mac(),
            clientIp,
            "installer called back: install of "
                + c.profile()
                + " done after "
                + c.boots()
                + " boot"
                + (c.boots() == 1 ? "" : "s")
                + "; the once-assignment is gone",
            Optional.of(c.profile()),
            Map.of("result", "done", "boots", Integer.toString(c.boots())));
      }
      case BootStore.Refused f when f.mac().isPresent() -> {
        log.warn("machine {}: callback from {} refused: {}", f.mac().get(), clientIp, f.why());
        callback(
            f.mac().get(),
            clientIp,
            "callback refused: " + f.why(),
            Optional.empty(),
            Map.of("result", "refused"));
      }
      case BootStore.Refused f -> log.info("callback from {} refused: {}", clientIp, f.why());
    }
    return r;
  }

  private void callback(
      MacAddress mac,
      String clientIp,
      String summary,
      Optional<String> profile,
      Map<String, String> detail) {
    events.accept(
        new BootEvent(
            0,
            clock.instant(),
            Optional.of(mac),
            clientIp,
            BootEvent.Match.STAGE,
            summary,
            profile,
            "http",
            false,
            BootEvent.Stage.CALLBACK,
            detail));
  }

  /** The ERROR decision for a boot that failed on the way (logged here). */
  private Decision failed(
      BootRequest request,
      Machine machine,
      RuntimeException e,
      Optional<String> profile,
      boolean consumed) {
    log.error(
        "boot of {} from {} failed: {}",
        who(machine, request),
        request.clientIp().getHostAddress(),
        Printable.of(e.getMessage()),
        e);
    return new Decision(BootEvent.Match.ERROR, "error: " + e.getMessage(), profile, consumed);
  }

  private static String errorScript(
      BootRequest request, Machine machine, RuntimeException e, Language language) {
    String message = "cannot boot " + who(machine, request) + ": " + e.getMessage();
    return language == Language.GRUB ? GrubRenderer.error(message) : ScriptRenderer.error(message);
  }

  /**
   * With a default profile every machine has something to boot, whatever else is configured, so the
   * answer needs nothing but the configuration (cached per version); otherwise the machine's view
   * decides, which the store keeps in memory per MAC (known or not) until something changes (see
   * {@link BootStore#bootView}).
   */
  @Override
  public boolean hasBootFor(BootRequest request) {
    try {
      return hasBootForNow(request);
    } catch (BootStore.UnavailableException e) {
      // Answer as if there were: the machine then asks over HTTP, which says "try again" until
      // the database is back, instead of giving up on network boot for good.
      log.debug("store unavailable; offering a boot to {}: {}", request.mac(), e.getMessage());
      return true;
    }
  }

  private boolean hasBootForNow(BootRequest request) {
    if (config(store.configVersion()).defaultProfile().isPresent()) {
      return true;
    }
    BootStore.BootView view = peek(request);
    Config config = config(view.configVersion());
    return decide(view.machine().orElse(null), view, config).profile().isPresent();
  }

  @Override
  public Preview preview(BootRequest request, String baseUrl) {
    BootStore.BootView view =
        request.mac().isPresent() ? store.bootView(request.mac().get()) : viewByIp(request);
    boolean known = view.machine().isPresent();
    Machine m =
        known
            ? view.machine().get().seenAs(request)
            : request.mac().map(mac -> Machine.fromRequest(mac, request)).orElse(null);
    view =
        new BootStore.BootView(
            Optional.ofNullable(m), view.onceProfile(), view.staticProfile(), view.configVersion());
    Decision d;
    String text;
    try {
      Config config = config(view.configVersion());
      d = decide(m, view, config);
      text = render(d, m, baseUrl, config).text();
    } catch (RuntimeException e) {
      d = new Decision(BootEvent.Match.ERROR, "error: " + e.getMessage(), Optional.empty(), false);
      text = ScriptRenderer.error("cannot boot " + who(m, request) + ": " + e.getMessage());
    }
    return new Preview(
        m == null ? request.mac() : Optional.of(m.mac()),
        known,
        d.match(),
        d.reason(),
        d.profile(),
        d.match() == BootEvent.Match.ONCE,
        text);
  }

  /** What {@link #hasBootFor} decides on: the stored machine, or one described by the request. */
  private BootStore.BootView peek(BootRequest request) {
    if (request.mac().isEmpty()) {
      return viewByIp(request);
    }
    BootStore.BootView view = store.bootView(request.mac().get());
    if (view.machine().isEmpty()) {
      return BootStore.BootView.unassigned(
          Optional.of(Machine.fromRequest(request.mac().get(), request)), view.configVersion());
    }
    return view;
  }

  @Override
  public Optional<FirmwareSettings> firmwareFor(BootRequest request) {
    BootStore.BootView view = peek(request);
    Config config = config(view.configVersion());
    Machine m = view.machine().orElse(null);
    Decision d = decide(m, view, config);
    return d.profile().map(p -> firmware(m, config, p));
  }

  /**
   * The firmware settings of every group the machine matches, the most specific first (a value set
   * by a more specific group wins), with the loader {@code profile} needs, if it names one.
   */
  private static FirmwareSettings firmware(Machine m, Config config, String profile) {
    FirmwareSettings s = FirmwareSettings.NONE;
    if (m != null) {
      for (Group g : config.groups()) {
        if (g.matches(m)) {
          s = s.orElse(g.firmware());
        }
      }
    }
    Profile p = config.profiles().get(profile);
    if (p != null && p.loader().isPresent()) {
      s = s.withLoader(p.loader());
    }
    return s;
  }

  /** A request without a MAC: the machine last seen at its address, if any. */
  private BootStore.BootView viewByIp(BootRequest r) {
    return store
        .machineByIp(r.clientIp().getHostAddress())
        .map(m -> store.bootView(m.mac()))
        .orElseGet(() -> BootStore.BootView.unassigned(Optional.empty(), store.configVersion()));
  }

  /**
   * The machine a request is from, with its assignments: known by MAC (updated when it says
   * something new), new (registered), or without a MAC by its IP address.
   */
  private BootStore.BootView identify(BootRequest r) {
    if (r.mac().isEmpty()) {
      return viewByIp(r);
    }
    MacAddress mac = r.mac().get();
    BootStore.BootView view = store.bootView(mac);
    if (view.machine().isEmpty()) {
      Machine m = Machine.fromRequest(mac, r);
      if (store.registerMachine(m)) {
        log.info(
            "new machine {} from {} ({})",
            mac,
            r.clientIp().getHostAddress(),
            r.arch().map(Arch::ipxeName).orElse("arch unknown"));
        return BootStore.BootView.unassigned(Optional.of(m), view.configVersion());
      }
      view = store.bootView(mac); // registered by a concurrent request
      if (view.machine().isEmpty()) {
        return BootStore.BootView.unassigned(Optional.of(m), view.configVersion());
      }
    }
    Machine known = view.machine().get();
    Machine updated = known.seenAs(r);
    if (!updated.equals(known)) {
      store.updateSeen(updated);
      return new BootStore.BootView(
          Optional.of(updated), view.onceProfile(), view.staticProfile(), view.configVersion());
    }
    return view;
  }

  /** Profiles, groups (in precedence order) and the default, cached per config version. */
  private record Config(
      long version,
      Map<String, Profile> profiles,
      List<Group> groups,
      Optional<String> defaultProfile) {}

  private volatile Config config;

  private Config config(long version) {
    Config c = config;
    if (c != null && c.version() == version) {
      return c;
    }
    synchronized (this) {
      c = config;
      if (c == null || c.version() != version) {
        long v = store.configVersion(); // read first: data read after it is at least as new
        Map<String, Profile> profiles = new HashMap<>();
        store.profiles().forEach(p -> profiles.put(p.name(), p));
        List<Group> groups = store.groups().stream().sorted(Group.PRECEDENCE).toList();
        c = new Config(v, Map.copyOf(profiles), groups, store.defaultProfile());
        config = c;
      }
      return c;
    }
  }

  /**
   * once &gt; static &gt; group &gt; default, without consuming anything: a once-assignment in the
   * view is only looked at ({@link #resolve} takes it first, through {@link #takeOnce}).
   */
  private Decision decide(Machine m, BootStore.BootView view, Config config) {
    if (m != null) {
      if (view.onceProfile().isPresent()) {
        return new Decision(BootEvent.Match.ONCE, "once assignment", view.onceProfile(), false);
      }
    }
    return decideAfterOnce(m, view, config);
  }

  /** static &gt; group &gt; default, for a machine without (or past) its once-assignment. */
  private Decision decideAfterOnce(Machine m, BootStore.BootView view, Config config) {
    if (m != null) {
      if (view.staticProfile().isPresent()) {
        return new Decision(
            BootEvent.Match.STATIC, "static assignment", view.staticProfile(), false);
      }
      for (Group g : config.groups()) {
        if (g.matches(m)) {
          return new Decision(
              BootEvent.Match.GROUP,
              "group " + g.name() + " (" + g.selector() + ")",
              Optional.of(g.profile()),
              false);
        }
      }
    }
    Optional<String> def = config.defaultProfile();
    if (def.isPresent()) {
      return new Decision(
          BootEvent.Match.DEFAULT,
          m == null ? "default (machine not identified)" : "default",
          def,
          false);
    }
    return new Decision(
        BootEvent.Match.NONE,
        m == null ? "no match (machine not identified, no default)" : "no match, no default",
        Optional.empty(),
        false);
  }

  private Script render(Decision d, Machine m, String baseUrl, Config config) {
    if (d.profile().isEmpty()) {
      return new Script(
          ScriptRenderer.nothing(
              m == null ? "this machine (no MAC given)" : m.mac().colon(), firmware(m, config, "")),
          null);
    }
    String name = d.profile().get();
    // A script depends only on these (profiles and menus through the config version); a held
    // install's script has its own callback URL and is never cached.
    Rendered key =
        d.doneToken() == null ? new Rendered(config.version(), name, m, baseUrl, d.reason()) : null;
    Script script = key == null ? null : rendered.get(key);
    if (script != null) {
      return script;
    }
    Profile p =
        Optional.ofNullable(config.profiles().get(name))
            .orElseThrow(() -> new IllegalStateException("profile " + name + " does not exist"));
    String doneUrl = d.doneToken() == null ? "" : baseUrl + CallbackToken.PATH + d.doneToken();
    String text =
        renderer.render(
            p,
            m,
            baseUrl,
            d.reason(),
            n -> Optional.ofNullable(config.profiles().get(n)),
            doneUrl,
            firmware(m, config, name));
    List<String> fetches = renderer.fetchesFrom(p, m, baseUrl, doneUrl);
    script = new Script(text, fetches.isEmpty() ? null : String.join(" ", fetches));
    if (key != null) {
      if (rendered.size() >= MAX_RENDERED) {
        rendered.clear();
      }
      rendered.put(key, script);
    }
    return script;
  }

  private Script render(Decision d, Machine m, String baseUrl, Config config, Language language) {
    return language == Language.GRUB
        ? new Script(renderGrub(d, m, baseUrl, config), null)
        : render(d, m, baseUrl, config);
  }

  /** The decision as a GRUB configuration (not cached: the signed chain is a rare path). */
  private String renderGrub(Decision d, Machine m, String baseUrl, Config config) {
    String who = m == null ? "this machine (no MAC given)" : m.mac().colon();
    if (d.profile().isEmpty()) {
      return GrubRenderer.nothing(who, firmware(m, config, ""));
    }
    String name = d.profile().get();
    Profile p =
        Optional.ofNullable(config.profiles().get(name))
            .orElseThrow(() -> new IllegalStateException("profile " + name + " does not exist"));
    return grub.render(p, m, baseUrl, d.reason(), firmware(m, config, name));
  }

  /**
   * What a rendered script depends on (the machine may be null). Its hash leaves the machine's
   * details out (its MAC stands for it; every request hashes this key, and hashing a whole machine
   * with its labels was a visible share of a known machine's boot); equality compares them all.
   */
  private record Rendered(
      long configVersion, String profile, Machine machine, String baseUrl, String reason) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Rendered r
          && configVersion == r.configVersion
          && Objects.equals(profile, r.profile)
          && Objects.equals(baseUrl, r.baseUrl)
          && Objects.equals(reason, r.reason)
          && (machine == r.machine || (machine != null && machine.equals(r.machine)));
    }

    @Override
    public int hashCode() {
      int h = Long.hashCode(configVersion);
      h = 31 * h + Objects.hashCode(profile);
      h = 31 * h + (machine == null ? 0 : machine.mac().hashCode());
      h = 31 * h + Objects.hashCode(baseUrl);
      return 31 * h + Objects.hashCode(reason);
    }
  }

  private static final int MAX_RENDERED = 16_384;
  private final Map<Rendered, Script> rendered = new ConcurrentHashMap<>();

  private BootEvent event(BootRequest r, Machine m, Decision d, String expects) {
    Map<String, String> detail = d.detail();
    if (expects != null) {
      detail = new java.util.LinkedHashMap<>(detail);
      detail.put(Timeline.EXPECTS, expects);
    }
    return new BootEvent(
        0,
        clock.instant(),
        m == null ? r.mac() : Optional.of(m.mac()),
        r.clientIp().getHostAddress(),
        d.match(),
        d.reason(),
        d.profile(),
        r.protocol().name().toLowerCase(Locale.ROOT),
        d.onceConsumed(),
        BootEvent.Stage.SCRIPT,
        detail);
  }

  private static String who(Machine m, BootRequest r) {
    return m != null
        ? m.mac().colon()
        : r.mac().map(MacAddress::colon).orElse(r.clientIp().getHostAddress());
  }
}
