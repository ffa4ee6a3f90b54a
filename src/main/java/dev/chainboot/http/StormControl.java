package dev.chainboot.http;

import dev.chainboot.ipxe.ChainScripts;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds how many requests are served at once ({@link Admission}: a global and a per-client limit,
 * waiting requests served client by client in turn), file downloads ({@link Routes#DOWNLOADS}) and
 * everything else (scripts, decisions, callbacks) each with limits of their own: a download holds
 * its slot for seconds, a script for a millisecond, and in a storm a machine asking for its script
 * must not wait behind a thousand kernels and initrds. A request that gets no slot in time is
 * answered {@code 503} with a jittered {@code Retry-After}, which iPXE honours by asking again
 * after that many seconds (its HTTP core retries any error answer that carries the header), so an
 * overloaded server makes machines come back later instead of failing their boot. iPXE asking for
 * {@code /boot.ipxe} or the resolver also gets the retry as a script in the body ({@link
 * ChainScripts#busy}). Paths in {@link Routes#UNLIMITED} (health, the API) are never held back.
 */
final class StormControl extends Handler.Wrapper {

  private static final Logger log = LoggerFactory.getLogger("http");

  /** Shortest {@code Retry-After}, in seconds. */
  static final int MIN_RETRY_SECONDS = 2;

  /** Overload answers are summed up in one log line this often. */
  private static final long LOG_NANOS = 10_000_000_000L;

  private final Admission requests;
  private final Admission downloads;
  private final Paths unlimited;
  private final Paths downloadPaths;
  private final AtomicLong refused = new AtomicLong();
  private volatile long lastLog = System.nanoTime() - LOG_NANOS;

  /**
   * @param requests the slots of everything but downloads
   * @param downloads the slots of requests for {@code downloadPaths}
   * @param unlimited paths never held back
   * @param downloadPaths paths that are file downloads (exact, or a prefix ending in '/')
   */
  StormControl(
      Handler next,
      Admission requests,
      Admission downloads,
      List<String> unlimited,
      List<String> downloadPaths) {
    super(next);
    this.requests = requests;
    this.downloads = downloads;
    this.unlimited = new Paths(unlimited);
    this.downloadPaths = new Paths(downloadPaths);
  }

  /**
   * Exact paths and one-segment prefixes ({@code /assets/}), matched with two set lookups instead
   * of a {@code startsWith} per entry: this runs for every request.
   */
  static final class Paths {
    private final java.util.Set<String> exact = new java.util.HashSet<>();
    private final java.util.Set<String> prefixes = new java.util.HashSet<>();

    Paths(List<String> paths) {
      for (String p : paths) {
        if (!p.startsWith("/")) {
          throw new IllegalArgumentException("not an absolute path: " + p);
        }
        if (p.endsWith("/")) {
          if (p.indexOf('/', 1) != p.length() - 1) {
            throw new IllegalArgumentException("a prefix is one path segment: " + p);
          }
          prefixes.add(p);
        } else {
          exact.add(p);
        }
      }
    }

    boolean matches(String path) {
      if (exact.contains(path)) {
        return true;
      }
      int slash = path.indexOf('/', 1);
      return slash > 0 && prefixes.contains(path.substring(0, slash + 1));
    }
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String path = Request.getPathInContext(request);
    if (unlimited.matches(path)) {
      return super.handle(request, response, callback);
    }
    Admission admission = downloadPaths.matches(path) ? downloads : requests;
    Admission.Ticket ticket = admission.enter(Requests.clientIp(request));
    if (ticket instanceof Admission.Refused r) {
      return overloaded(request, response, callback, path, admission, r.waiting());
    }
    Admission.Slot slot = (Admission.Slot) ticket;
    AtomicBoolean left = new AtomicBoolean();
    Runnable leave =
        () -> {
          if (left.compareAndSet(false, true)) {
            admission.leave(slot);
          }
        };
    Callback releasing =
        new Callback.Nested(callback) {
          @Override
          public void succeeded() {
            leave.run();
            super.succeeded();
          }

          @Override
          public void failed(Throwable x) {
            leave.run();
            super.failed(x);
          }
        };
    try {
      if (super.handle(request, response, releasing)) {
        return true;
      }
      leave.run();
      return false;
    } catch (Throwable t) {
      leave.run();
      throw t;
    }
  }

  private boolean overloaded(
      Request request,
      Response response,
      Callback callback,
      String path,
      Admission admission,
      int waiting) {
    int seconds = retryAfterSeconds(waiting);
    response.getHeaders().put(HttpHeader.RETRY_AFTER, seconds);
    long n = refused.incrementAndGet();
    long now = System.nanoTime();
    if (now - lastLog >= LOG_NANOS) {
      lastLog = now;
      refused.addAndGet(-n);
      log.warn(
          "HTTP busy: {} requests answered 503 since the last report ({} {} running, {} waiting"
              + " longer than {} ms); clients retry after Retry-After",
          n,
          admission.running(),
          admission == downloads ? "downloads" : "requests",
          waiting,
          admission.maxWaitMillis());
    }
    if (Requests.fromIpxe(request)
        && (path.equals(ChainScripts.BOOT_PATH) || path.equals(ChainScripts.RESOLVE_PATH))) {
      return Responses.script(
          request,
          response,
          callback,
          503,
          ChainScripts.busy(
              Requests.baseUrl(request),
              BootEndpoints.profileParam(Requests.query(request)),
              seconds,
              waiting));
    }
    return Responses.text(
        request,
        response,
        callback,
        503,
        "chainboot: busy (" + waiting + " requests waiting), retry in " + seconds + " s\n");
  }

  /**
   * A jittered wait, longer the more requests are waiting, so that turned-away machines do not all
   * come back at the same moment: {@link #MIN_RETRY_SECONDS} plus up to 4 s, plus a second per 100
   * waiting requests (at most 20 more).
   */
  static int retryAfterSeconds(int waiting) {
    int spread = 4 + Math.min(20, waiting / 100);
    return MIN_RETRY_SECONDS + ThreadLocalRandom.current().nextInt(spread + 1);
  }
}
