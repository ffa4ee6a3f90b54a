package dev.chainboot.http;

import dev.chainboot.api.ApiException;
import dev.chainboot.api.Control;
import dev.chainboot.api.Etags;
import dev.chainboot.api.ImportViews;
import dev.chainboot.api.Json;
import dev.chainboot.api.JsonViews;
import dev.chainboot.api.LocalControl;
import dev.chainboot.api.MachineDetail;
import dev.chainboot.api.MediaOrder;
import dev.chainboot.auth.Principal;
import dev.chainboot.auth.Role;
import dev.chainboot.auth.Tokens;
import dev.chainboot.boot.Assignment;
import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.BootStore;
import dev.chainboot.boot.Group;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Machine;
import dev.chainboot.boot.Profile;
import dev.chainboot.compat.ImportReport;
import dev.chainboot.media.MediaCache;
import dev.chainboot.media.MediaFormat;
import dev.chainboot.store.EventFilter;
import dev.chainboot.store.MachinePage;
import dev.chainboot.store.MachineQuery;
import dev.chainboot.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The REST API v1 ({@code /api/v1/...} on the admin listener; the routes and roles are in {@link
 * Routes#admin}, the contract in {@code openapi.json}). Each endpoint parses the request, calls
 * {@link Control} (the same rules as the CLI) and answers JSON: 400 naming the field, 404, 409, 412
 * for a stale {@code If-Match}; {@code ETag} on every single resource.
 */
final class ApiEndpoints {

  private static final Logger log = LoggerFactory.getLogger(ApiEndpoints.class);

  static final String PREFIX = "/api/v1/";

  /** Most machines one page of {@code GET /api/v1/machines?limit=} holds. */
  static final int MAX_MACHINES_PAGE = 10_000;

  /** Largest request body: imports carry whole script directories. */
  static final int MAX_BODY = 32 << 20;

  private final LocalControl control;
  private final MediaCache media;
  private final Function<Request, String> bootBaseUrl;
  private final byte[] openapi;

  /**
   * @param bootBaseUrl the boot listener's URL for a request to the admin listener (what a
   *     preview's script links back to by default)
   */
  ApiEndpoints(
      LocalControl control,
      MediaCache media,
      Function<Request, String> bootBaseUrl,
      byte[] openapi) {
    this.control = control;
    this.media = media;
    this.bootBaseUrl = bootBaseUrl;
    this.openapi = openapi;
  }

  // ------------------------------------------------------------------ plumbing

  /** An endpoint's work; returns true when it answered. */
  interface Serve {
    boolean serve(Request req, Response resp, Callback cb) throws Exception;
  }

  /** An endpoint: {@code methods} only, errors as JSON. */
  static Handler endpoint(List<String> methods, Serve serve) {
    return new Handler.Abstract() {
      @Override
      public boolean handle(Request req, Response resp, Callback cb) {
        try {
          if (!methods.isEmpty() && !methods.contains(req.getMethod())) {
            Guard.discardBody(req, resp);
            return Methods.allowed(req, resp, cb, methods) || true;
          }
          return serve.serve(req, resp, cb);
        } catch (ApiException e) {
          Guard.discardBody(req, resp);
          return Responses.json(req, resp, cb, e.status(), JsonViews.error(e));
        } catch (IllegalArgumentException e) {
          return Responses.json(
              req, resp, cb, 400, JsonViews.error(ApiException.invalid(null, e.getMessage())));
        } catch (BootStore.UnavailableException e) {
          // the database went away between the token check and this endpoint's own query
          Guard.discardBody(req, resp);
          return Unavailable.status(req, resp, cb, e);
        } catch (StoreException e) {
          log.error("API {} {}: {}", req.getMethod(), req.getHttpURI().getPath(), e.toString());
          return Responses.json(
              req, resp, cb, 500, Map.of("error", "store error: " + e.getMessage()));
        } catch (Exception e) {
          log.error("API {} {} failed", req.getMethod(), req.getHttpURI().getPath(), e);
          return Responses.json(req, resp, cb, 500, Map.of("error", "internal error"));
        }
      }
    };
  }

  private static final List<String> GET = Methods.GET_HEAD;
  private static final List<String> GET_POST = List.of("GET", "HEAD", "POST");
  private static final List<String> ANY = List.of();

  private static boolean ok(Request req, Response resp, Callback cb, Object body) {
    return Responses.json(req, resp, cb, 200, body);
  }

  /** A single resource, with its ETag. */
  private static boolean resource(
      Request req, Response resp, Callback cb, int status, Map<String, Object> view) {
    resp.getHeaders().put(HttpHeader.ETAG, Etags.of(view));
    return Responses.json(req, resp, cb, status, view);
  }

  private static boolean created(
      Request req, Response resp, Callback cb, String location, Map<String, Object> view) {
    resp.getHeaders().put(HttpHeader.LOCATION, location);
    return resource(req, resp, cb, 201, view);
  }

  private static boolean noContent(Response resp, Callback cb) {
    resp.setStatus(204);
    cb.succeeded();
    return true;
  }

  /** The request's JSON body (at most {@link #MAX_BODY} bytes). */
  static JsonNode body(Request req) throws IOException {
    long declared = req.getLength();
    if (declared > MAX_BODY) {
      throw new ApiException(413, Optional.empty(), "body larger than " + MAX_BODY + " bytes");
    }
    byte[] b;
    try (InputStream in = Content.Source.asInputStream(req)) {
      b = in.readNBytes(MAX_BODY + 1);
    }
    if (b.length > MAX_BODY) {
      throw new ApiException(413, Optional.empty(), "body larger than " + MAX_BODY + " bytes");
    }
    if (b.length == 0) {
      throw ApiException.invalid(null, "a JSON body is required");
    }
    return Json.parse(new String(b, StandardCharsets.UTF_8));
  }

  /** The write's precondition from {@code If-Match} / {@code If-None-Match: *}. */
  private static Control.Expect expect(Request req) {
    String inm = req.getHeaders().get(HttpHeader.IF_NONE_MATCH);
    if ("*".equals(inm == null ? null : inm.strip())) {
      return Control.Expect.CREATE;
    }
    return Control.Expect.ifMatch(Optional.ofNullable(req.getHeaders().get(HttpHeader.IF_MATCH)));
  }

  /** The path's segments after {@code prefix}, percent-decoded; 404 when there are none. */
  private static List<String> segments(Request req, String prefix) {
    String rest =
        Requests.pathAfter(req, prefix)
            .orElseThrow(() -> ApiException.invalid(null, "malformed path"));
    if (rest.isEmpty() || rest.endsWith("/")) {
      throw ApiException.notFound("not found: " + req.getHttpURI().getPath());
    }
    return List.of(rest.split("/", -1));
  }

  private static ApiException notFound(Request req) {
    return ApiException.notFound("not found: " + req.getHttpURI().getPath());
  }

  private static void methods(Request req, List<String> allowed) {
    if (!allowed.contains(req.getMethod())) {
      throw new MethodNotAllowed(allowed);
    }
  }

  /** A method the sub-resource does not take: answered as 405 with {@code Allow}. */
  private static final class MethodNotAllowed extends RuntimeException {
    final List<String> allowed;

    MethodNotAllowed(List<String> allowed) {
      super(null, null, false, false);
      this.allowed = allowed;
    }
  }

  private static Handler subresources(Serve serve) {
    return endpoint(
        ANY,
        (req, resp, cb) -> {
          try {
            return serve.serve(req, resp, cb);
          } catch (MethodNotAllowed e) {
            Guard.discardBody(req, resp);
            return Methods.allowed(req, resp, cb, e.allowed) || true;
          }
        });
  }

  // ------------------------------------------------------------------ who, openapi

  Handler whoami() {
    return endpoint(
        GET,
        (req, resp, cb) -> {
          Principal p = Guard.principal(req).orElseThrow();
          Map<String, Object> o = new LinkedHashMap<>();
          o.put("name", p.name());
          o.put("role", p.role().id());
          o.put("via", p.via().name().toLowerCase(Locale.ROOT));
          return ok(req, resp, cb, o);
        });
  }

  Handler openapi() {
    return endpoint(
        GET, (req, resp, cb) -> Responses.bytes(req, resp, cb, 200, "application/json", openapi));
  }

  /** Any other path under {@code /api/}. */
  Handler unknown() {
    return endpoint(
        ANY,
        (req, resp, cb) -> {
          throw notFound(req);
        });
  }

  // ------------------------------------------------------------------ machines

  Handler machines() {
    return endpoint(
        GET_POST,
        (req, resp, cb) -> {
          if (!"POST".equals(req.getMethod())) {
            Fields q = Requests.query(req);
            long limit = longParam(q, "limit").orElse(Integer.MAX_VALUE);
            if (q.getValue("limit") != null && (limit < 1 || limit > MAX_MACHINES_PAGE)) {
              throw ApiException.invalid("limit", "limit must be 1-" + MAX_MACHINES_PAGE);
            }
            long offset = longParam(q, "offset").orElse(0);
            if (offset > Integer.MAX_VALUE) {
              throw ApiException.invalid("offset", "offset too large");
            }
            String search = Optional.ofNullable(q.getValue("q")).orElse("");
            MachinePage page =
                control.machinePage(new MachineQuery(search, (int) offset, (int) limit));
            resp.getHeaders().put("X-Total-Count", Integer.toString(page.total()));
            if (offset + page.rows().size() < page.total() && !page.rows().isEmpty()) {
              resp.getHeaders()
                  .put(
                      "Link",
                      "<"
                          + PREFIX
                          + "machines?"
                          + (search.isEmpty()
                              ? ""
                              : "q=" + URLEncoder.encode(search, StandardCharsets.UTF_8) + "&")
                          + "limit="
                          + limit
                          + "&offset="
                          + (offset + page.rows().size())
                          + ">; rel=\"next\"");
            }
            return ok(req, resp, cb, page.machines().stream().map(JsonViews::machine).toList());
          }
          Machine m = JsonViews.machineFrom(body(req), Optional.empty());
          control.putMachine(m, Control.Expect.CREATE);
          return created(
              req,
              resp,
              cb,
              PREFIX + "machines/" + m.mac(),
              JsonViews.machineDetail(control.machine(m.mac().colon())));
        });
  }

  /** {@code /api/v1/machines/{id}[/assignments[/once|static]|/preview]}. */
  Handler machine() {
    return subresources(
        (req, resp, cb) -> {
          List<String> s = segments(req, PREFIX + "machines/");
          String id = s.get(0);
          if (s.size() == 1) {
            return machineItself(req, resp, cb, id);
          }
          if (s.size() == 2 && s.get(1).equals("preview")) {
            methods(req, GET);
            Optional<String> base =
                Optional.ofNullable(Requests.query(req).getValue("base_url"))
                    .or(() -> Optional.of(bootBaseUrl.apply(req)));
            return ok(req, resp, cb, JsonViews.preview(control.preview(id, base)));
          }
          if (s.size() == 2 && s.get(1).equals("assignments")) {
            methods(req, List.of("DELETE"));
            int n =
                control.clearAssignments(
                    id, Optional.ofNullable(Requests.query(req).getValue("profile")));
            return ok(req, resp, cb, Map.of("cleared", n));
          }
          if (s.size() == 3 && s.get(1).equals("assignments")) {
            Assignment.Kind kind = kind(req, s.get(2));
            methods(req, List.of("PUT"));
            MachineDetail d;
            if (kind == Assignment.Kind.ONCE) {
              JsonViews.OnceRequest once = JsonViews.onceRequestFrom(body(req));
              d =
                  once.maxBoots() > 0
                      ? control.holdOnce(id, once.profile(), once.maxBoots())
                      : control.assign(id, kind, once.profile());
            } else {
              String profile =
                  JsonViews.profileRefFrom(body(req))
                      .orElseThrow(() -> ApiException.invalid("profile", "profile is required"));
              d = control.assign(id, kind, profile);
            }
            return resource(req, resp, cb, 200, JsonViews.machineDetail(d));
          }
          throw notFound(req);
        });
  }

  private static Assignment.Kind kind(Request req, String s) {
    return switch (s) {
      case "once" -> Assignment.Kind.ONCE;
      case "static" -> Assignment.Kind.STATIC;
      default -> throw notFound(req);
    };
  }

  private boolean machineItself(Request req, Response resp, Callback cb, String id)
      throws IOException {
    switch (req.getMethod()) {
      case "GET", "HEAD" -> {
        return resource(req, resp, cb, 200, JsonViews.machineDetail(control.machine(id)));
      }
      case "PUT", "PATCH" -> {
        MacAddress mac = JsonViews.mac("mac", id);
        JsonNode json = body(req);
        Control.Expect expect = expect(req);
        if ("PATCH".equals(req.getMethod())) {
          ObjectNode current =
              (ObjectNode) Json.parse(Json.write(JsonViews.machineDetail(control.machine(id))));
          json = mergePatch(current, json);
          if (expect.ifMatch().isEmpty()) {
            // A patch is applied to what was read just now: nobody may come between.
            expect =
                Control.Expect.ifMatch(
                    Optional.of(Etags.of(JsonViews.machineDetail(control.machine(id)))));
          }
        }
        boolean added = control.putMachine(JsonViews.machineFrom(json, Optional.of(mac)), expect);
        Map<String, Object> view = JsonViews.machineDetail(control.machine(mac.colon()));
        if (added) {
          return created(req, resp, cb, PREFIX + "machines/" + mac, view);
        }
        return resource(req, resp, cb, 200, view);
      }
      case "DELETE" -> {
        control.deleteMachine(id, expect(req));
        return noContent(resp, cb);
      }
      default -> throw new MethodNotAllowed(List.of("GET", "HEAD", "PUT", "PATCH", "DELETE"));
    }
  }

  /** RFC 7396: objects merge key by key, null removes, anything else replaces. */
  static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch;
    }
    ObjectNode out =
        target != null && target.isObject()
            ? (ObjectNode) target.deepCopy()
            : (ObjectNode) Json.parse("{}");
    for (Map.Entry<String, JsonNode> e : patch.properties()) {
      if (e.getValue().isNull()) {
        out.remove(e.getKey());
      } else {
        out.set(e.getKey(), mergePatch(out.get(e.getKey()), e.getValue()));
      }
    }
    return out;
  }

  Handler assignments() {
    return endpoint(
        GET,
        (req, resp, cb) ->
            ok(req, resp, cb, control.assignments().stream().map(JsonViews::assignment).toList()));
  }

  Handler defaultProfile() {
    return endpoint(
        List.of("GET", "HEAD", "PUT", "DELETE"),
        (req, resp, cb) -> {
          switch (req.getMethod()) {
            case "PUT" ->
                control.setDefaultProfile(JsonViews.profileRefFrom(body(req)), expect(req));
            case "DELETE" -> {
              control.setDefaultProfile(Optional.empty(), expect(req));
              return noContent(resp, cb);
            }
            default -> {}
          }
          return resource(req, resp, cb, 200, JsonViews.profileRef(control.defaultProfile()));
        });
  }

  // ------------------------------------------------------------------ profiles, groups

  Handler profiles() {
    return endpoint(
        GET_POST,
        (req, resp, cb) -> {
          if (!"POST".equals(req.getMethod())) {
            return ok(req, resp, cb, control.profiles().stream().map(JsonViews::profile).toList());
          }
          Profile p = JsonViews.profileFrom(body(req), Optional.empty());
          control.putProfile(p, Control.Expect.CREATE);
          return created(
              req,
              resp,
              cb,
              PREFIX + "profiles/" + p.name(),
              JsonViews.profile(control.profile(p.name())));
        });
  }

  Handler profile() {
    return subresources(
        (req, resp, cb) -> {
          List<String> s = segments(req, PREFIX + "profiles/");
          if (s.size() != 1) {
            throw notFound(req);
          }
          String name = s.get(0);
          switch (req.getMethod()) {
            case "GET", "HEAD" -> {
              return resource(req, resp, cb, 200, JsonViews.profile(control.profile(name)));
            }
            case "PUT" -> {
              Profile p = JsonViews.profileFrom(body(req), Optional.of(name));
              boolean added = control.putProfile(p, expect(req));
              Map<String, Object> view = JsonViews.profile(control.profile(name));
              return added
                  ? created(req, resp, cb, PREFIX + "profiles/" + name, view)
                  : resource(req, resp, cb, 200, view);
            }
            case "DELETE" -> {
              control.deleteProfile(name, expect(req));
              return noContent(resp, cb);
            }
            default -> throw new MethodNotAllowed(List.of("GET", "HEAD", "PUT", "DELETE"));
          }
        });
  }

  Handler groups() {
    return endpoint(
        GET_POST,
        (req, resp, cb) -> {
          if (!"POST".equals(req.getMethod())) {
            return ok(req, resp, cb, control.groups().stream().map(JsonViews::group).toList());
          }
          Group g = JsonViews.groupFrom(body(req), Optional.empty());
          control.putGroup(g, Control.Expect.CREATE);
          return created(
              req,
              resp,
              cb,
              PREFIX + "groups/" + g.name(),
              JsonViews.group(control.group(g.name())));
        });
  }

  Handler group() {
    return subresources(
        (req, resp, cb) -> {
          List<String> s = segments(req, PREFIX + "groups/");
          if (s.size() != 1) {
            throw notFound(req);
          }
          String name = s.get(0);
          switch (req.getMethod()) {
            case "GET", "HEAD" -> {
              return resource(req, resp, cb, 200, JsonViews.group(control.group(name)));
            }
            case "PUT" -> {
              Group g = JsonViews.groupFrom(body(req), Optional.of(name));
              boolean added = control.putGroup(g, expect(req));
              Map<String, Object> view = JsonViews.group(control.group(name));
              return added
                  ? created(req, resp, cb, PREFIX + "groups/" + name, view)
                  : resource(req, resp, cb, 200, view);
            }
            case "DELETE" -> {
              control.deleteGroup(name, expect(req));
              return noContent(resp, cb);
            }
            default -> throw new MethodNotAllowed(List.of("GET", "HEAD", "PUT", "DELETE"));
          }
        });
  }

  // ------------------------------------------------------------------ events

  /**
   * {@code GET /api/v1/events?machine=&profile=&match=&since=&until=&after=&before=&limit=}: a page
   * of events, oldest first, with links to the next (newer) and previous (older) page.
   */
  Handler events() {
    return endpoint(
        GET,
        (req, resp, cb) -> {
          Fields q = Requests.query(req);
          EventFilter f = eventFilter(q);
          List<BootEvent> list = control.events(f);
          Map<String, Object> o = new LinkedHashMap<>();
          o.put("events", list.stream().map(JsonViews::event).toList());
          // Newer events come after the last one shown (or, with none, after where the page
          // started): following "next" until it is empty, then polling it, reads every new event.
          long next =
              !list.isEmpty()
                  ? list.getLast().id()
                  : f.after().orElse(Math.max(0, f.before().orElse(1) - 1));
          o.put("next", eventsLink(q, "after", next));
          o.put("previous", list.isEmpty() ? null : eventsLink(q, "before", list.getFirst().id()));
          return ok(req, resp, cb, o);
        });
  }

  private EventFilter eventFilter(Fields q) {
    Optional<MacAddress> mac =
        Optional.ofNullable(q.getValue("machine"))
            .map(
                m ->
                    MacAddress.parse(m)
                        .orElseGet(
                            () -> {
                              if (!JsonViews.isIp(m)) {
                                throw ApiException.invalid(
                                    "machine", "machine must be a MAC or IP address: " + m);
                              }
                              return control.machine(m).machine().mac();
                            }));
    Optional<String> profile = Optional.ofNullable(q.getValue("profile"));
    Optional<BootEvent.Match> match =
        Optional.ofNullable(q.getValue("match")).map(m -> JsonViews.match("match", m));
    Optional<java.time.Instant> since =
        Optional.ofNullable(q.getValue("since")).map(s -> JsonViews.instant("since", s));
    Optional<java.time.Instant> until =
        Optional.ofNullable(q.getValue("until")).map(s -> JsonViews.instant("until", s));
    OptionalLong after = longParam(q, "after");
    OptionalLong before = longParam(q, "before");
    if (after.isPresent() && before.isPresent()) {
      throw ApiException.invalid("before", "give after or before, not both");
    }
    long limit = longParam(q, "limit").orElse(100);
    if (limit < 1 || limit > EventFilter.MAX_LIMIT) {
      throw ApiException.invalid("limit", "limit must be 1-" + EventFilter.MAX_LIMIT);
    }
    return new EventFilter(mac, profile, match, since, until, after, before, (int) limit);
  }

  private static OptionalLong longParam(Fields q, String name) {
    String v = q.getValue(name);
    if (v == null) {
      return OptionalLong.empty();
    }
    try {
      long n = Long.parseLong(v);
      if (n < 0) {
        throw ApiException.invalid(name, name + " must not be negative");
      }
      return OptionalLong.of(n);
    } catch (NumberFormatException e) {
      throw ApiException.invalid(name, name + " must be a number");
    }
  }

  /** The same query with {@code key=id} instead of after/before. */
  private static String eventsLink(Fields q, String key, long id) {
    StringBuilder b = new StringBuilder(PREFIX + "events?");
    for (Fields.Field f : q) {
      if (f.getName().equals("after") || f.getName().equals("before")) {
        continue;
      }
      for (String v : f.getValues()) {
        b.append(URLEncoder.encode(f.getName(), StandardCharsets.UTF_8))
            .append('=')
            .append(URLEncoder.encode(v, StandardCharsets.UTF_8))
            .append('&');
      }
    }
    return b.append(key).append('=').append(id).toString();
  }

  // ------------------------------------------------------------------ media

  /** {@code POST /api/v1/media}: builds an image, keeps it for download. */
  Handler mediaBuild() {
    return endpoint(
        List.of("POST"),
        (req, resp, cb) -> {
          MediaOrder order = MediaOrder.from(body(req));
          byte[] image = control.media(order);
          String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(image));
          String id = sha + "." + order.format().extension();
          media.get(id, () -> image);
          Map<String, Object> o = new LinkedHashMap<>();
          o.put("id", id);
          o.put("format", order.format().extension());
          o.put("size", image.length);
          o.put("sha256", sha);
          o.put("href", PREFIX + "media/" + id);
          return created(req, resp, cb, PREFIX + "media/" + id, o);
        });
  }

  /** {@code GET /api/v1/media/{sha256}.{iso|img|esp}}: an image built before. */
  Handler mediaDownload() {
    return endpoint(
        GET,
        (req, resp, cb) -> {
          List<String> s = segments(req, PREFIX + "media/");
          if (s.size() != 1) {
            throw notFound(req);
          }
          String id = s.get(0);
          Optional<byte[]> image = media.find(id);
          if (image.isEmpty()) {
            throw ApiException.notFound(
                "no media " + id + " here (built on another server, or evicted): POST it again");
          }
          MediaFormat format =
              java.util.Arrays.stream(MediaFormat.values())
                  .filter(f -> id.endsWith("." + f.extension()))
                  .findFirst()
                  .orElseThrow(() -> notFound(req));
          resp.getHeaders().put(HttpHeader.ETAG, "\"" + id + "\"");
          resp.getHeaders()
              .put(
                  "Content-Disposition",
                  "attachment; filename=\"" + format.defaultFileName() + "\"");
          resp.getHeaders().put(HttpHeader.CACHE_CONTROL, "private, max-age=3600, immutable");
          return Responses.bytes(req, resp, cb, 200, format.contentType(), image.get());
        });
  }

  // ------------------------------------------------------------------ imports

  /** {@code POST /api/v1/imports/{pxesrv|pixie|zeroos}?dry_run=true}. */
  Handler imports() {
    return endpoint(
        List.of("POST"),
        (req, resp, cb) -> {
          List<String> s = segments(req, PREFIX + "imports/");
          String dry = Requests.query(req).getValue("dry_run");
          if (dry != null && !dry.equals("true") && !dry.equals("false")) {
            throw ApiException.invalid("dry_run", "dry_run must be true or false");
          }
          boolean dryRun = "true".equals(dry);
          if (s.size() != 1) {
            throw notFound(req);
          }
          ImportReport r =
              switch (s.get(0)) {
                case "pxesrv" -> control.importPxeSrv(ImportViews.pxesrvFrom(body(req)), dryRun);
                case "pixie" -> control.importPixie(ImportViews.pixieFrom(body(req)), dryRun);
                case "zeroos" -> control.importZeroOs(ImportViews.zeroosFrom(body(req)), dryRun);
                default -> throw notFound(req);
              };
          return ok(req, resp, cb, JsonViews.importReport(r));
        });
  }

  // ------------------------------------------------------------------ Zero-OS kernels

  /** {@code GET /api/v1/zeroos/kernels}: the kernels, each with the runmodes booting it. */
  Handler zeroOsKernels() {
    return endpoint(
        GET,
        (req, resp, cb) ->
            ok(
                req,
                resp,
                cb,
                control.zeroOsKernels().stream().map(JsonViews::zeroOsKernel).toList()));
  }

  /**
   * {@code /api/v1/zeroos/kernels/{file}}: GET one; PUT uploads it (the body is the file, streamed
   * to disk); DELETE removes one no runmode boots.
   */
  Handler zeroOsKernel() {
    return subresources(
        (req, resp, cb) -> {
          List<String> s = segments(req, PREFIX + "zeroos/kernels/");
          if (s.size() != 1) {
            throw notFound(req);
          }
          String name = s.get(0);
          switch (req.getMethod()) {
            case "GET", "HEAD" -> {
              return ok(
                  req,
                  resp,
                  cb,
                  JsonViews.zeroOsKernel(
                      control.zeroOsKernels().stream()
                          .filter(k -> k.name().equals(name))
                          .findFirst()
                          .orElseThrow(
                              () -> {
                                dev.chainboot.compat.zeroos.ZeroOsKernels.checkName(name);
                                return ApiException.notFound("no kernel " + name);
                              })));
            }
            case "PUT" -> {
              return uploaded(req, resp, cb, name);
            }
            case "DELETE" -> {
              control.deleteZeroOsKernel(name);
              return noContent(resp, cb);
            }
            default -> throw new MethodNotAllowed(List.of("GET", "HEAD", "PUT", "DELETE"));
          }
        });
  }

  /** Streams the request's body into the kernel {@code name}; 201 with the kernel and sha256. */
  private boolean uploaded(Request req, Response resp, Callback cb, String name)
      throws IOException {
    dev.chainboot.compat.zeroos.ZeroOsKernels.Uploaded u;
    try (InputStream in = Content.Source.asInputStream(req)) {
      u = control.uploadZeroOsKernel(name, in, req.getLength());
    }
    Map<String, Object> o = JsonViews.zeroOsKernel(u.kernel());
    o.put("sha256", u.sha256());
    resp.getHeaders().put(HttpHeader.LOCATION, PREFIX + "zeroos/kernels/" + name);
    return Responses.json(req, resp, cb, 201, o);
  }

  /** {@code GET /api/v1/zeroos/runmodes}: the runmodes and the kernel each boots. */
  Handler zeroOsRunmodes() {
    return endpoint(
        GET,
        (req, resp, cb) ->
            ok(
                req,
                resp,
                cb,
                control.zeroOsRunmodes().stream().map(JsonViews::zeroOsRunmode).toList()));
  }

  /** {@code /api/v1/zeroos/runmodes/{runmode}}: GET; PUT {"kernel": FILE} switches it. */
  Handler zeroOsRunmode() {
    return subresources(
        (req, resp, cb) -> {
          List<String> s = segments(req, PREFIX + "zeroos/runmodes/");
          if (s.size() != 1) {
            throw notFound(req);
          }
          String runmode = s.get(0);
          switch (req.getMethod()) {
            case "GET", "HEAD" -> {
              return ok(req, resp, cb, JsonViews.zeroOsRunmode(runmode(runmode)));
            }
            case "PUT" -> {
              JsonNode json = body(req);
              String kernel = kernelField(json);
              return ok(
                  req,
                  resp,
                  cb,
                  JsonViews.zeroOsRunmode(control.switchZeroOsRunmode(runmode, kernel)));
            }
            default -> throw new MethodNotAllowed(List.of("GET", "HEAD", "PUT"));
          }
        });
  }

  private dev.chainboot.compat.zeroos.ZeroOsKernels.Runmode runmode(String runmode) {
    return control.zeroOsRunmodes().stream()
        .filter(r -> r.runmode().equals(runmode))
        .findFirst()
        .orElseThrow(() -> ApiException.notFound("unknown runmode " + runmode));
  }

  /** {"kernel": FILE} (and nothing else). */
  private static String kernelField(JsonNode json) {
    if (!json.isObject()) {
      throw ApiException.invalid(null, "the body must be an object");
    }
    for (String n : json.propertyNames()) {
      if (!n.equals("kernel")) {
        throw ApiException.invalid(n, "unknown field " + n + " (known: kernel)");
      }
    }
    JsonNode k = json.get("kernel");
    if (k == null || !k.isString()) {
      throw ApiException.invalid("kernel", "kernel is required (a file of the kernel list)");
    }
    return k.stringValue();
  }

  /**
   * Zero-OS bootstrap's kernel API, with tokens: {@code GET /api/kernel} lists the kernels (as
   * {@code /api/v1/zeroos/kernels}); {@code POST /api/kernel?name=FILE} uploads one, the body being
   * the file.
   */
  Handler compatKernel() {
    return endpoint(
        GET_POST,
        (req, resp, cb) -> {
          if (!"POST".equals(req.getMethod())) {
            return ok(
                req,
                resp,
                cb,
                control.zeroOsKernels().stream().map(JsonViews::zeroOsKernel).toList());
          }
          String name = Requests.query(req).getValue("name");
          if (name == null || name.isEmpty()) {
            throw ApiException.invalid("name", "name is required: POST /api/kernel?name=FILE");
          }
          return uploaded(req, resp, cb, name);
        });
  }

  /**
   * Zero-OS bootstrap's symlink API, with tokens: {@code GET /api/symlink} lists the runmodes and
   * their kernels; {@code POST /api/symlink} with {@code runmode} and {@code kernel} (query
   * parameters, or a JSON object) points the runmode's link at the kernel.
   */
  Handler compatSymlink() {
    return endpoint(
        GET_POST,
        (req, resp, cb) -> {
          if (!"POST".equals(req.getMethod())) {
            return ok(
                req,
                resp,
                cb,
                control.zeroOsRunmodes().stream().map(JsonViews::zeroOsRunmode).toList());
          }
          Fields q = Requests.query(req);
          String runmode = q.getValue("runmode");
          String kernel = q.getValue("kernel");
          if (runmode == null && kernel == null) {
            JsonNode json = body(req);
            if (!json.isObject()) {
              throw ApiException.invalid(null, "the body must be an object");
            }
            for (String n : json.propertyNames()) {
              if (!n.equals("kernel") && !n.equals("runmode")) {
                throw ApiException.invalid(n, "unknown field " + n + " (known: runmode, kernel)");
              }
            }
            runmode = json.has("runmode") ? json.get("runmode").asString() : null;
            kernel = json.has("kernel") ? json.get("kernel").asString() : null;
          }
          if (runmode == null || runmode.isEmpty()) {
            throw ApiException.invalid("runmode", "runmode is required");
          }
          if (kernel == null || kernel.isEmpty()) {
            throw ApiException.invalid("kernel", "kernel is required");
          }
          return ok(
              req, resp, cb, JsonViews.zeroOsRunmode(control.switchZeroOsRunmode(runmode, kernel)));
        });
  }

  // ------------------------------------------------------------------ tokens

  Handler tokens() {
    return endpoint(
        GET_POST,
        (req, resp, cb) -> {
          if (!"POST".equals(req.getMethod())) {
            return ok(req, resp, cb, control.tokens().stream().map(JsonViews::token).toList());
          }
          JsonNode json = body(req);
          if (!json.isObject()) {
            throw ApiException.invalid(null, "the body must be an object");
          }
          for (String n : json.propertyNames()) {
            if (!n.equals("name") && !n.equals("role")) {
              throw ApiException.invalid(n, "unknown field " + n + " (known: name, role)");
            }
          }
          JsonNode name = json.get("name");
          JsonNode role = json.get("role");
          if (name == null || !name.isString()) {
            throw ApiException.invalid("name", "name is required");
          }
          if (role == null || !role.isString()) {
            throw ApiException.invalid("role", "role is required (viewer, operator or admin)");
          }
          Role r = JsonViews.role("role", role.stringValue());
          Tokens.Created t = control.createToken(name.stringValue(), r);
          Map<String, Object> o = JsonViews.token(t.token());
          o.put("secret", t.secret());
          resp.getHeaders().put(HttpHeader.LOCATION, PREFIX + "tokens/" + t.token().name());
          return Responses.json(req, resp, cb, 201, o);
        });
  }

  Handler token() {
    return endpoint(
        List.of("DELETE"),
        (req, resp, cb) -> {
          List<String> s = segments(req, PREFIX + "tokens/");
          if (s.size() != 1) {
            throw notFound(req);
          }
          control.revokeToken(s.get(0));
          return noContent(resp, cb);
        });
  }
}
