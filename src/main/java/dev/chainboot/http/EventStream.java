package dev.chainboot.http;

import dev.chainboot.api.ApiException;
import dev.chainboot.api.Control;
import dev.chainboot.api.Json;
import dev.chainboot.api.JsonViews;
import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.store.EventFilter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.FutureCallback;
import org.eclipse.jetty.util.component.Graceful;

/**
 * {@code GET /events/stream?after=ID&mac=MAC}: boot events as server-sent events ({@code
 * text/event-stream}), each {@code event: boot}, {@code id:} its store id and {@code data:} its
 * JSON view (the API's, so fields added to events appear here too). It polls the store for events
 * after the last id sent, so it sees the boots of every instance sharing the store. A stream is
 * bounded: it ends after {@link #MAX_AGE} (the browser's EventSource reconnects with {@code
 * Last-Event-ID} and continues where it stopped), sends a comment line every {@link #KEEPALIVE} of
 * silence, and stops at the first failed write (the page went away).
 */
final class EventStream extends Handler.Abstract implements Graceful {

  static final String PATH = "/events/stream";
  static final Duration POLL = Duration.ofMillis(500);
  static final Duration KEEPALIVE = Duration.ofSeconds(15);
  static final Duration MAX_AGE = Duration.ofMinutes(5);
  private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);
  private static final int BATCH = 100;

  private final Control control;

  /** Set when the server stops: open streams end at once instead of holding the stop up. */
  private final CountDownLatch stopping = new CountDownLatch(1);

  EventStream(Control control) {
    this.control = control;
  }

  @Override
  public CompletableFuture<Void> shutdown() {
    stopping.countDown();
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public boolean isShutdown() {
    return stopping.getCount() == 0;
  }

  @Override
  public boolean handle(Request req, Response resp, Callback cb) throws Exception {
    if (!Methods.allowed(req, resp, cb, Methods.GET)) {
      return true;
    }
    Optional<MacAddress> mac;
    long after;
    try {
      String m = Requests.query(req).getValue("mac");
      mac = m == null || m.isBlank() ? Optional.empty() : Optional.of(JsonViews.mac("mac", m));
      String last = req.getHeaders().get("Last-Event-ID");
      String a = last != null ? last : Requests.query(req).getValue("after");
      after = a == null || a.isBlank() ? newestId() : Long.parseLong(a.strip());
    } catch (ApiException e) {
      return Responses.text(req, resp, cb, 400, e.getMessage() + "\n");
    } catch (NumberFormatException e) {
      return Responses.text(req, resp, cb, 400, "after must be an event id\n");
    }
    resp.setStatus(200);
    resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
    resp.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    resp.getHeaders().put("X-Accel-Buffering", "no");
    AtomicBoolean gone = new AtomicBoolean();
    req.addFailureListener(t -> gone.set(true)); // the client closed the connection
    long end = System.nanoTime() + MAX_AGE.toNanos();
    long quietSince = System.nanoTime();
    try {
      write(resp, "retry: 1000\n\n");
      EventFilter filter = EventFilter.newest(BATCH).withMac(mac);
      while (!gone.get() && !isShutdown() && isRunning() && System.nanoTime() < end) {
        List<BootEvent> events = control.events(filter.withAfter(after));
        if (!events.isEmpty()) {
          StringBuilder b = new StringBuilder();
          for (BootEvent e : events) {
            b.append("event: boot\nid: ")
                .append(e.id())
                .append("\ndata: ")
                .append(Json.write(JsonViews.event(e)))
                .append("\n\n");
            after = Math.max(after, e.id());
          }
          write(resp, b.toString());
          quietSince = System.nanoTime();
          if (events.size() == BATCH) {
            continue; // more are waiting
          }
        } else if (System.nanoTime() - quietSince > KEEPALIVE.toNanos()) {
          write(resp, ": keepalive\n\n");
          quietSince = System.nanoTime();
        }
        stopping.await(POLL.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // the client went away (or the store failed): end this stream; the browser reconnects
      cb.failed(e);
      return true;
    }
    if (gone.get()) {
      cb.failed(new java.io.EOFException("the client closed the event stream"));
      return true;
    }
    resp.write(true, null, cb);
    return true;
  }

  private long newestId() {
    return control.events(EventFilter.newest(1)).stream().mapToLong(BootEvent::id).max().orElse(0);
  }

  private static void write(Response resp, String text) throws Exception {
    FutureCallback done = new FutureCallback();
    resp.write(false, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), done);
    done.get(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }
}
