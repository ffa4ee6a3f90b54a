package dev.chainboot.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one way every endpoint writes a complete answer: status, Content-Type and Content-Length, and
 * no body for HEAD. Each method returns true, so a handler can {@code return Responses.text(...)}.
 */
public final class Responses {

  public static final String TEXT_PLAIN = "text/plain; charset=utf-8";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private Responses() {}

  /** A {@code text/plain} answer (messages, errors, seed files served as text). */
  public static boolean text(
      Request request, Response response, Callback callback, int status, String text) {
    return bytes(request, response, callback, status, TEXT_PLAIN, utf8(text));
  }

  /**
   * A boot script (or a seed tool's file standing in for one): {@code text/plain} and never cached,
   * since the next boot may get another.
   */
  public static boolean script(
      Request request, Response response, Callback callback, int status, byte[] script) {
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    return bytes(request, response, callback, status, TEXT_PLAIN, script);
  }

  /** {@link #script(Request, Response, Callback, int, byte[])} for text. */
  public static boolean script(
      Request request, Response response, Callback callback, int status, String script) {
    return script(request, response, callback, status, utf8(script));
  }

  /** A JSON answer of {@code value} (maps, lists, strings, numbers). */
  public static boolean json(
      Request request, Response response, Callback callback, int status, Object value) {
    return bytes(
        request,
        response,
        callback,
        status,
        "application/json",
        utf8(JSON.writeValueAsString(value)));
  }

  /** Any complete answer held in memory. */
  public static boolean bytes(
      Request request,
      Response response,
      Callback callback,
      int status,
      String contentType,
      byte[] body) {
    return buffer(
        request, response, callback, status, contentType, ByteBuffer.wrap(body).asReadOnlyBuffer());
  }

  /** Any complete answer held in memory as a buffer (sent from its position to its limit). */
  public static boolean buffer(
      Request request,
      Response response,
      Callback callback,
      int status,
      String contentType,
      ByteBuffer body) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.remaining());
    if ("HEAD".equals(request.getMethod())) {
      callback.succeeded();
    } else {
      response.write(true, body, callback);
    }
    return true;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
