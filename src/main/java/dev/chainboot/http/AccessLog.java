package dev.chainboot.http;

import dev.chainboot.text.Printable;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line per HTTP request: client, method, path and query, status, bytes written, and {@code
 * https} for a request that came over TLS.
 */
final class AccessLog implements RequestLog {

  private final Logger log;

  /** Logs to the logger {@code name} ({@code http} for the boot listener, {@code admin}). */
  AccessLog(String name) {
    log = LoggerFactory.getLogger(name);
  }

  @Override
  public void log(Request request, Response response) {
    if (log.isInfoEnabled()) {
      String query = request.getHttpURI().getQuery();
      log.info(
          "{} {} {}{} {} {}B{}",
          Request.getRemoteAddr(request),
          request.getMethod(),
          Printable.of(request.getHttpURI().getPath()),
          query == null ? "" : "?" + Printable.of(query),
          response.getStatus(),
          Response.getContentBytesWritten(response),
          request.isSecure() ? " https" : "");
    }
  }
}
