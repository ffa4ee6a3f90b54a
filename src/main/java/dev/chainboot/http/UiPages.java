package dev.chainboot.http;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;
import dev.chainboot.api.ApiException;
import dev.chainboot.api.Control;
import dev.chainboot.api.Json;
import dev.chainboot.api.JsonViews;
import dev.chainboot.api.MachineDetail;
import dev.chainboot.api.MediaOrder;
import dev.chainboot.auth.Principal;
import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.BootStore;
import dev.chainboot.boot.Group;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Machine;
import dev.chainboot.boot.Preview;
import dev.chainboot.boot.Profile;
import dev.chainboot.boot.ScriptRenderer;
import dev.chainboot.media.MediaFormat;
import dev.chainboot.media.MediaSpec;
import dev.chainboot.store.EventFilter;
import dev.chainboot.store.MachinePage;
import dev.chainboot.store.MachineQuery;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web UI's pages on the admin listener: server-rendered HTML from the JMustache templates in
 * {@code /ui/} of the jar (every value HTML-escaped; a missing value is an error, not an empty
 * string), one small script of our own ({@code /ui/static/app.js}) for live event rows and the
 * profile preview. Every page reads and writes through {@link Control}, so the rules are the API's;
 * every state change is a POST carrying the session's CSRF token (checked by {@link Guard}) and
 * answered with a redirect to the page that shows the result.
 */
final class UiPages {

  private static final Logger log = LoggerFactory.getLogger(UiPages.class);

  /** Machines per page of the machine list. */
  static final int PAGE_SIZE = 50;

  /** Events shown on a machine's timeline and on the events page. */
  static final int EVENTS_SHOWN = 100;

  private final Control control;
  private final Function<Request, String> bootBaseUrl;
  private final ScriptRenderer renderer = new ScriptRenderer();
  private final Map<String, Template> templates = new HashMap<>();

