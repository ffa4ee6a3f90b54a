package dev.chainboot.compat;

import dev.chainboot.boot.BootRequest;
import dev.chainboot.boot.BootResolver;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.http.BootEndpoints;
import dev.chainboot.http.PlainTextHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a compat adapter hands a request to the boot core when its own files have nothing for
 * the machine: it turns the HTTP request into a {@link BootRequest} and answers with the
 * {@link BootResolver}'s script instead of a 404 dead end.
 */
public final class CoreDecision {

  private static final Logger log = LoggerFactory.getLogger(CoreDecision.class);

  private final BootResolver resolver;

  /** @param resolver the boot core, or null when none is wired (answers 404 then) */
  public CoreDecision(BootResolver resolver) {
    this.resolver = resolver;
  }

  /** The TCP peer address of the request: the identity pxe_srv keys on. */
  public static InetAddress clientIp(Request request) {
    SocketAddress sa = request.getConnectionMetaData().getRemoteSocketAddress();
    if (sa instanceof InetSocketAddress isa && isa.getAddress() != null) {
      return isa.getAddress();
    }
    return InetAddress.getLoopbackAddress();
  }

  /** What the HTTP request tells about the machine, in the core's terms. */
  public static BootRequest bootRequest(Request request, Optional<MacAddress> mac) {
    return new BootRequest(mac, clientIp(request), Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty(), BootRequest.Protocol.HTTP);
  }

  /** This server's base URL as the client reached it (the same rule as /boot.ipxe). */
  public String baseUrl(Request request) {
    return BootEndpoints.baseUrl(request);
  }

  /**
   * Answers with the core's script for the machine.
   *
   * @param why what the adapter looked for and did not find, for the log
   */
  public void answer(Request request, Response response, Callback callback, Optional<MacAddress> mac,
      String why) {
    if (!"GET".equals(request.getMethod())) {
      // Resolving may consume a once-assignment: only a real fetch may do that.
      response.getHeaders().put(HttpHeader.ALLOW, "GET");
      PlainTextHandler.send(request, response, callback, 405, "chainboot: use GET\n");
      return;
    }
    if (resolver == null) {
      PlainTextHandler.send(request, response, callback, 404,
          "not found: " + why + " (and no boot core is configured)\n");
      return;
    }
    BootResolver.BootScript script = resolver.resolve(bootRequest(request, mac), baseUrl(request));
    log.info("{}: {}; boot core chose {} ({})", clientIp(request).getHostAddress(), why,
        script.profile() == null || script.profile().isEmpty() ? "nothing" : script.profile(),
        script.reason());
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    PlainTextHandler.send(request, response, callback, 200, script.text());
  }
}
