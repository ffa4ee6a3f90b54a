package dev.chainboot.http;

import java.util.function.Function;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** A route that answers GET and HEAD with a {@code text/plain} body computed from the request. */
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
    return Responses.text(request, response, callback, status, body.apply(request));
  }
}