  /**
   * @param bootBaseUrl the boot listener's URL as a client of this request reaches it (previews,
   *     media)
   */
  UiPages(Control control, Function<Request, String> bootBaseUrl) {
    this.control = control;
    this.bootBaseUrl = bootBaseUrl;
    Mustache.Compiler c =
        Mustache.compiler()
            .escapeHTML(true)
            .strictSections(true)
            .emptyStringIsFalse(true)
            .withLoader(name -> reader(name + ".mustache"));
    for (String t :
        List.of(
            "machines", "machine", "profiles", "profile", "groups", "events", "zeroos", "error")) {
      try (InputStreamReader r = reader(t + ".mustache")) {
        templates.put(t, c.compile(r));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static InputStreamReader reader(String name) {
    InputStream in = UiPages.class.getResourceAsStream("/ui/" + name);
    if (in == null) {
      throw new IllegalStateException("missing UI template /ui/" + name);
    }
    return new InputStreamReader(in, StandardCharsets.UTF_8);
  }

  /** A page's work: answers the request, or throws (ApiException: its status and message). */
  interface Page {
    boolean handle(Request req, Response resp, Callback cb) throws Exception;
  }

  /** A handler for {@code methods} that turns failures into an error page. */
  Handler handler(List<String> methods, Page page) {
    return new Handler.Abstract() {
      @Override
      public boolean handle(Request req, Response resp, Callback cb) {
        if (!Methods.allowed(req, resp, cb, methods)) {
          return true;
        }
        try {
          return page.handle(req, resp, cb);
        } catch (ApiException e) {
          return error(req, resp, cb, e.status(), e.getMessage());
        } catch (IllegalArgumentException e) {
          return error(req, resp, cb, 400, e.getMessage());
        } catch (BootStore.UnavailableException e) {
          return Unavailable.status(req, resp, cb, e);
        } catch (Exception e) {
          log.error("UI {} {} failed", req.getMethod(), Request.getPathInContext(req), e);
          return error(req, resp, cb, 500, "internal error: " + e);
        }
      }
    };
  }

  // ------------------------------------------------------------------ machines

  /** {@code GET /}: the machine list. */
  Handler home() {
    return handler(Methods.GET_HEAD, (req, resp, cb) -> redirect(resp, cb, "/machines"));
  }

  /**
   * {@code GET /machines?q=&page=}: one page of machines matching the search (MAC, IP, host name,
   * label name=value); {@code POST /machines}: pre-provisions a machine (mac, labels).
   */
  Handler machines() {
    return handler(
        List.of("GET", "HEAD", "POST"),
        (req, resp, cb) -> {
          if ("POST".equals(req.getMethod())) {
            Fields f = form(req);
            MacAddress mac =
                JsonViews.mac("mac", Optional.ofNullable(f.getValue("mac")).orElse("").strip());
            Machine m = Machine.of(mac);
            control.putMachine(
                new Machine(
                    mac,
                    m.ip(),
                    m.uuid(),
                    m.serial(),
                    m.hostname(),
                    m.arch(),
                    m.platform(),
                    labels(f.getValue("labels"))),
                Control.Expect.CREATE);
            return redirect(resp, cb, "/machines/" + mac.colon());
          }
          Fields q = Requests.query(req);
          String search = Optional.ofNullable(q.getValue("q")).orElse("").strip();
          int page = positive(q.getValue("page"), "page");
          return page(req, resp, cb, 200, "machines", "Machines", machineList(search, page));
        });
  }

  /**
   * The model of one page of the machine list (the benchmark times this with its rendering): the
   * page is read from the store (search, count, LIMIT/OFFSET), with each row's last boot.
   */
  Map<String, Object> machineList(String search, int page) {
    page = Math.min(page, Integer.MAX_VALUE / PAGE_SIZE);
    MachineQuery first = new MachineQuery(search, (page - 1) * PAGE_SIZE, PAGE_SIZE);
    MachinePage result = control.machinePage(first);
    int pages = Math.max(1, (result.total() + PAGE_SIZE - 1) / PAGE_SIZE);
    int p = Math.min(page, pages);
    if (p != page) { // past the end: the last page
      result = control.machinePage(new MachineQuery(search, (p - 1) * PAGE_SIZE, PAGE_SIZE));
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    for (MachinePage.Row row : result.rows()) {
      Machine m = row.machine();
      Map<String, Object> r = new HashMap<>();
      r.put("mac", m.mac().colon());
      r.put("macPath", m.mac().colon());
      r.put("hostname", m.hostname().orElse(""));
      r.put("ip", m.ip().orElse(""));
      r.put("labels", labelList(m.labels()));
      List<String> state = new ArrayList<>();
      row.once().ifPresent(x -> state.add("once " + x));
      row.staticProfile().ifPresent(x -> state.add("static " + x));
      r.put("state", String.join(", ", state));
      List<BootEvent> last = control.events(EventFilter.newest(1).withMac(Optional.of(m.mac())));
      r.put(
          "lastBoot",
          last.isEmpty()
              ? "never"
              : last.get(0).time().toString()
                  + " "
                  + last.get(0).match().name().toLowerCase(Locale.ROOT)
                  + last.get(0).profile().map(x -> " " + x).orElse(""));
      rows.add(r);
    }
    Map<String, Object> model = new HashMap<>();
    model.put("q", search);
    model.put("filtered", !search.isEmpty());
    model.put("total", result.total());
    model.put("page", p);
    model.put("pages", pages);
    model.put("rows", rows);
    String qs =
        search.isEmpty() ? "" : "q=" + URLEncoder.encode(search, StandardCharsets.UTF_8) + "&";
    model.put("prev", p > 1 ? "/machines?" + qs + "page=" + (p - 1) : "");
    model.put("next", p < pages ? "/machines?" + qs + "page=" + (p + 1) : "");
    return model;
  }

  /**
   * {@code GET /machines/{mac}}: a machine, what it boots now, actions and its boot timeline;
   * {@code POST /machines/{mac}/assign} (kind once|static, profile), {@code .../clear}, {@code
   * .../labels}.
   */
  Handler machine() {
    return handler(
        List.of("GET", "HEAD", "POST"),
        (req, resp, cb) -> {
          List<String> s = segments(req, "/machines/");
          if (s.isEmpty() || s.size() > 2) {
            throw ApiException.notFound("no such page");
          }
          String id = s.get(0);
          if ("POST".equals(req.getMethod())) {
            if (s.size() != 2) {
              throw ApiException.notFound("no such action");
            }
            Fields f = form(req);
            MachineDetail d = control.machine(id);
            String mac = d.machine().mac().colon();
            switch (s.get(1)) {
              case "assign" -> {
                String kind = Optional.ofNullable(f.getValue("kind")).orElse("");
                control.assign(
                    mac,
                    JsonViews.assignmentKind("kind", kind),
                    Optional.ofNullable(f.getValue("profile")).orElse(""));
              }
              case "clear" -> control.clearAssignments(mac, Optional.empty());
              case "labels" -> {
                Machine m = d.machine();
                control.putMachine(
                    new Machine(
                        m.mac(),
                        m.ip(),
                        m.uuid(),
                        m.serial(),
                        m.hostname(),
                        m.arch(),
                        m.platform(),
                        labels(f.getValue("labels"))),
                    Control.Expect.ANY);
              }
              default -> throw ApiException.notFound("no such action: " + s.get(1));
            }
            return redirect(resp, cb, "/machines/" + mac);
          }
          if (s.size() != 1) {
            throw ApiException.notFound("no such page");
          }
          MachineDetail d = control.machine(id);
          Machine m = d.machine();
          Map<String, Object> model = new HashMap<>();
          model.put("mac", m.mac().colon());
          model.put("macPath", m.mac().colon());
          model.put("ip", m.ip().orElse(""));
          model.put("hostname", m.hostname().orElse(""));
          model.put("uuid", m.uuid().orElse(""));
          model.put("serial", m.serial().orElse(""));
          model.put("arch", m.arch().map(a -> a.ipxeName()).orElse(""));
          model.put(
              "platform", m.platform().map(x -> x.name().toLowerCase(Locale.ROOT)).orElse(""));
          model.put("once", d.once().orElse("-"));
          model.put("staticProfile", d.staticProfile().orElse("-"));
          Preview p = control.preview(m.mac().colon(), Optional.of(bootBaseUrl.apply(req)));
          model.put("previewMatch", p.match().name().toLowerCase(Locale.ROOT));
          model.put("previewReason", p.reason());
          model.put("previewScript", p.script());
          model.put("profiles", control.profiles().stream().map(Profile::name).toList());
          model.put("labelText", labelText(m.labels()));
          EventFilter filter = EventFilter.newest(EVENTS_SHOWN).withMac(Optional.of(m.mac()));
          Optional<Long> before = optionalId(Requests.query(req).getValue("before"), "before");
          if (before.isPresent()) {
            filter = filter.withBefore(before.get());
          }
          List<BootEvent> events = control.events(filter);
          eventsModel(model, events, Optional.of(m.mac()), before.isEmpty());
          model.put(
              "older",
              events.size() == EVENTS_SHOWN
                  ? "/machines/" + m.mac().colon() + "?before=" + events.get(0).id()
                  : "");
          return page(req, resp, cb, 200, "machine", "Machine " + m.mac().colon(), model);
        });
  }

  // ------------------------------------------------------------------ events

  /** {@code GET /events?mac=}: the newest events, then new ones live. */
  Handler events() {
    return handler(
        Methods.GET_HEAD,
        (req, resp, cb) -> {
          String mac = Optional.ofNullable(Requests.query(req).getValue("mac")).orElse("").strip();
          Optional<MacAddress> m =
              mac.isEmpty() ? Optional.empty() : Optional.of(JsonViews.mac("mac", mac));
          Map<String, Object> model = new HashMap<>();
          model.put("macFilter", mac);
          eventsModel(model, control.events(EventFilter.newest(EVENTS_SHOWN).withMac(m)), m, true);
          return page(req, resp, cb, 200, "events", "Boot events", model);
        });
  }

  /**
   * The rows of an events table and the URL of its live stream (which continues after the newest
   * shown; none when {@code live} is false).
   */
  private void eventsModel(
      Map<String, Object> model, List<BootEvent> events, Optional<MacAddress> mac, boolean live) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (BootEvent e : events) {
      rows.add(eventRow(JsonViews.event(e)));
    }
    model.put("events", rows);
    long after =
        events.isEmpty()
            ? control.events(EventFilter.newest(1)).stream()
                .mapToLong(BootEvent::id)
                .max()
                .orElse(0)
            : events.get(events.size() - 1).id();
    model.put(
        "stream",
        live
            ? EventStream.PATH + "?after=" + after + mac.map(x -> "&mac=" + x.colon()).orElse("")
            : "");
  }

  /** The columns of the events table from an event's JSON view; other fields go to "details". */
  static final List<String> EVENT_COLUMNS =
      List.of("id", "time", "mac", "protocol", "match", "profile", "reason");

  static Map<String, Object> eventRow(Map<String, Object> json) {
    Map<String, Object> r = new HashMap<>();
    for (String c : EVENT_COLUMNS) {
      Object v = json.get(c);
      r.put(c, v == null ? "" : v.toString());
    }
    List<String> details = new ArrayList<>();
    json.forEach(
        (k, v) -> {
          if (!EVENT_COLUMNS.contains(k)
              && v != null
              && !Boolean.FALSE.equals(v)
              && !"".equals(v)) {
            details.add(k + "=" + (v instanceof String ? v : Json.write(v)));
          }
        });
    r.put("details", String.join(" ", details));
    return r;
  }

  // ------------------------------------------------------------------ profiles

  /** {@code GET /profiles}: the list and a new-profile form; {@code POST /profiles}: saves one. */
  Handler profiles() {
    return handler(
        List.of("GET", "HEAD", "POST"),
        (req, resp, cb) -> {
          if ("POST".equals(req.getMethod())) {
            Fields f = form(req);
            Profile p = profileFrom(f);
            String existing = Optional.ofNullable(f.getValue("existing")).orElse("");
            control.putProfile(
                p, existing.equals(p.name()) ? Control.Expect.ANY : Control.Expect.CREATE);
            return redirect(resp, cb, "/profiles/" + p.name());
          }
          Map<String, Object> model = profileForm(Optional.empty());
          List<Map<String, Object>> list = new ArrayList<>();
          for (Profile p : control.profiles()) {
            list.add(Map.of("name", p.name(), "kind", JsonViews.kind(p)));
          }
          model.put("profiles", list);
          return page(req, resp, cb, 200, "profiles", "Profiles", model);
        });
  }

  /** {@code GET /profiles/{name}}: its edit form; {@code POST /profiles/{name}/delete}. */
  Handler profile() {
    return handler(
        List.of("GET", "HEAD", "POST"),
        (req, resp, cb) -> {
          List<String> s = segments(req, "/profiles/");
          if ("POST".equals(req.getMethod())) {
            if (s.size() != 2 || !s.get(1).equals("delete")) {
              throw ApiException.notFound("no such action");
            }
            control.deleteProfile(s.get(0), Control.Expect.ANY);
            return redirect(resp, cb, "/profiles");
          }
          if (s.size() != 1) {
            throw ApiException.notFound("no such page");
          }
          Profile p = control.profile(s.get(0));
          return page(
              req, resp, cb, 200, "profile", "Profile " + p.name(), profileForm(Optional.of(p)));
        });
  }

  private Map<String, Object> profileForm(Optional<Profile> p) {
    Map<String, Object> m = new HashMap<>();
    m.put("existing", p.map(Profile::name).orElse(""));
    m.put("name", p.map(Profile::name).orElse(""));
    String kind = p.map(JsonViews::kind).orElse("kernel");
    List<Map<String, Object>> kinds = new ArrayList<>();
    for (String k : List.of("kernel", "chain", "script", "local-disk", "menu")) {
      kinds.add(Map.of("value", k, "selected", k.equals(kind)));
    }
    m.put("kinds", kinds);
    m.put("kernel", p.flatMap(Profile::kernel).orElse(""));
    m.put("initrds", String.join("\n", p.map(Profile::initrds).orElse(List.of())));
    m.put("cmdline", p.flatMap(Profile::cmdline).orElse(""));
    m.put("chain", p.flatMap(Profile::chainUrl).orElse(""));
    m.put("script", p.flatMap(Profile::script).orElse(""));
    m.put("menu", String.join("\n", p.map(Profile::menu).orElse(List.of())));
    m.put(
        "machines",
        control.machinePage(new MachineQuery("", 0, 500)).machines().stream()
            .map(x -> x.mac().colon())
            .toList());
    return m;
  }

  /** A profile from the editor's fields, validated as the API validates its JSON. */
  static Profile profileFrom(Fields f) {
    String kind = Optional.ofNullable(f.getValue("kind")).orElse("");
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("name", Optional.ofNullable(f.getValue("name")).orElse("").strip());
    o.put("kind", kind);
    List<String> fields =
        switch (kind) {
          case "kernel" -> List.of("kernel", "initrds", "cmdline");
          case "chain" -> List.of("chain");
          case "script" -> List.of("script");
          case "menu" -> List.of("menu");
          default -> List.of();
        };
    for (String name : fields) {
      String v = Optional.ofNullable(f.getValue(name)).orElse("");
      if (name.equals("initrds") || name.equals("menu")) {
        o.put(name, v.lines().map(String::strip).filter(x -> !x.isEmpty()).toList());
      } else if (name.equals("script")) {
        if (!v.isBlank()) {
          o.put(name, v.replace("\r\n", "\n"));
        }
      } else if (!v.isBlank()) {
        o.put(name, v.strip());
      }
    }
    return JsonViews.profileFrom(Json.parse(Json.write(o)), Optional.empty());
  }

  /**
   * {@code POST /ui/preview} (the editor's fields and {@code preview_machine}): the iPXE script the
   * profile being edited renders for that machine, as {@code text/plain}; nothing is saved.
   */
  Handler preview() {
    return new Handler.Abstract() {
      @Override
      public boolean handle(Request req, Response resp, Callback cb) {
        if (!Methods.allowed(req, resp, cb, List.of("POST"))) {
          return true;
        }
        try {
          Fields f = form(req);
          Profile p = profileFrom(f);
          String id = Optional.ofNullable(f.getValue("preview_machine")).orElse("").strip();
          Machine m = id.isEmpty() ? null : control.machine(id).machine();
          String script =
              renderer.render(
                  p,
                  m,
                  bootBaseUrl.apply(req),
                  "preview",
                  name -> {
                    try {
                      return Optional.of(control.profile(name));
                    } catch (ApiException e) {
                      return Optional.empty();
                    }
                  });
          return Responses.text(req, resp, cb, 200, script);
        } catch (ApiException e) {
          return Responses.text(
              req,
              resp,
              cb,
              e.status(),
              "cannot preview: " + e.field().map(x -> x + ": ").orElse("") + e.getMessage() + "\n");
        } catch (ScriptRenderer.RenderException | IllegalArgumentException e) {
          return Responses.text(req, resp, cb, 400, "cannot preview: " + e.getMessage() + "\n");
        }
      }
    };
  }

  // ------------------------------------------------------------------ groups and the default

  /** {@code GET /groups}: groups and the default; {@code POST /groups}: adds or replaces one. */
  Handler groups() {
    return handler(
        List.of("GET", "HEAD", "POST"),
        (req, resp, cb) -> {
          if ("POST".equals(req.getMethod())) {
            Fields f = form(req);
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("name", Optional.ofNullable(f.getValue("name")).orElse("").strip());
            o.put("profile", Optional.ofNullable(f.getValue("profile")).orElse(""));
            o.put("labels", labels(f.getValue("labels")));
            String arch = Optional.ofNullable(f.getValue("arch")).orElse("").strip();
            if (!arch.isEmpty()) {
              o.put("arch", arch);
            }
            String prefix = Optional.ofNullable(f.getValue("mac_prefix")).orElse("").strip();
            if (!prefix.isEmpty()) {
              o.put("mac_prefix", prefix);
            }
            Group g = JsonViews.groupFrom(Json.parse(Json.write(o)), Optional.empty());
            control.putGroup(g, Control.Expect.ANY);
            return redirect(resp, cb, "/groups");
          }
          Map<String, Object> model = new HashMap<>();
          List<Map<String, Object>> groups = new ArrayList<>();
          for (Group g : control.groups()) {
            groups.add(Map.of("name", g.name(), "profile", g.profile(), "selector", g.selector()));
          }
          model.put("groups", groups);
          List<String> names = control.profiles().stream().map(Profile::name).toList();
          model.put("profiles", names);
          Optional<String> current = control.defaultProfile();
          List<Map<String, Object>> defaults = new ArrayList<>();
          for (String n : names) {
            defaults.add(Map.of("name", n, "selected", current.equals(Optional.of(n))));
          }
          model.put("defaults", defaults);
          return page(req, resp, cb, 200, "groups", "Groups and the default", model);
        });
  }

  /** {@code POST /groups/{name}/delete}. */
  Handler group() {
    return handler(
        List.of("POST"),
        (req, resp, cb) -> {
          List<String> s = segments(req, "/groups/");
          if (s.size() != 2 || !s.get(1).equals("delete")) {
            throw ApiException.notFound("no such action");
          }
          control.deleteGroup(s.get(0), Control.Expect.ANY);
          return redirect(resp, cb, "/groups");
        });
  }

  /** {@code POST /default} (profile; empty for none). */
  Handler defaultProfile() {
    return handler(
        List.of("POST"),
        (req, resp, cb) -> {
          String p = Optional.ofNullable(form(req).getValue("profile")).orElse("").strip();
          control.setDefaultProfile(
              p.isEmpty() ? Optional.empty() : Optional.of(p), Control.Expect.ANY);
          return redirect(resp, cb, "/groups");
        });
  }

  // ------------------------------------------------------------------ Zero-OS kernels

  /**
   * {@code GET /zeroos}: the runmodes with the kernel each boots and a switch form each, the
   * kernels (delete the unused), an upload form.
   */
  Handler zeroOs() {
    return handler(
        Methods.GET_HEAD,
        (req, resp, cb) -> {
          List<dev.chainboot.compat.zeroos.ZeroOsKernels.Kernel> kernels = control.zeroOsKernels();
          List<Map<String, Object>> modes = new ArrayList<>();
          for (dev.chainboot.compat.zeroos.ZeroOsKernels.Runmode r : control.zeroOsRunmodes()) {
            Map<String, Object> m = new HashMap<>();
            m.put("runmode", r.runmode());
            m.put("pretty", r.pretty());
            m.put("kernel", r.kernel().orElse("-"));
            List<Map<String, Object>> choices = new ArrayList<>();
            for (dev.chainboot.compat.zeroos.ZeroOsKernels.Kernel k : kernels) {
              choices.add(
                  Map.of("name", k.name(), "selected", r.kernel().equals(Optional.of(k.name()))));
            }
            m.put("choices", choices);
            modes.add(m);
          }
          String base = bootBaseUrl.apply(req);
          List<Map<String, Object>> rows = new ArrayList<>();
          for (dev.chainboot.compat.zeroos.ZeroOsKernels.Kernel k : kernels) {
            Map<String, Object> m = new HashMap<>();
            m.put("name", k.name());
            m.put("href", base + "/kernel/" + k.name());
            m.put("size", k.size());
            m.put("modified", k.modified().toString());
            m.put("usedBy", String.join(", ", k.runmodes()));
            m.put("unused", k.runmodes().isEmpty());
            rows.add(m);
          }
          Map<String, Object> model = new HashMap<>();
          model.put("runmodes", modes);
          model.put("kernels", rows);
          String uploaded = Requests.query(req).getValue("uploaded");
          if (uploaded != null && kernels.stream().anyMatch(k -> k.name().equals(uploaded))) {
            model.put("notice", "Uploaded " + uploaded + ".");
          }
          return page(req, resp, cb, 200, "zeroos", "Zero-OS kernels", model);
        });
  }

  /**
   * {@code POST /zeroos/switch} (runmode, kernel); {@code POST /zeroos/upload?name=FILE} (the body
   * is the file, sent by the page's script with the CSRF header); {@code POST
   * /zeroos/kernels/{file}/delete}.
   */
  Handler zeroOsAction() {
    return handler(
        List.of("POST"),
        (req, resp, cb) -> {
          List<String> s = segments(req, "/zeroos/");
          if (s.equals(List.of("switch"))) {
            Fields f = form(req);
            control.switchZeroOsRunmode(
                Optional.ofNullable(f.getValue("runmode")).orElse(""),
                Optional.ofNullable(f.getValue("kernel")).orElse(""));
            return redirect(resp, cb, "/zeroos");
          }
          if (s.equals(List.of("upload"))) {
            String type =
                Optional.ofNullable(req.getHeaders().get(HttpHeader.CONTENT_TYPE)).orElse("");
            if (type.toLowerCase(Locale.ROOT).startsWith("multipart/")) {
              throw ApiException.invalid(
                  "file",
                  "send the kernel as the request body (the page's script does; without"
                      + " JavaScript use PUT /api/v1/zeroos/kernels/FILE)");
            }
            String name = Optional.ofNullable(Requests.query(req).getValue("name")).orElse("");
            try (InputStream in = org.eclipse.jetty.io.Content.Source.asInputStream(req)) {
              control.uploadZeroOsKernel(name, in, req.getLength());
            }
            return redirect(resp, cb, "/zeroos");
          }
          if (s.size() == 3 && s.get(0).equals("kernels") && s.get(2).equals("delete")) {
            control.deleteZeroOsKernel(s.get(1));
            return redirect(resp, cb, "/zeroos");
          }
          throw ApiException.notFound("no such action");
        });
  }

  // ------------------------------------------------------------------ media

  /**
   * {@code GET /ui/media/{machine-or-profile}.iso|.img|.esp}: boot media chaining to the boot
   * listener, built as {@code /media/} builds it (for x86_64).
   */
  Handler media() {
    return handler(
        Methods.GET_HEAD,
        (req, resp, cb) -> {
          List<String> s = segments(req, "/ui/media/");
          if (s.size() != 1) {
            throw ApiException.notFound("no such media");
          }
          String file = s.get(0);
          MediaFormat format = null;
          for (MediaFormat f : MediaFormat.values()) {
            if (file.endsWith("." + f.extension())) {
              format = f;
            }
          }
          if (format == null) {
            throw ApiException.notFound("media end in .iso, .img or .esp");
          }
          String name = file.substring(0, file.length() - format.extension().length() - 1);
          if (MacAddress.parse(name).isPresent()) {
            control.machine(name); // 404 if unknown
          } else {
            control.profile(name);
          }
          byte[] script = MediaEndpoints.script(bootBaseUrl.apply(req), name);
          byte[] image =
              control.media(
                  new MediaOrder(
                      format,
                      Optional.empty(),
                      Optional.of(new String(script, StandardCharsets.UTF_8)),
                      "x86_64",
                      MediaSpec.DEFAULT_LABEL));
          resp.getHeaders()
              .put(
                  "Content-Disposition",
                  "attachment; filename=\""
                      + name.replace(':', '-')
                      + "."
                      + format.extension()
                      + "\"");
          return Responses.bytes(req, resp, cb, 200, format.contentType(), image);
        });
  }

  // ------------------------------------------------------------------ static files

  /** {@code GET /ui/static/app.js|app.css}: the UI's own script and style, from the jar. */
  Handler staticFiles() {
    Map<String, byte[]> files = new HashMap<>();
    for (String f : List.of("app.js", "app.css")) {
      try (InputStream in = UiPages.class.getResourceAsStream("/ui/static/" + f)) {
        if (in == null) {
          throw new IllegalStateException("missing /ui/static/" + f);
        }
        files.put(f, in.readAllBytes());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return handler(
        Methods.GET_HEAD,
        (req, resp, cb) -> {
          String name = Request.getPathInContext(req).substring("/ui/static/".length());
          byte[] b = files.get(name);
          if (b == null) {
            throw ApiException.notFound("no such file");
          }
          resp.getHeaders().put(HttpHeader.CACHE_CONTROL, "private, max-age=300");
          return Responses.bytes(
              req,
              resp,
              cb,
              200,
              name.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8",
              b);
        });
  }

  // ------------------------------------------------------------------ helpers

  private boolean page(
      Request req,
      Response resp,
      Callback cb,
      int status,
      String template,
      String title,
      Map<String, Object> model) {
    Principal who = Guard.principal(req).orElseThrow();
    Map<String, Object> m = new HashMap<>(model);
    m.put("title", title);
    m.put("csrf", Guard.csrfToken(req).orElse(""));
    m.put("user", who.name());
    m.put("role", who.role().id());
    m.putIfAbsent("notice", "");
    String html = templates.get(template).execute(m);
    return Responses.bytes(req, resp, cb, status, Html.TYPE, html.getBytes(StandardCharsets.UTF_8));
  }

  private boolean error(Request req, Response resp, Callback cb, int status, String message) {
    Guard.discardBody(req, resp);
    if (Guard.principal(req).isEmpty()) {
      return Responses.text(req, resp, cb, status, message + "\n");
    }
    String path = Request.getPathInContext(req);
    String back = path.startsWith("/machines/") ? path.replaceAll("/[^/]+$", "") : path;
    return page(
        req,
        resp,
        cb,
        status,
        "error",
        "Error " + status,
        Map.of("message", message, "back", LoginEndpoints.localPath(back)));
  }

  private static boolean redirect(Response resp, Callback cb, String location) {
    resp.setStatus(303);
    resp.getHeaders().put(HttpHeader.LOCATION, location);
    cb.succeeded();
    return true;
  }

  private static Fields form(Request req) {
    Fields f = Forms.fields(req);
    if (f == null) {
      throw ApiException.invalid("form", "send the form as " + Forms.URLENCODED);
    }
    return f;
  }

  /** The decoded path segments after {@code prefix}. */
  private static List<String> segments(Request req, String prefix) {
    String rest =
        Requests.pathAfter(req, prefix).orElseThrow(() -> ApiException.notFound("malformed path"));
    List<String> out = new ArrayList<>();
    for (String s : rest.split("/", -1)) {
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
    return out;
  }

  /** Labels from "name=value" lines; a line without '=' is a 400 naming it. */
  static Map<String, String> labels(String text) {
    Map<String, String> out = new TreeMap<>();
    if (text == null) {
      return out;
    }
    for (String line : text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList()) {
      int eq = line.indexOf('=');
      if (eq <= 0) {
        throw ApiException.invalid("labels", "a label is name=value, not: " + line);
      }
      String k = line.substring(0, eq).strip();
      if (!k.matches("[A-Za-z0-9._-]{1,64}")) {
        throw ApiException.invalid(
            "labels", "label name must be 1-64 letters, digits, '.', '_' or '-': " + k);
      }
      out.put(k, line.substring(eq + 1).strip());
    }
    return out;
  }

  private static List<String> labelList(Map<String, String> labels) {
    return new TreeMap<>(labels)
        .entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
  }

  private static String labelText(Map<String, String> labels) {
    return String.join("\n", labelList(labels));
  }

  private static int positive(String s, String field) {
    if (s == null || s.isBlank()) {
      return 1;
    }
    try {
      int n = Integer.parseInt(s.strip());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw ApiException.invalid(field, field + " must be a positive number, not " + s);
  }

  private static Optional<Long> optionalId(String s, String field) {
    if (s == null || s.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Long.parseLong(s.strip()));
    } catch (NumberFormatException e) {
      throw ApiException.invalid(field, field + " must be an event id, not " + s);
    }
  }
}
