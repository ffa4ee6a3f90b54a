package dev.chainboot.api;

import dev.chainboot.auth.ApiToken;
import dev.chainboot.auth.Role;
import dev.chainboot.boot.Arch;
import dev.chainboot.boot.Assignment;
import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.FirmwareSettings;
import dev.chainboot.boot.Group;
import dev.chainboot.boot.InstallHold;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Machine;
import dev.chainboot.boot.Platform;
import dev.chainboot.boot.Preview;
import dev.chainboot.boot.Profile;
import dev.chainboot.compat.ImportReport;
import dev.chainboot.compat.zeroos.ZeroOsKernels;
import java.net.InetAddress;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * How chainboot's objects look as JSON, the same for the HTTP API and the CLI's {@code --json}:
 * plain maps in a fixed key order, and back ({@code ...From}: request bodies on the server, answers
 * on the remote CLI). Parsing names the field at fault in every {@link ApiException}.
 */
public final class JsonViews {

  private JsonViews() {}

  // ------------------------------------------------------------------ machines

  public static Map<String, Object> machine(Machine m) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("mac", m.mac().colon());
    o.put("ip", m.ip().orElse(null));
    o.put("uuid", m.uuid().orElse(null));
    o.put("serial", m.serial().orElse(null));
    o.put("hostname", m.hostname().orElse(null));
    o.put("arch", m.arch().map(Arch::ipxeName).orElse(null));
    o.put("platform", m.platform().map(Platform::ipxeName).orElse(null));
    o.put("labels", m.labels());
    return o;
  }

  /** An install held until done ({@code boot once --until-done}) and how it went. */
  public static Map<String, Object> install(InstallHold h) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("profile", h.profile());
    o.put("state", h.state().label());
    o.put("boots", h.boots());
    o.put("max_boots", h.maxBoots());
    o.put("updated", h.updated().toString());
    return o;
  }

  /** A machine with its assignments ({@code GET /api/v1/machines/{id}}). */
  public static Map<String, Object> machineDetail(MachineDetail d) {
    Map<String, Object> o = machine(d.machine());
    o.put("once", d.once().orElse(null));
    o.put("static", d.staticProfile().orElse(null));
    o.put("install", d.install().map(JsonViews::install).orElse(null));
    return o;
  }

  private static final Set<String> MACHINE_FIELDS =
      Set.of("mac", "ip", "uuid", "serial", "hostname", "arch", "platform", "labels");

  /**
   * A machine from JSON.
   *
   * @param mac the MAC the URL names, if it does (the body's must then be absent or the same)
   */
  public static Machine machineFrom(JsonNode json, Optional<MacAddress> mac) {
    Body b = Body.of(json).only(with(MACHINE_FIELDS, "once", "static", "install"));
    Optional<MacAddress> inBody = b.string("mac").map(s -> mac("mac", s));
    if (mac.isPresent() && inBody.isPresent() && !mac.equals(inBody)) {
      throw ApiException.invalid("mac", "mac " + inBody.get() + " differs from the URL's");
    }
    MacAddress m =
        mac.or(() -> inBody).orElseThrow(() -> ApiException.invalid("mac", "mac is required"));
    Optional<String> ip = b.string("ip");
    if (ip.isPresent() && !isIp(ip.get())) {
      throw ApiException.invalid("ip", "invalid IP address: " + ip.get());
    }
    Optional<Arch> arch = b.string("arch").map(JsonViews::arch);
    Optional<Platform> platform =
        b.string("platform")
            .map(
                x ->
                    Platform.parse(x)
                        .orElseThrow(
                            () -> ApiException.invalid("platform", "unknown platform: " + x)));
    try {
      return new Machine(
          m,
          ip,
          b.string("uuid"),
          b.string("serial"),
          b.string("hostname"),
          arch,
          platform,
          b.stringMap("labels"));
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid("labels", e.getMessage());
    }
  }

  public static MachineDetail machineDetailFrom(JsonNode json) {
    Body b = Body.of(json);
    Machine m = machineFrom(json, Optional.empty());
    Optional<InstallHold> install =
        b.has("install")
            ? Optional.of(installFrom(m.mac(), json.get("install")))
            : Optional.empty();
    return new MachineDetail(m, b.string("once"), b.string("static"), install);
  }

  static InstallHold installFrom(MacAddress mac, JsonNode json) {
    Body b = Body.of(json, "install");
    String state = b.requiredString("state");
    try {
      return new InstallHold(
          mac,
          b.requiredString("profile"),
          InstallHold.State.valueOf(state.toUpperCase(Locale.ROOT)),
          b.number("boots").orElse(0L).intValue(),
          b.number("max_boots").orElse(1L).intValue(),
          instant("install.updated", b.requiredString("updated")));
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid("install", e.getMessage());
    }
  }

  /**
   * The body of {@code PUT /api/v1/machines/{id}/assignments/once}: {@code {"profile": P}}, held
   * until done with {@code "until_done": true} (and {@code "max_boots": N}).
   *
   * @param maxBoots 0 for an ordinary once-assignment
   */
  public record OnceRequest(String profile, int maxBoots) {}

  public static Map<String, Object> onceRequest(OnceRequest r) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("profile", r.profile());
    if (r.maxBoots() > 0) {
      o.put("until_done", true);
      o.put("max_boots", r.maxBoots());
    }
    return o;
  }

  public static OnceRequest onceRequestFrom(JsonNode json) {
    Body b = Body.of(json).only(Set.of("profile", "until_done", "max_boots"));
    String profile =
        b.string("profile")
            .orElseThrow(() -> ApiException.invalid("profile", "profile is required"));
    boolean untilDone = b.bool("until_done").orElse(false);
    Optional<Long> max = b.number("max_boots");
    if (max.isPresent() && !untilDone) {
      throw ApiException.invalid("max_boots", "max_boots needs until_done");
    }
    if (!untilDone) {
      return new OnceRequest(profile, 0);
    }
    long n = max.orElse((long) InstallHold.DEFAULT_MAX_BOOTS);
    if (n < 1 || n > InstallHold.MAX_MAX_BOOTS) {
      throw ApiException.invalid(
          "max_boots", "max_boots must be between 1 and " + InstallHold.MAX_MAX_BOOTS);
    }
    return new OnceRequest(profile, (int) n);
  }

  static Arch arch(String x) {
    return Arch.parse(x)
        .orElseThrow(() -> ApiException.invalid("arch", "unknown architecture: " + x));
  }

  /** Parses a MAC, or 400 naming {@code field}. */
  public static MacAddress mac(String field, String text) {
    return MacAddress.parse(text)
        .orElseThrow(
            () ->
                ApiException.invalid(
                    field, "invalid MAC address: " + text + " (e.g. 52:54:00:12:34:56)"));
  }

  /** Whether {@code s} is an IPv4 or IPv6 literal (never looked up in DNS). */
  public static boolean isIp(String s) {
    if (s == null) {
      return false;
    }
    if (s.matches("(\\d{1,3}\\.){3}\\d{1,3}")) {
      for (String octet : s.split("\\.")) {
        if (Integer.parseInt(octet) > 255) {
          return false; // getByName would take it for a host name and look it up
        }
      }
      return true;
    }
    if (!s.matches("[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:.]{1,44}")) {
      return false;
    }
    try {
      InetAddress.getByName(s); // with a ':' only ever parsed as an IPv6 literal
      return true;
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  // ------------------------------------------------------------------ profiles

  /** {@code kernel}, {@code chain}, {@code script}, {@code local-disk} or {@code menu}. */
  public static String kind(Profile p) {
    return p.kind().name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static Map<String, Object> profile(Profile p) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("name", p.name());
    o.put("kind", kind(p));
    p.kernel().ifPresent(x -> o.put("kernel", x));
    if (p.kind() == Profile.Kind.KERNEL) {
      o.put("initrds", p.initrds());
    }
    p.cmdline().ifPresent(x -> o.put("cmdline", x));
    p.chainUrl().ifPresent(x -> o.put("chain", x));
    p.script().ifPresent(x -> o.put("script", x));
    if (p.kind() == Profile.Kind.MENU) {
      o.put("menu", p.menu());
    }
    p.loader().ifPresent(x -> o.put("loader", x.text()));
    return o;
  }

  private static final Set<String> PROFILE_FIELDS =
      Set.of("name", "kind", "kernel", "initrds", "cmdline", "chain", "script", "menu", "loader");

  /**
   * A profile from JSON; its fields must be those of its {@code kind}.
   *
   * @param name the name the URL gives, if it does
   */
  public static Profile profileFrom(JsonNode json, Optional<String> name) {
    Body b = Body.of(json).only(PROFILE_FIELDS);
    String n = name(b, name);
    String kind = b.requiredString("kind");
    Optional<FirmwareSettings.Loader> loader =
        b.string("loader")
            .map(
                l ->
                    FirmwareSettings.Loader.parse(l)
                        .orElseThrow(
                            () ->
                                ApiException.invalid(
                                    "loader", "loader must be ipxe or shim-grub, not " + l)));
    Profile p = profileOfKind(b, n, kind);
    try {
      return p.withLoader(loader);
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid("loader", e.getMessage());
    }
  }

  private static Profile profileOfKind(Body b, String n, String kind) {
    Set<String> allowed =
        switch (kind) {
          case "kernel" -> Set.of("kernel", "initrds", "cmdline");
          case "chain" -> Set.of("chain");
          case "script" -> Set.of("script");
          case "local-disk" -> Set.of();
          case "menu" -> Set.of("menu");
          default ->
              throw ApiException.invalid(
                  "kind", "kind must be kernel, chain, script, local-disk or menu");
        };
    for (String f : List.of("kernel", "initrds", "cmdline", "chain", "script", "menu")) {
      if (b.has(f) && !allowed.contains(f)) {
        throw ApiException.invalid(f, "a " + kind + " profile has no field " + f);
      }
    }
    return switch (kind) {
      case "kernel" ->
          Profile.kernel(
              n,
              b.requiredString("kernel"),
              b.strings("initrds"),
              b.string("cmdline").orElse(null));
      case "chain" -> Profile.chain(n, b.requiredString("chain"));
      case "script" -> Profile.script(n, b.requiredString("script"));
      case "local-disk" -> Profile.localDisk(n);
      default -> {
        List<String> menu = b.strings("menu");
        if (menu.isEmpty()) {
          throw ApiException.invalid("menu", "menu needs at least one profile");
        }
        for (int i = 0; i < menu.size(); i++) {
          checkName("menu[" + i + "]", menu.get(i));
        }
        yield Profile.menu(n, menu);
      }
    };
  }

  private static String name(Body b, Optional<String> fromUrl) {
    Optional<String> inBody = b.string("name");
    if (fromUrl.isPresent() && inBody.isPresent() && !fromUrl.equals(inBody)) {
      throw ApiException.invalid("name", "name " + inBody.get() + " differs from the URL's");
    }
    String n =
        fromUrl
            .or(() -> inBody)
            .orElseThrow(() -> ApiException.invalid("name", "name is required"));
    return checkName("name", n);
  }

  /** A profile or group name, or 400 naming {@code field}. */
  public static String checkName(String field, String name) {
    try {
      return Profile.checkName(name);
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid(field, e.getMessage());
    }
  }

  // ------------------------------------------------------------------ groups

  public static Map<String, Object> group(Group g) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("name", g.name());
    o.put("profile", g.profile());
    o.put("labels", g.labels());
    o.put("arch", g.arch().map(Arch::ipxeName).orElse(null));
    o.put("mac_prefix", g.macPrefix().orElse(null));
    o.put("selector", g.selector());
    o.put("firmware", g.firmware().text());
    return o;
  }

  private static final Set<String> GROUP_FIELDS =
      Set.of("name", "profile", "labels", "arch", "mac_prefix", "selector", "firmware");

  public static Group groupFrom(JsonNode json, Optional<String> name) {
    Body b = Body.of(json).only(GROUP_FIELDS);
    String n = name(b, name);
    String profile = checkName("profile", b.requiredString("profile"));
    Map<String, String> labels = b.stringMap("labels");
    Optional<Arch> arch = b.string("arch").map(JsonViews::arch);
    Optional<String> prefix = b.string("mac_prefix");
    try {
      prefix.ifPresent(Group::normalizePrefix);
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid("mac_prefix", e.getMessage());
    }
    FirmwareSettings firmware;
    try {
      firmware = FirmwareSettings.parse(b.string("firmware").orElse(""));
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid("firmware", e.getMessage());
    }
    try {
      return new Group(n, profile, labels, arch, prefix, firmware);
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid("labels", e.getMessage());
    }
  }

  // ------------------------------------------------------------------ assignments

  public static Map<String, Object> assignment(Assignment a) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("mac", a.mac().colon());
    o.put("kind", a.kind().name().toLowerCase(Locale.ROOT));
    o.put("profile", a.profile());
    return o;
  }

  public static Assignment assignmentFrom(JsonNode json) {
    Body b = Body.of(json);
    return new Assignment(
        mac("mac", b.requiredString("mac")),
        assignmentKind("kind", b.requiredString("kind")),
        b.requiredString("profile"));
  }

  public static Assignment.Kind assignmentKind(String field, String s) {
    return switch (s) {
      case "once" -> Assignment.Kind.ONCE;
      case "static" -> Assignment.Kind.STATIC;
      default -> throw ApiException.invalid(field, "kind must be once or static, not " + s);
    };
  }

  /** {@code {"profile": P}} of an assignment or the default. */
  public static Map<String, Object> profileRef(Optional<String> profile) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("profile", profile.orElse(null));
    return o;
  }

  public static Optional<String> profileRefFrom(JsonNode json) {
    return Body.of(json).only(Set.of("profile")).string("profile");
  }

  // ------------------------------------------------------------------ events

  public static Map<String, Object> event(BootEvent e) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("id", e.id());
    o.put("time", e.time().toString());
    o.put("mac", e.mac().map(MacAddress::colon).orElse(null));
    o.put("client_ip", e.clientIp());
    o.put("stage", e.stage().label());
    o.put(
        "match",
        e.match() == BootEvent.Match.STAGE ? null : e.match().name().toLowerCase(Locale.ROOT));
    o.put("reason", e.reason());
    o.put("profile", e.profile().orElse(null));
    o.put("protocol", e.protocol());
    o.put("once_consumed", e.onceConsumed());
    o.put("detail", e.detail());
    return o;
  }

  public static BootEvent eventFrom(JsonNode json) {
    Body b = Body.of(json);
    return new BootEvent(
        b.number("id").orElse(0L),
        instant("time", b.requiredString("time")),
        b.string("mac").map(s -> mac("mac", s)),
        b.requiredString("client_ip"),
        b.string("match").map(m -> match("match", m)).orElse(BootEvent.Match.STAGE),
        b.requiredString("reason"),
        b.string("profile"),
        b.requiredString("protocol"),
        b.bool("once_consumed").orElse(false),
        b.string("stage").flatMap(BootEvent.Stage::parse).orElse(BootEvent.Stage.SCRIPT),
        b.stringMap("detail"));
  }

  public static BootEvent.Match match(String field, String s) {
    try {
      return BootEvent.Match.valueOf(s.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid(
          field,
          "match must be one of "
              + java.util.Arrays.stream(BootEvent.Match.values())
                  .map(m -> m.name().toLowerCase(Locale.ROOT))
                  .toList());
    }
  }

  public static Instant instant(String field, String s) {
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      throw ApiException.invalid(field, field + " must be a time like 2030-01-02T03:04:05Z");
    }
  }

  // ------------------------------------------------------------------ preview

  public static Map<String, Object> preview(Preview p) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("mac", p.mac().map(MacAddress::colon).orElse(null));
    o.put("known", p.known());
    o.put("match", p.match().name().toLowerCase(Locale.ROOT));
    o.put("reason", p.reason());
    o.put("profile", p.profile().orElse(null));
    o.put("once_would_be_consumed", p.onceWouldBeConsumed());
    o.put("script", p.script());
    return o;
  }

  public static Preview previewFrom(JsonNode json) {
    Body b = Body.of(json);
    return new Preview(
        b.string("mac").map(s -> mac("mac", s)),
        b.bool("known").orElse(false),
        match("match", b.requiredString("match")),
        b.requiredString("reason"),
        b.string("profile"),
        b.bool("once_would_be_consumed").orElse(false),
        b.requiredString("script"));
  }

  // ------------------------------------------------------------------ imports

  public static Map<String, Object> importReport(ImportReport r) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("dry_run", r.dryRun());
    o.put("done", r.done());
    o.put("skipped", r.skipped());
    o.put("lines", r.lines());
    return o;
  }

  public static ImportReport importReportFrom(JsonNode json) {
    Body b = Body.of(json);
    return new ImportReport(
        b.bool("dry_run").orElse(false), b.strings("done"), b.strings("skipped"));
  }

  // ------------------------------------------------------------------ Zero-OS kernels

  public static Map<String, Object> zeroOsKernel(ZeroOsKernels.Kernel k) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("name", k.name());
    o.put("size", k.size());
    o.put("modified", k.modified().toString());
    o.put("runmodes", k.runmodes());
    return o;
  }

  public static ZeroOsKernels.Kernel zeroOsKernelFrom(JsonNode json) {
    Body b = Body.of(json);
    return new ZeroOsKernels.Kernel(
        b.requiredString("name"),
        b.number("size").orElse(0L),
        Instant.parse(b.requiredString("modified")),
        b.strings("runmodes"));
  }

  public static Map<String, Object> zeroOsRunmode(ZeroOsKernels.Runmode r) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("runmode", r.runmode());
    o.put("name", r.pretty());
    o.put("kernel", r.kernel().orElse(null));
    o.put("link", r.link());
    return o;
  }

  public static ZeroOsKernels.Runmode zeroOsRunmodeFrom(JsonNode json) {
    Body b = Body.of(json);
    return new ZeroOsKernels.Runmode(
        b.requiredString("runmode"),
        b.requiredString("name"),
        b.string("kernel"),
        b.bool("link").orElse(false));
  }

  // ------------------------------------------------------------------ tokens

  public static Map<String, Object> token(ApiToken t) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("name", t.name());
    o.put("role", t.role().id());
    o.put("id", t.id());
    o.put("created", t.created().toString());
    o.put("last_used", t.lastUsed().map(Instant::toString).orElse(null));
    o.put("revoked", t.revoked().map(Instant::toString).orElse(null));
    o.put("active", t.active());
    return o;
  }

  public static ApiToken tokenFrom(JsonNode json) {
    Body b = Body.of(json);
    return new ApiToken(
        b.requiredString("id"),
        b.requiredString("name"),
        role("role", b.requiredString("role")),
        instant("created", b.requiredString("created")),
        b.string("last_used").map(s -> instant("last_used", s)),
        b.string("revoked").map(s -> instant("revoked", s)));
  }

  public static Role role(String field, String s) {
    return Role.parse(s)
        .orElseThrow(
            () -> ApiException.invalid(field, "role must be viewer, operator or admin, not " + s));
  }

  // ------------------------------------------------------------------ errors

  /** {@code {"error": message, "field": f}} ({@code field} only when one is at fault). */
  public static Map<String, Object> error(ApiException e) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("error", e.getMessage());
    e.field().ifPresent(f -> o.put("field", f));
    return o;
  }

  private static Set<String> with(Set<String> s, String... more) {
    java.util.HashSet<String> out = new java.util.HashSet<>(s);
    out.addAll(List.of(more));
    return Set.copyOf(out);
  }
}
