package dev.chainboot.metrics;

import dev.chainboot.boot.BootEvent;
import dev.chainboot.store.Store;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * chainboot's meters in one Prometheus registry. Boot decisions, stages, stalls and callbacks are
 * counted from the timeline's events ({@link #observe}, on the boot path: a map lookup and an
 * increment each); store operations are timed by {@link #timed}; HTTP requests and media builds are
 * timed where they happen (package {@code http}) in {@link #registry()}; gauges read the transports
 * when scraped. The meters are listed, with what they mean, in docs/metrics.md.
 */
public final class Metrics {

  /** Latency buckets (seconds) of the HTTP histogram. */
  public static final Duration[] LATENCY_BUCKETS = {
    Duration.ofNanos(100_000),
    Duration.ofMillis(1),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofSeconds(5),
    Duration.ofSeconds(30)
  };

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  private final Map<BootEvent.Match, Map<String, Counter>> boots =
      new EnumMap<>(BootEvent.Match.class);
  private final Counter onceConsumed;
  private final Counter stalls;
  private final Counter tftpBytes;
  private final Counter tftpResends;
  private final Counter installLoops;
  private final Map<String, Counter> cache = new ConcurrentHashMap<>();

  public Metrics() {
    for (BootEvent.Match m : BootEvent.Match.values()) {
      boots.put(m, new ConcurrentHashMap<>());
    }
    onceConsumed =
        Counter.builder("chainboot.once.consumed")
            .description("Once-assignments consumed by a boot")
            .register(registry);
    stalls =
        Counter.builder("chainboot.stalls")
            .description(
                "Times a machine was flagged stalled: it did not reach its next boot stage in time")
            .register(registry);
    tftpBytes =
        Counter.builder("chainboot.tftp.bytes")
            .description("Bytes sent by TFTP transfers and acknowledged by the client")
            .baseUnit("bytes")
            .register(registry);
    tftpResends =
        Counter.builder("chainboot.tftp.resends")
            .description("TFTP packets sent again after a timeout")
            .register(registry);
    installLoops =
        Counter.builder("chainboot.install.loops")
            .description(
                "Installs held until done that booted their maximum without the installer's"
                    + " callback (flagged install loop)")
            .register(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The scrape in Prometheus text format (or OpenMetrics when {@code accept} asks for it). */
  public String scrape(String accept) {
    return registry.scrape(accept == null ? "text/plain" : accept);
  }

  /** A gauge read when scraped (active TFTP transfers, stalled machines, ...). */
  public <T> void gauge(String name, String description, T obj, ToDoubleFunction<T> value) {
    Gauge.builder(name, obj, value).description(description).register(registry);
  }

  /** A counter read when scraped from something that counts by itself. */
  public <T> void counter(String name, String description, T obj, ToDoubleFunction<T> value) {
    FunctionCounter.builder(name, obj, value).description(description).register(registry);
  }

  /** Counts one event of the timeline (every decision and stage, recorded or not). */
  public void observe(BootEvent e) {
    try {
      switch (e.stage()) {
        case SCRIPT -> {
          boots
              .get(e.match())
              .computeIfAbsent(
                  e.profile().orElse(""),
                  p ->
                      Counter.builder("chainboot.boots")
                          .description(
                              "Boot decisions (scripts served), by the rule that matched and the"
                                  + " profile chosen")
                          .tag("match", e.match().name().toLowerCase(Locale.ROOT))
                          .tag("profile", p)
                          .register(registry))
              .increment();
          if (e.onceConsumed()) {
            onceConsumed.increment();
          }
          if (e.detail().containsKey("install_loop")) {
            installLoops.increment();
          }
        }
        case TFTP -> {
          String result = tftpResult(e.detail().getOrDefault("result", ""));
          counter(
                  "chainboot.tftp.transfers",
                  "TFTP transfers (and refused read requests), by result: ok, timeout, refused"
                      + " (an ERROR answered to the request), client (the client sent an ERROR),"
                      + " error (a server-side failure)",
                  "result",
                  result)
              .increment();
          if (!result.equals("ok")) {
            counter(
                    "chainboot.tftp.errors",
                    "TFTP transfers that did not end well, by kind (timeout, refused, client,"
                        + " error)",
                    "kind",
                    result)
                .increment();
          }
          tftpBytes.increment(number(e.detail().get("bytes")));
          tftpResends.increment(number(e.detail().get("resends")));
        }
        case DHCP_OFFER, DHCP_ACK ->
            counter2(
                    "chainboot.dhcp.answers",
                    "proxyDHCP answers sent (once per request, however many interfaces it left"
                        + " by), by client architecture and type (offer, ack)",
                    "arch",
                    archLabel(e.detail().get("arch")),
                    "type",
                    e.stage() == BootEvent.Stage.DHCP_OFFER ? "offer" : "ack")
                .increment();
        case DHCP_IGNORED ->
            counter(
                    "chainboot.dhcp.ignored",
                    "PXE clients' requests proxyDHCP stayed silent for (nothing to boot, no"
                        + " binary for the architecture, ...), by client architecture",
                    "arch",
                    archLabel(e.detail().get("arch")))
                .increment();
        case DOWNLOAD, MEDIA -> {
          String kind = e.stage().label();
          counter2(
                  "chainboot.downloads",
                  "Files fetched over HTTP that are stages of a boot (assets, kernels, initrds,"
                      + " boot binaries: download; boot images: media), by kind and status",
                  "kind",
                  kind,
                  "status",
                  e.detail().getOrDefault("status", "0"))
              .increment();
          counter(
                  "chainboot.download.bytes",
                  "Bytes sent for downloads and media, by kind",
                  "kind",
                  kind)
              .increment(number(e.detail().get("bytes")));
        }
        case CALLBACK ->
            counter(
                    "chainboot.install.callbacks",
                    "Installers' calls to their --until-done URL, by result (done, refused)",
                    "result",
                    e.detail().getOrDefault("result", "refused"))
                .increment();
        case STALLED -> stalls.increment();
        case KERNEL -> {} // an operator's action, not a boot
      }
    } catch (RuntimeException ex) {
      // metrics never break a boot
    }
  }

  private Counter counter(String name, String description, String tag, String value) {
    String key = name + '\u0000' + value;
    Counter c = cache.get(key);
    if (c == null) {
      c =
          cache.computeIfAbsent(
              key,
              k ->
                  Counter.builder(name)
                      .description(description)
                      .tag(tag, value)
                      .register(registry));
    }
    return c;
  }

  private Counter counter2(
      String name, String description, String tag1, String value1, String tag2, String value2) {
    String key = name + '\u0000' + value1 + '\u0000' + value2;
    Counter c = cache.get(key);
    if (c == null) {
      c =
          cache.computeIfAbsent(
              key,
              k ->
                  Counter.builder(name)
                      .description(description)
                      .tag(tag1, value1)
                      .tag(tag2, value2)
                      .register(registry));
    }
    return c;
  }

  /** A TFTP result as a label: ok, timeout, refused, client, error. */
  static String tftpResult(String r) {
    if (r.equals("ok")) {
      return "ok";
    }
    if (r.startsWith("timeout")) {
      return "timeout";
    }
    if (r.startsWith("client error")) {
      return "client";
    }
    if (r.startsWith("error ")) {
      return r.startsWith("error (") ? "error" : "refused";
    }
    return "error";
  }

  /** "7 (EFI_X86_64)" as "efi_x86_64"; a code without a name as "unknown", none as "none". */
  static String archLabel(String detail) {
    if (detail == null || detail.equals("none")) {
      return "none";
    }
    int open = detail.indexOf('(');
    int close = detail.indexOf(')');
    if (open < 0 || close < open) {
      return "unknown";
    }
    return detail.substring(open + 1, close).toLowerCase(Locale.ROOT);
  }

  private static double number(String s) {
    if (s == null) {
      return 0;
    }
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * The store with every operation timed ({@code chainboot_store_operations_seconds}, by operation:
   * the {@link Store} method's name).
   */
  public Store timed(Store store) {
    // one timer per method, made up front into a map nobody writes to afterwards: the concurrent
    // map's computeIfAbsent on every call cost more than a boot view from the cache
    Map<Method, Timer> made = new java.util.HashMap<>();
    for (Method m : Store.class.getMethods()) {
      if (!java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
        made.put(m, storeTimer(m.getName()));
      }
    }
    Map<Method, Timer> timers = Map.copyOf(made);
    InvocationHandler h =
        (proxy, method, args) -> {
          if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
              case "equals" -> proxy == args[0];
              case "hashCode" -> System.identityHashCode(proxy);
              default -> "timed " + store;
            };
          }
          Timer t = timers.get(method);
          if (t == null) {
            t = storeTimer(method.getName()); // the registry returns the meter it has
          }
          long start = System.nanoTime();
          try {
            return method.invoke(store, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          } finally {
            t.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
          }
        };
    return (Store)
        Proxy.newProxyInstance(Store.class.getClassLoader(), new Class<?>[] {Store.class}, h);
  }

  private Timer storeTimer(String operation) {
    return Timer.builder("chainboot.store.operations")
        .description(
            "Store operations (SQLite reads and writes; boot views mostly from memory), by"
                + " operation")
        .tag("operation", operation)
        .register(registry);
  }
}
