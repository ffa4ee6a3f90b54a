package dev.chainboot.http;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /metrics}: the Prometheus scrape (text format 0.0.4, or OpenMetrics when the {@code
 * Accept} header asks for it).
 */
final class MetricsEndpoint extends Handler.Abstract {

  /** The scrape for an Accept header. */
  private final Function<String, String> scrape;

  MetricsEndpoint(Function<String, String> scrape) {
    this.scrape = scrape;
  }

  @Override
  public boolean handle(Request req, Response resp, Callback cb) {
    if (!Methods.allowed(req, resp, cb, Methods.GET_HEAD)) {
      return true;
    }
    String accept = req.getHeaders().get(HttpHeader.ACCEPT);
    boolean open = accept != null && accept.contains("application/openmetrics-text");
    String body = scrape.apply(open ? "application/openmetrics-text" : "text/plain");
    resp.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    return Responses.bytes(
        req,
        resp,
        cb,
        HttpStatus.OK_200,
        open
            ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
            : "text/plain; version=0.0.4; charset=utf-8",
        body.getBytes(StandardCharsets.UTF_8));
  }
}
