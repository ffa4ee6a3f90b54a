package dev.chainboot.http;

import dev.chainboot.auth.Principal;
import dev.chainboot.auth.Sessions;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * UI sessions: {@code GET /login} (a form asking for an API token), {@code POST /login} (opens a
 * session: a new random id in an HttpOnly, SameSite=Strict cookie, Secure under TLS), {@code POST
 * /logout}, and the minimal signed-in page at {@code /} that the web UI replaces. The login form is
 * protected against login CSRF by a double-submit cookie; failed logins count in the {@link
 * dev.chainboot.auth.LoginThrottle}.
 */
final class LoginEndpoints {

  static final String LOGIN_PATH = "/login";
  static final String LOGOUT_PATH = "/logout";
  static final String LOGIN_COOKIE = "chainboot_login";

  private final Guard guard;
  private final SecureRandom random = new SecureRandom();

  LoginEndpoints(Guard guard) {
    this.guard = guard;
  }

  /** {@code /login}: GET shows the form, POST logs in. */
  Handler login() {
    return new Handler.Abstract() {
      @Override
      public boolean handle(Request req, Response resp, Callback cb) {
        if (!Methods.allowed(req, resp, cb, java.util.List.of("GET", "HEAD", "POST"))) {
          return true;
        }
        if (!"POST".equals(req.getMethod())) {
          String next = Optional.ofNullable(Requests.query(req).getValue("next")).orElse("/");
          return form(req, resp, cb, 200, localPath(next), null);
        }
        return post(req, resp, cb);
      }
    };
  }

  private boolean post(Request req, Response resp, Callback cb) {
    String client = Request.getRemoteAddr(req);
    Optional<Duration> wait = guard.throttle().retryAfter(client);
    Fields f = Forms.fields(req);
    String next = localPath(f == null ? "/" : Optional.ofNullable(f.getValue("next")).orElse("/"));
    if (wait.isPresent()) {
      resp.getHeaders()
          .put(HttpHeader.RETRY_AFTER, Long.toString(Math.max(1, wait.get().toSeconds())));
      return form(
          req,
          resp,
          cb,
          429,
          next,
          "Too many failed logins from this address: try again in "
              + Math.max(1, wait.get().toSeconds())
              + " s.");
    }
    String origin = req.getHeaders().get(HttpHeader.ORIGIN);
    String cookie = cookie(req, LOGIN_COOKIE);
    if (f == null
        || (origin != null && !Guard.sameOrigin(req, origin))
        || cookie == null
        || cookie.isEmpty()
        || !java.security.MessageDigest.isEqual(
            cookie.getBytes(StandardCharsets.UTF_8),
            Optional.ofNullable(f.getValue(Guard.CSRF_FIELD))
                .orElse("")
                .getBytes(StandardCharsets.UTF_8))) {
      return form(
          req, resp, cb, 403, next, "The form expired or came from another site: try again.");
    }
    Optional<Principal> p =
        guard.tokens().authenticate(Optional.ofNullable(f.getValue("token")).orElse("").strip());
    if (p.isEmpty()) {
      guard.throttle().failed(client);
      return form(req, resp, cb, 401, next, "Unknown or revoked token.");
    }
    Sessions.Session s = guard.sessions().open(p.get());
    Response.addCookie(resp, guard.sessionCookie(s));
    Response.addCookie(resp, loginCookie("", 0));
    resp.setStatus(303);
    resp.getHeaders().put(HttpHeader.LOCATION, next);
    cb.succeeded();
    return true;
  }

  /** {@code POST /logout} (needs the session's CSRF token, like every state change). */
  Handler logout() {
    return new Handler.Abstract() {
      @Override
      public boolean handle(Request req, Response resp, Callback cb) {
        if (!Methods.allowed(req, resp, cb, java.util.List.of("POST"))) {
          return true;
        }
        guard.sessionOf(req).ifPresent(s -> guard.sessions().close(s.id()));
        Response.addCookie(resp, guard.sessionCookie(null));
        resp.setStatus(303);
        resp.getHeaders().put(HttpHeader.LOCATION, LOGIN_PATH);
        cb.succeeded();
        return true;
      }
    };
  }

