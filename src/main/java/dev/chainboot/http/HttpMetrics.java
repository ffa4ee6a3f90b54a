package dev.chainboot.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;

/**
 * {@code chainboot_http_requests_seconds}: every HTTP request timed from its first byte to its
 * completion, by route (as {@link Router} matched it: bounded), method and status, with latency
 * buckets for histograms.
 */
public final class HttpMetrics implements RequestLog {

  private static final Set<String> METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

  private record Key(String route, String method, int status) {}

  private final MeterRegistry registry;
  private final Duration[] buckets;
  private final Map<Key, Timer> timers = new ConcurrentHashMap<>();

  public HttpMetrics(MeterRegistry registry, Duration[] buckets) {
    this.registry = registry;
    this.buckets = buckets.clone();
  }

  @Override
  public void log(Request request, Response response) {
    long nanos = System.nanoTime() - request.getBeginNanoTime();
    Object route = request.getAttribute(Router.ROUTE);
    String method = request.getMethod();
    Key key =
        new Key(
            route instanceof String r ? r : "unmatched",
            METHODS.contains(method) ? method : "other",
            response.getStatus());
    Timer t = timers.get(key);
    if (t == null) {
      t =
          timers.computeIfAbsent(
              key,
              k ->
                  Timer.builder("chainboot.http.requests")
                      .description(
                          "HTTP requests from the first byte to the last, by route (unmatched: no"
                              + " route), method and status")
                      .tag("route", k.route())
                      .tag("method", k.method())
                      .tag("status", Integer.toString(k.status()))
                      .serviceLevelObjectives(buckets)
                      .register(registry));
    }
    t.record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
  }
}
