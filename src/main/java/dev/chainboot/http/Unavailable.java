package dev.chainboot.http;

import dev.chainboot.boot.BootStore;
import dev.chainboot.ipxe.ChainScripts;
import dev.chainboot.text.Printable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one answer to "the database cannot be reached now" ({@link BootStore.UnavailableException}):
 * a boot URL answers 200 with a script that waits and asks the same URL again (a machine is never
 * stranded by a 5xx), everything else 503 with {@code Retry-After}. Logged at most once a second.
 */
final class Unavailable {

  private static final Logger log = LoggerFactory.getLogger(Unavailable.class);
  private static final AtomicLong lastLog = new AtomicLong();

  private Unavailable() {}

  /** The boot answer: a script that tries the same URL again in a few seconds. */
  static boolean bootScript(
      Request req, Response resp, Callback cb, BootStore.UnavailableException e) {
    note(req, e);
    String base = Requests.baseUrl(req);
    String query = req.getHttpURI().getQuery();
    String url = base + req.getHttpURI().getPath() + (query == null ? "" : "?" + query);
    return Responses.script(req, resp, cb, 200, ChainScripts.tryAgain(url, base));
  }

  /** Any other answer: 503, try again in a few seconds. */
  static boolean status(Request req, Response resp, Callback cb, BootStore.UnavailableException e) {
    note(req, e);
    resp.getHeaders().put(HttpHeader.RETRY_AFTER, ChainScripts.TRY_AGAIN_SECONDS);
    return Responses.text(
        req,
        resp,
        cb,
        503,
        "chainboot: the database is not reachable just now; try again in a few seconds\n");
  }

  /** The unavailability a deferred commit failed with ({@link dev.chainboot.boot.CommitWait}). */
  static BootStore.UnavailableException of(Throwable failure) {
    Throwable t = failure;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t instanceof BootStore.UnavailableException u
        ? u
        : new BootStore.UnavailableException(
            "the boot event could not be recorded: " + t.getMessage(), t);
  }

  private static void note(Request req, BootStore.UnavailableException e) {
    long now = System.nanoTime();
    long last = lastLog.get();
    if (now - last > 1_000_000_000L && lastLog.compareAndSet(last, now)) {
      log.warn(
          "{} {}: {} (answered 'try again'; logged once a second)",
          req.getMethod(),
          Printable.of(req.getHttpURI().getPath()),
          Printable.of(e.getMessage()));
    }
  }
}
