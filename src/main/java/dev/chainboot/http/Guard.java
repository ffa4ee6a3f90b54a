package dev.chainboot.http;

import dev.chainboot.auth.LoginThrottle;
import dev.chainboot.auth.Principal;
import dev.chainboot.auth.Role;
import dev.chainboot.auth.Sessions;
import dev.chainboot.auth.Tokens;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * Authentication and authorisation of the admin listener: the one place a request proves who it is.
 * The API and the UI wrap every handler with {@link #require}; the handler then finds the caller
 * with {@link #principal} (and, for a UI session, the CSRF token its forms carry with {@link
 * #csrfToken}).
 *
 * <ul>
 *   <li>{@code Authorization: Bearer TOKEN}: an API token (the remote CLI, scripts). No CSRF check:
 *       a browser never sends this header by itself.
 *   <li>else the session cookie {@value #SESSION_COOKIE} of a UI login: every request but GET and
 *       HEAD must carry the session's CSRF token, as header {@value #CSRF_HEADER} or form field
 *       {@value #CSRF_FIELD}; a request whose {@code Origin} is another site is refused too.
 *   <li>neither: 401 (a browser asking for a page is sent to {@code /login} instead).
 * </ul>
 *
 * A wrong token counts against the client's address in the {@link LoginThrottle} (429 with {@code
 * Retry-After} once it is over). A token's role decides: 403 when it is not enough.
 */
public final class Guard {

  public static final String SESSION_COOKIE = "chainboot_session";
  public static final String CSRF_HEADER = "X-CSRF-Token";
  public static final String CSRF_FIELD = "csrf";

  private static final String PRINCIPAL_ATTR = Guard.class.getName() + ".principal";
  private static final String SESSION_ATTR = Guard.class.getName() + ".session";

  private final Tokens tokens;
  private final Sessions sessions;
  private final LoginThrottle throttle;
  private final boolean tls;

  /**
   * @param tls whether the listener speaks HTTPS (cookies get {@code Secure})
   */
  public Guard(Tokens tokens, Sessions sessions, LoginThrottle throttle, boolean tls) {
    this.tokens = tokens;
    this.sessions = sessions;
    this.throttle = throttle;
    this.tls = tls;
  }

  public Tokens tokens() {
    return tokens;
  }

  public Sessions sessions() {
    return sessions;
  }

  public LoginThrottle throttle() {
    return throttle;
  }

  public boolean tls() {
    return tls;
  }

  /** {@code handler} for callers whose role allows {@code role}, whatever the method. */
  public Handler require(Role role, Handler handler) {
    return require(role, role, handler);
  }

  /**
   * {@code handler} for callers whose role allows {@code read} (GET, HEAD) or {@code write} (every
   * other method).
   */
  public Handler require(Role read, Role write, Handler handler) {
    Guard guard = this;
    return new Handler.Wrapper(handler) {
      @Override
      public boolean handle(Request req, Response resp, Callback cb) throws Exception {
        boolean reading = Methods.GET_HEAD.contains(req.getMethod());
        Optional<Principal> who = guard.authenticate(req, resp, cb);
        if (who == null) {
          return true; // answered (401, 403 or 429)
        }
        Role needed = reading ? read : write;
        if (!who.get().may(needed)) {
          return refuse(
              req,
              resp,
              cb,
              403,
              "forbidden: this needs the "
                  + needed.id()
                  + " role; "
                  + who.get().name()
                  + " has "
                  + who.get().role().id());
        }
        req.setAttribute(PRINCIPAL_ATTR, who.get());
        return super.handle(req, resp, cb);
      }
    };
  }

  /** Who a request that passed {@link #require} acts as. */
  public static Optional<Principal> principal(Request req) {
    return Optional.ofNullable((Principal) req.getAttribute(PRINCIPAL_ATTR));
  }

  /** The CSRF token of the request's UI session (for forms and scripts); empty with a token. */
  public static Optional<String> csrfToken(Request req) {
    return Optional.ofNullable((Sessions.Session) req.getAttribute(SESSION_ATTR))
        .map(Sessions.Session::csrf);
  }

  /**
   * The request's principal, or null after answering it (401, 403 for a CSRF failure, 429). Returns
   * an Optional only so that null can mean "answered".
   */
  private Optional<Principal> authenticate(Request req, Response resp, Callback cb) {
    String client = Request.getRemoteAddr(req);
    String auth = req.getHeaders().get(HttpHeader.AUTHORIZATION);
    if (auth != null) {
      Optional<Duration> wait = throttle.retryAfter(client);
      if (wait.isPresent()) {
        tooMany(req, resp, cb, wait.get());
        return null;
      }
      Optional<Principal> p =
          auth.regionMatches(true, 0, "Bearer ", 0, 7)
              ? tokens.authenticate(auth.substring(7).strip())
              : Optional.empty();
      if (p.isEmpty()) {
        throttle.failed(client);
        resp.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"chainboot\"");
        refuse(req, resp, cb, 401, "unauthorized: unknown or revoked token");
        return null;
      }
      return p;
    }
    Optional<Sessions.Session> session = sessionOf(req);
    if (session.isEmpty()) {
      unauthenticated(req, resp, cb);
      return null;
    }
    Optional<Principal> p = tokens.forSession(session.get().tokenId());
    if (p.isEmpty()) {
      sessions.close(session.get().id()); // its token was revoked
      unauthenticated(req, resp, cb);
      return null;
    }
    if (!Methods.GET_HEAD.contains(req.getMethod()) && !csrfOk(req, session.get())) {
      refuse(
          req,
          resp,
          cb,
          403,
          "forbidden: missing or wrong CSRF token (send the session's token as "
              + CSRF_HEADER
              + " or form field "
              + CSRF_FIELD
              + ")");
      return null;
    }
    req.setAttribute(SESSION_ATTR, session.get());
    return p;
  }

  /** The live session the request's cookie names. */
  Optional<Sessions.Session> sessionOf(Request req) {
    List<HttpCookie> cookies = Request.getCookies(req);
    for (HttpCookie c : cookies) {
      if (SESSION_COOKIE.equals(c.getName())) {
        Optional<Sessions.Session> s = sessions.find(c.getValue());
        if (s.isPresent()) {
          return s;
        }
      }
    }
    return Optional.empty();
  }

  private static boolean csrfOk(Request req, Sessions.Session s) {
    String origin = req.getHeaders().get(HttpHeader.ORIGIN);
    if (origin != null && !sameOrigin(req, origin)) {
      return false;
    }
    String header = req.getHeaders().get(CSRF_HEADER);
    if (header != null) {
      return s.csrfMatches(header);
    }
    String type = req.getHeaders().get(HttpHeader.CONTENT_TYPE);
    if (type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith(Forms.URLENCODED)) {
      Fields f = Forms.fields(req);
      return f != null && s.csrfMatches(f.getValue(CSRF_FIELD));
    }
    return false;
  }

  /** Whether {@code origin} is this listener as the request reached it. */
  static boolean sameOrigin(Request req, String origin) {
    String host = req.getHeaders().get(HttpHeader.HOST);
    String scheme = req.getHttpURI().getScheme();
    return host != null && origin.equalsIgnoreCase(scheme + "://" + host);
  }

  private void unauthenticated(Request req, Response resp, Callback cb) {
    String accept = req.getHeaders().get(HttpHeader.ACCEPT);
    String path = Request.getPathInContext(req);
    if ("GET".equals(req.getMethod())
        && accept != null
        && accept.contains("text/html")
        && !path.startsWith("/api/")) {
      resp.setStatus(303);
      resp.getHeaders()
          .put(
              HttpHeader.LOCATION,
              LoginEndpoints.LOGIN_PATH
                  + "?next="
                  + java.net.URLEncoder.encode(
                      LoginEndpoints.localPath(pathAndQuery(req)),
                      java.nio.charset.StandardCharsets.UTF_8));
      cb.succeeded();
      return;
    }
    resp.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"chainboot\"");
    refuse(
        req,
        resp,
        cb,
        401,
        "unauthorized: send Authorization: Bearer TOKEN (chainboot token create NAME --role"
            + " ROLE), or log in at "
            + LoginEndpoints.LOGIN_PATH);
  }

  private static String pathAndQuery(Request req) {
    String q = req.getHttpURI().getQuery();
    return req.getHttpURI().getPath() + (q == null ? "" : "?" + q);
  }

  static void tooMany(Request req, Response resp, Callback cb, Duration wait) {
    resp.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(Math.max(1, wait.toSeconds())));
    refuse(
        req,
        resp,
        cb,
        429,
        "too many failed logins from "
            + Request.getRemoteAddr(req)
            + ": try again in "
            + Math.max(1, wait.toSeconds())
            + " s");
  }

  static boolean refuse(Request req, Response resp, Callback cb, int status, String message) {
    discardBody(req, resp);
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("error", message);
    return Responses.json(req, resp, cb, status, o);
  }

  /**
   * Reads and drops a small request body nobody will read, so that the connection can carry the
   * next request; a large (or unknown-length) one closes the connection after the answer instead.
   */
  static void discardBody(Request req, Response resp) {
    long length = req.getLength();
    if (length == 0) {
      return;
    }
    if (length > 0 && length <= 64 * 1024) {
      try {
        org.eclipse.jetty.io.Content.Source.consumeAll(req);
        return;
      } catch (java.io.IOException e) {
        // fall through: close the connection
      }
    }
    resp.getHeaders().put(HttpHeader.CONNECTION, "close");
  }

  /** The session cookie for {@code s} (or, with null, one that deletes it). */
  HttpCookie sessionCookie(Sessions.Session s) {
    return HttpCookie.build(SESSION_COOKIE, s == null ? "" : s.id())
        .path("/")
        .httpOnly(true)
        .secure(tls)
        .sameSite(HttpCookie.SameSite.STRICT)
        .maxAge(s == null ? 0 : Sessions.MAX.toSeconds())
        .build();
  }
}
