package dev.chainboot.http;

import java.util.function.Function;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Answers GET and HEAD with a {@code text/plain} body computed from the request. */
public final class PlainTextHandler extends Handler.Abstract.NonBlocking {

  private final int status;
  private final Function<Request, String> body;

  public PlainTextHandler(Function<Request, String> body) {
    this(200, body);
  }

  public PlainTextHandler(int status, Function<Request, String> body) {
    this.status = status;
    this.body = body;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    send(request, response, callback, status, body.apply(request));
    return true;
  }

  /** Writes {@code text} as a complete {@code text/plain} response (no body for HEAD). */
  public static void send(Request request, Response response, Callback callback, int status, String text) {
    send(request, response, callback, status, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** Writes {@code bytes} as a complete {@code text/plain} response (no body for HEAD). */
  public static void send(Request request, Response response, Callback callback, int status, byte[] bytes) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
    if ("HEAD".equals(request.getMethod())) {
      callback.succeeded();
    } else {
      response.write(true, java.nio.ByteBuffer.wrap(bytes), callback);
    }
  }

  /** {@code s} with control characters replaced, safe to echo in a plain-text error. */
  public static String printable(String s) {
    StringBuilder b = new StringBuilder(Math.min(s.length(), 200));
    for (int i = 0; i < s.length() && i < 200; i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return b.toString();
  }

}
