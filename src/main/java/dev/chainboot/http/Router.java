package dev.chainboot.http;

import dev.chainboot.boot.BootStore;
import dev.chainboot.text.Printable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Dispatches a request to the handler registered for its exact path, else to the handler of the
 * longest registered prefix. Prefixes end in {@code /}. Unmatched requests get a plain 404 that
 * names the path. A handler that finds the database unreachable gets 503 ({@link Unavailable}),
 * unless it answered that itself (boot URLs answer a script that tries again).
 */
public final class Router extends Handler.Abstract {

  private final Map<String, Handler> exact = new ConcurrentHashMap<>();
  private final List<Map.Entry<String, Handler>> prefixes = new ArrayList<>();

  /** Routes exactly {@code path}. */
  public synchronized Router exact(String path, Handler handler) {
    exact.put(path, adopt(handler));
    return this;
  }

  /** Routes every path under {@code prefix} (which must end in '/'). */
  public synchronized Router prefix(String prefix, Handler handler) {
    if (!prefix.endsWith("/")) {
      throw new IllegalArgumentException("prefix must end in '/': " + prefix);
    }
    prefixes.add(Map.entry(prefix, adopt(handler)));
    prefixes.sort((a, b) -> b.getKey().length() - a.getKey().length());
    return this;
  }

  /** The routed paths: exact ones, then prefixes (ending in '/'), longest first. */
  public synchronized java.util.List<String> routes() {
    java.util.List<String> out = new ArrayList<>(new java.util.TreeSet<>(exact.keySet()));
    prefixes.forEach(e -> out.add(e.getKey()));
    return out;
  }

  private Handler adopt(Handler h) {
    h.setServer(getServer());
    addBean(h, true);
    return h;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String raw = request.getHttpURI().getPath();
    if (raw != null && raw.contains("//")) {
      // Empty segments mean nothing (as with pxe_srv): "//redirect" is "/redirect".
      request = collapsed(request, raw.replaceAll("/{2,}", "/"));
    }
    String path = Request.getPathInContext(request);
    Handler h = exact.get(path);
    if (h == null) {
      synchronized (this) {
        for (Map.Entry<String, Handler> e : prefixes) {
          if (path.startsWith(e.getKey())) {
            h = e.getValue();
            break;
          }
        }
      }
    }
    try {
      if (h != null && h.handle(request, response, callback)) {
        return true;
      }
    } catch (BootStore.UnavailableException e) {
      return Unavailable.status(request, response, callback, e);
    }
    return Responses.text(
        request,
        response,
        callback,
        HttpStatus.NOT_FOUND_404,
        "not found: " + Printable.of(path) + "\n");
  }

  /** {@code request} with {@code path} as its path (the query and everything else unchanged). */
  private static Request collapsed(Request request, String path) {
    HttpURI uri = HttpURI.build(request.getHttpURI()).path(path).asImmutable();
    return new Request.Wrapper(request) {
      @Override
      public HttpURI getHttpURI() {
        return uri;
      }
    };
  }
}
