package dev.chainboot.http;

import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.BootTimeline;
import dev.chainboot.text.Printable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Records the downloads that are stages of a boot (the routes {@link Routes} marks with {@link
 * #staged}: assets, kernels, initrds, boot binaries, boot media) in the client's boot timeline,
 * once each has been answered: path, status, bytes, duration and the Range asked for. HEAD requests
 * are not stages.
 */
public final class StageLog implements RequestLog {

  /** Request attribute: the {@link BootEvent.Stage} a completed request records. */
  static final String STAGE = "chainboot.stage";

  private final BootTimeline timeline;

  public StageLog(BootTimeline timeline) {
    this.timeline = timeline;
  }

  /** {@code handler}, with the requests it answers recorded as {@code stage}. */
  static Handler staged(BootEvent.Stage stage, Handler handler) {
    return new Handler.Wrapper(handler) {
      @Override
      public boolean handle(Request request, Response response, Callback callback)
          throws Exception {
        request.setAttribute(STAGE, stage);
        return super.handle(request, response, callback);
      }
    };
  }

  @Override
  public void log(Request request, Response response) {
    if (!(request.getAttribute(STAGE) instanceof BootEvent.Stage stage)
        || !request.getMethod().equals("GET")) {
      return;
    }
    try {
      long millis = Math.max(0, (System.nanoTime() - request.getBeginNanoTime()) / 1_000_000);
      long bytes = Response.getContentBytesWritten(response);
      int status = response.getStatus();
      String path = Printable.of(Request.getPathInContext(request));
      String range = request.getHeaders().get(HttpHeader.RANGE);
      Map<String, String> detail = new LinkedHashMap<>();
      detail.put("path", path);
      detail.put("status", Integer.toString(status));
      detail.put("bytes", Long.toString(bytes));
      detail.put("duration_ms", Long.toString(millis));
      if (range != null) {
        detail.put("range", Printable.ascii(range, 200));
      }
      timeline.record(
          stage,
          Optional.empty(),
          Request.getRemoteAddr(request),
          "http",
          "GET "
              + path
              + " "
              + status
              + ", "
              + bytes
              + " B in "
              + millis
              + " ms"
              + (range == null ? "" : " (" + detail.get("range") + ")"),
          detail);
    } catch (RuntimeException e) {
      // a stage that cannot be recorded never fails the request
    }
  }
}
