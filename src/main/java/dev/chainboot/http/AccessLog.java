package dev.chainboot.http;

import dev.chainboot.boot.CallbackToken;
import dev.chainboot.text.Printable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line per HTTP request: client, method, path and query, status, bytes written, and {@code
 * https} for a request that came over TLS. With a file ({@code PXESRV_LOG}), each request is also
 * appended there in the Common Log Format pxe_srv (Rack's CommonLogger) wrote, so existing log
 * processing keeps working. An installer's callback token is not logged (only its first
 * characters).
 */
final class AccessLog implements RequestLog {

  private static final DateTimeFormatter CLF_TIME =
      DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT);

  private final Logger log;
  private final java.io.Writer file; // may be null

  /** Logs to the logger {@code name} ({@code http} for the boot listener, {@code admin}). */
  AccessLog(String name) {
    log = LoggerFactory.getLogger(name);
    file = null;
  }

  /**
   * Logs to the logger {@code name} and appends to {@code file}.
   *
   * @param file appended to (created if missing); opened now, so a path that cannot be written is
   *     an error at start-up, as with pxe_srv
   */
  AccessLog(String name, Path file) throws IOException {
    log = LoggerFactory.getLogger(name);
    this.file =
        Files.newBufferedWriter(
            file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  @Override
  public void log(Request request, Response response) {
    String client = Requests.clientIp(request).getHostAddress();
    String query = request.getHttpURI().getQuery();
    if (log.isInfoEnabled()) {
      log.info(
          "{} {} {}{} {} {}B{}",
          client,
          request.getMethod(),
          Printable.of(redacted(request.getHttpURI().getPath())),
          query == null ? "" : "?" + Printable.of(query),
          response.getStatus(),
          Response.getContentBytesWritten(response),
          request.isSecure() ? " https" : "");
    }
    if (file != null) {
      long bytes = Response.getContentBytesWritten(response);
      double seconds = (System.nanoTime() - request.getBeginNanoTime()) / 1e9;
      String line =
          String.format(
              Locale.ROOT,
              "%s - - [%s] \"%s %s%s %s\" %d %s %.4f%n",
              client,
              ZonedDateTime.now().format(CLF_TIME),
              request.getMethod(),
              Printable.of(redacted(request.getHttpURI().getPath()), 2000),
              query == null ? "" : "?" + Printable.of(query, 2000),
              request.getConnectionMetaData().getProtocol(),
              response.getStatus(),
              bytes == 0 ? "-" : Long.toString(bytes),
              seconds);
      synchronized (file) {
        try {
          file.write(line);
          file.flush();
        } catch (IOException e) {
          log.warn("cannot write the access log: {}", e.toString());
        }
      }
    }
  }

  /** {@code /done/abcd...} for a callback URL; any other path as it is. */
  static String redacted(String path) {
    if (path == null || !path.startsWith(CallbackToken.PATH)) {
      return path;
    }
    String token = path.substring(CallbackToken.PATH.length());
    return CallbackToken.PATH + token.substring(0, Math.min(4, token.length())) + "...";
  }
}