  /** {@code /}: who is signed in, and a way out. The web UI takes this place. */
  Handler home() {
    return new Handler.Abstract() {
      @Override
      public boolean handle(Request req, Response resp, Callback cb) {
        if (!Methods.allowed(req, resp, cb, Methods.GET_HEAD)) {
          return true;
        }
        Principal p = Guard.principal(req).orElseThrow();
        StringBuilder b = page("chainboot");
        b.append("<p>Signed in as <strong>")
            .append(Html.escape(p.name()))
            .append("</strong> (")
            .append(p.role().id())
            .append(
                ").</p>\n<p>API: <a href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a></p>\n");
        Guard.csrfToken(req)
            .ifPresent(
                csrf ->
                    b.append("<form method=\"post\" action=\"")
                        .append(LOGOUT_PATH)
                        .append("\"><input type=\"hidden\" name=\"")
                        .append(Guard.CSRF_FIELD)
                        .append("\" value=\"")
                        .append(Html.escape(csrf))
                        .append("\"><button type=\"submit\">Log out</button></form>\n"));
        b.append("</main></body></html>\n");
        return Responses.bytes(
            req, resp, cb, 200, Html.TYPE, b.toString().getBytes(StandardCharsets.UTF_8));
      }
    };
  }

  private boolean form(
      Request req, Response resp, Callback cb, int status, String next, String error) {
    byte[] b = new byte[24];
    random.nextBytes(b);
    String csrf = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    Response.addCookie(resp, loginCookie(csrf, 3600));
    StringBuilder h = page("chainboot: log in");
    if (error != null) {
      h.append("<p role=\"alert\">").append(Html.escape(error)).append("</p>\n");
    }
    h.append("<form method=\"post\" action=\"")
        .append(LOGIN_PATH)
        .append("\">\n<input type=\"hidden\" name=\"")
        .append(Guard.CSRF_FIELD)
        .append("\" value=\"")
        .append(csrf)
        .append("\">\n<input type=\"hidden\" name=\"next\" value=\"")
        .append(Html.escape(next))
        .append("\">\n<label for=\"token\">API token</label>\n")
        .append(
            "<input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"current-password\""
                + " required autofocus>\n")
        .append("<button type=\"submit\">Log in</button>\n</form>\n")
        .append(
            "<p>An administrator creates tokens with <code>chainboot token create NAME --role"
                + " viewer|operator|admin</code>.</p>\n</main></body></html>\n");
    return Responses.bytes(
        req, resp, cb, status, Html.TYPE, h.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static StringBuilder page(String title) {
    return new StringBuilder()
        .append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>")
        .append(Html.escape(title))
        .append("</title></head>\n<body><main>\n<h1>chainboot</h1>\n");
  }

  private HttpCookie loginCookie(String value, long maxAge) {
    return HttpCookie.build(LOGIN_COOKIE, value)
        .path(LOGIN_PATH)
        .httpOnly(true)
        .secure(guard.tls())
        .sameSite(HttpCookie.SameSite.STRICT)
        .maxAge(maxAge)
        .build();
  }

  private static String cookie(Request req, String name) {
    for (HttpCookie c : Request.getCookies(req)) {
      if (name.equals(c.getName())) {
        return c.getValue();
      }
    }
    return null;
  }

  /**
   * Where a login may send the browser next: a path on this server ({@code /...}, not {@code //} or
   * a backslash, which browsers read as another host), else {@code /}.
   */
  static String localPath(String next) {
    if (next == null
        || !next.startsWith("/")
        || next.startsWith("//")
        || next.indexOf('\\') >= 0
        || next.length() > 2048
        || next.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
      return "/";
    }
    return next;
  }
}
