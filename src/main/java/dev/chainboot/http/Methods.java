package dev.chainboot.http;

import dev.chainboot.text.Printable;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** The one method check: a request with another method gets 405 and an {@code Allow} header. */
public final class Methods {

  /** Reading endpoints. */
  public static final List<String> GET_HEAD = List.of("GET", "HEAD");

  /** Endpoints whose answer consumes something (a once-assignment): only a real fetch. */
  public static final List<String> GET = List.of("GET");

  private Methods() {}

  /**
   * True when the request's method is one of {@code allowed}; otherwise answers 405 with {@code
   * Allow} and returns false (the answer is complete: the handler returns true).
   */
  public static boolean allowed(
      Request request, Response response, Callback callback, List<String> allowed) {
    String m = request.getMethod();
    if (allowed.contains(m)) {
      return true;
    }
    String allow = String.join(", ", allowed);
    response.getHeaders().put(HttpHeader.ALLOW, allow);
    Responses.text(
        request,
        response,
        callback,
        HttpStatus.METHOD_NOT_ALLOWED_405,
        "method not allowed: " + Printable.of(m) + " (use " + allow + ")\n");
    return false;
  }
}
