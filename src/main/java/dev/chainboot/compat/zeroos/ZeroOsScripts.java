package dev.chainboot.compat.zeroos;

import dev.chainboot.boot.BootEvent;
import dev.chainboot.compat.CoreDecision;
import dev.chainboot.compat.DecisionLog;
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
  private final DecisionLog decisions;

  public ZeroOsScripts(ZeroOsBoot boot, CoreDecision core, DecisionLog decisions) {
    this.boot = boot;
    this.core = core;
    this.decisions = decisions;
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
      if ("GET".equals(request.getMethod())) {
        decisions.record(request, java.util.Optional.empty(), BootEvent.Match.STATIC,
            "zeroos " + req.kernelCommandLine(), "zeroos", false);
      }
      response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
      PlainTextHandler.send(request, response, callback, 200, script);
    } catch (ZeroOsRequest.Invalid e) {
      PlainTextHandler.send(request, response, callback, e.status(), e.getMessage() + "\n");
    }
  }
}
