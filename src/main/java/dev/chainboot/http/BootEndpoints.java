package dev.chainboot.http;

import dev.chainboot.boot.Arch;
import dev.chainboot.boot.BootRequest;
import dev.chainboot.boot.BootResolver;
import dev.chainboot.boot.ChainScript;
import dev.chainboot.boot.IpxeSafe;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Platform;
import dev.chainboot.boot.ScriptRenderer;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * The native boot endpoints.
 *
 * <ul>
 *   <li>{@code /boot.ipxe} — where every chain lands. With a valid {@code mac} parameter (as
 *       {@code chain.ipxe} sends) it answers with the machine's script at once; without one it
 *       answers a script that chains to the resolver with iPXE's identity settings.
 *   <li>{@code /boot/resolve?mac=..&uuid=..&serial=..&hostname=..&buildarch=..&platform=..} —
 *       the resolver. Without a valid MAC: 400 with a message, except for iPXE (User-Agent
 *       iPXE), which gets a 200 {@code #!ipxe} script that prints the error and exits, since
 *       iPXE shows nothing useful for a 4xx.
 * </ul>
 */
public final class BootEndpoints {

  public static final String BOOT_PATH = "/boot.ipxe";
  public static final String RESOLVE_PATH = "/boot/resolve";
  private static final int MAX_PARAM = 256;

  private final BootResolver resolver;

  public BootEndpoints(BootResolver resolver) {
    this.resolver = resolver;
  }

  public void register(Router router) {
    router.exact(BOOT_PATH, new Handler.Abstract() {
      @Override
      public boolean handle(Request req, Response resp, Callback cb) {
        Fields q = Request.extractQueryParameters(req);
        if (MacAddress.parse(q.getValue("mac")).isPresent()) {
          return resolve(req, resp, cb, q);
        }
        String base = baseUrl(req);
        String script = "#!ipxe\n"
            + "set cb-try 0\n"
            + ":cb_resolve\n"
            + "chain --autofree " + base + RESOLVE_PATH + "?" + ChainScript.IDENTITY_QUERY
            + profileParam(q) + " && goto cb_done ||\n"
            + "inc cb-try\n"
            + "iseq ${cb-try} 3 && goto cb_failed ||\n"
            + "echo chainboot: could not reach " + base + RESOLVE_PATH + ", retrying\n"
            + "sleep 3\n"
            + "goto cb_resolve\n"
            + ":cb_failed\n"
            + "echo chainboot: giving up, exiting to the next boot device\n"
            + "sleep 5\n"
            + "exit 1\n"
            + ":cb_done\n";
        return write(req, resp, cb, 200, script);
      }
    });
    router.exact(RESOLVE_PATH, new Handler.Abstract() {
      @Override
      public boolean handle(Request req, Response resp, Callback cb) {
        return resolve(req, resp, cb, Request.extractQueryParameters(req));
      }
    });
  }

  private boolean resolve(Request req, Response resp, Callback cb, Fields q) {
    if (!"GET".equals(req.getMethod())) {
      // Resolving consumes once-assignments: only a real fetch may do that.
      resp.getHeaders().put(HttpHeader.ALLOW, "GET");
      return write(req, resp, cb, 405, "chainboot: use GET\n");
    }
    String macText = q.getValue("mac");
    Optional<MacAddress> mac = MacAddress.parse(macText);
    if (mac.isEmpty()) {
      String msg = macText == null || macText.isEmpty()
          ? "missing mac parameter (e.g. ?mac=${mac:hexhyp})"
          : "invalid mac parameter: " + IpxeSafe.printable(macText);
      return refuse(req, resp, cb, 400, msg);
    }
    BootRequest br = new BootRequest(mac, clientAddress(req),
        param(q, "uuid"), param(q, "serial"), param(q, "hostname"),
        Arch.parse(q.getValue("buildarch")), Platform.parse(q.getValue("platform")),
        BootRequest.Protocol.HTTP);
    String profile = q.getValue("profile");
    if (profile != null) {
      Optional<BootResolver.BootScript> named = resolver.resolveProfile(br, profile, baseUrl(req));
      if (named.isEmpty()) {
        String msg = "no profile named " + IpxeSafe.printable(profile);
        return refuse(req, resp, cb, 404, msg);
      }
      return write(req, resp, cb, 200, named.get().text());
    }
    BootResolver.BootScript script = resolver.resolve(br, baseUrl(req));
    return write(req, resp, cb, 200, script.text());
  }

  /**
   * A request that cannot be answered: {@code status} with the message, except for iPXE, which
   * shows nothing useful for a 4xx and gets a 200 script that prints the message and exits.
   */
  private static boolean refuse(Request req, Response resp, Callback cb, int status, String msg) {
    return fromIpxe(req)
        ? write(req, resp, cb, 200, ScriptRenderer.error(msg))
        : write(req, resp, cb, status, "chainboot: " + msg + "\n");
  }

  /** {@code &profile=NAME} (percent-encoded) when the request names a profile, else nothing. */
  private static String profileParam(Fields q) {
    String profile = q.getValue("profile");
    return profile == null || profile.length() > MAX_PARAM ? "" : "&profile=" + IpxeSafe.value(profile);
  }

  /** A query parameter, empty when absent, blank, too long to be real, or the null UUID. */
  static Optional<String> param(Fields q, String name) {
    String v = q.getValue(name);
    if (v == null || v.isBlank() || v.length() > MAX_PARAM
        || v.equals("00000000-0000-0000-0000-000000000000")) {
      return Optional.empty();
    }
    return Optional.of(v);
  }

  static boolean fromIpxe(Request req) {
    String ua = req.getHeaders().get(HttpHeader.USER_AGENT);
    return ua != null && ua.contains("iPXE");
  }

  static InetAddress clientAddress(Request req) {
    try {
      return InetAddress.getByName(Request.getRemoteAddr(req));
    } catch (UnknownHostException e) {
      throw new IllegalStateException("unparseable remote address", e);
    }
  }

  /**
   * Like {@link #baseUrl(Request)}, but an operator's {@code --advertise} host (already
   * validated at start-up) wins over what the request says; the port is the local one.
   */
  public static String baseUrl(Request req, java.util.Optional<String> advertise) {
    if (advertise.isEmpty()) {
      return baseUrl(req);
    }
    String scheme = "https".equalsIgnoreCase(req.getHttpURI().getScheme()) ? "https" : "http";
    String host = IpxeSafe.host(advertise.get());
    return scheme + "://" + host + ":" + Request.getLocalPort(req);
  }

  /**
   * This server's base URL as the client reached it: the request's scheme and its Host header
   * when that is a valid host[:port], else the local address the connection arrived on.
   */
  public static String baseUrl(Request req) {
    String scheme = "https".equalsIgnoreCase(req.getHttpURI().getScheme()) ? "https" : "http";
    String host = req.getHeaders().get(HttpHeader.HOST);
    try {
      if (host != null) {
        return scheme + "://" + IpxeSafe.host(host);
      }
    } catch (IpxeSafe.UnsafeValueException e) {
      // fall through to the local address
    }
    String local = Request.getLocalAddr(req);
    if (local.contains(":")) {
      local = "[" + local + "]";
    }
    return scheme + "://" + local + ":" + Request.getLocalPort(req);
  }

  /** Writes a text/plain answer (no body for HEAD). */
  static boolean write(Request req, Response resp, Callback cb, int status, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    resp.setStatus(status);
    resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
    resp.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
    resp.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    if ("HEAD".equals(req.getMethod())) {
      cb.succeeded();
    } else {
      resp.write(true, ByteBuffer.wrap(bytes), cb);
    }
    return true;
  }
}
