package dev.chainboot.compat.zeroos;

import dev.chainboot.compat.CoreDecision;
import dev.chainboot.http.PlainTextHandler;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Zero-OS bootstrap's {@code /ipxe/<runmode>[/<farmer>[/<extra>[/<kernel>]]]} script endpoint. */
public final class ZeroOsScripts {

  private static final Logger log = LoggerFactory.getLogger(ZeroOsScripts.class);

  private final ZeroOsBoot boot;
  private final CoreDecision core;

  public ZeroOsScripts(ZeroOsBoot boot, CoreDecision core) {
    this.boot = boot;
    this.core = core;
  }

  /** Whether {@code firstSegment} of a path after {@code /ipxe/} is a configured runmode. */
  public boolean isRunmode(String firstSegment) {
    return boot.runmodes().containsKey(firstSegment);
  }

  public ZeroOsBoot boot() {
    return boot;
  }

  /** @param relative the path after {@code /ipxe/} */
  public void handle(String relative, Request request, Response response, Callback callback) {
    try {
      ZeroOsRequest req = ZeroOsRequest.parse(relative, boot.runmodes().keySet());
      String script = boot.script(req, core.baseUrl(request));
      log.info("{}: Zero-OS {}", CoreDecision.clientIp(request).getHostAddress(), req.kernelCommandLine());
      response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
      PlainTextHandler.send(request, response, callback, 200, script);
    } catch (ZeroOsRequest.Invalid e) {
      PlainTextHandler.send(request, response, callback, e.status(), e.getMessage() + "\n");
    }
  }
}
