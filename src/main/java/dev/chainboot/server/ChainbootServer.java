package dev.chainboot.server;

import dev.chainboot.boot.BootCore;
import dev.chainboot.boot.BootResolver;
import dev.chainboot.boot.Timeline;
import dev.chainboot.config.ConfigFile;
import dev.chainboot.config.ProxyDhcpConfig;
import dev.chainboot.config.ServerConfig;
import dev.chainboot.dhcp.BootFileChooser;
import dev.chainboot.dhcp.ProxyDhcpAnswerer;
import dev.chainboot.dhcp.ProxyDhcpServer;
import dev.chainboot.firmware.FirmwareCatalog;
import dev.chainboot.http.HttpMetrics;
import dev.chainboot.http.HttpServer;
import dev.chainboot.http.Router;
import dev.chainboot.http.Routes;
import dev.chainboot.http.StageLog;
import dev.chainboot.metrics.Metrics;
import dev.chainboot.store.EventWriter;
import dev.chainboot.store.SqliteStore;
import dev.chainboot.store.Store;
import dev.chainboot.store.StoreException;
import dev.chainboot.tftp.TftpServer;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Assembles one chainboot process from a {@link ServerConfig}: the data directory, the firmware
 * catalogue and the transports. Closing it stops the transports in reverse order.
 */
public final class ChainbootServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ChainbootServer.class);

  private final ServerConfig config;
  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private final FirmwareCatalog firmware;
  private HttpServer http;
  private Store store;
  private EventWriter events;
  private Metrics metrics;
  private Timeline timeline;
  private BootResolver resolver;
  private TftpServer tftp;

  public ChainbootServer(ServerConfig config) {
    this.config = config;
    this.firmware = FirmwareCatalog.withDirectory(config.firmwareDir().orElse(null));
  }

  public ChainbootServer start() throws Exception {
    try {
      Files.createDirectories(config.dataDir());
      Files.createDirectories(config.tftpRoot());
      log.info("data directory {}", config.dataDir().toAbsolutePath());
      log.info("boot binaries: {}", firmware.describe());

      ConfigFile settings;
      try {
        settings = ConfigFile.load(config.configPath());
      } catch (IllegalArgumentException e) {
        throw new StartupException(e.getMessage(), e);
      }
      Files.createDirectories(config.assetsRoot());
      Files.createDirectories(config.kernelsRoot());
      Files.createDirectories(config.scriptsRoot());

      try {
        store = SqliteStore.open(config.dataDir());
      } catch (StoreException e) {
        throw new StartupException(e.getMessage(), e);
      }
      started.push(store);
      metrics = new Metrics();
      Store timed = metrics.timed(store);
      events = new EventWriter(timed);
      started.push(events);
      // One stream: decisions and stages go through the timeline (stalls, machine by address),
      // are counted, and the recorded ones are written in batches.
      EventWriter writer = events;
      Metrics m = metrics;
      timeline =
          new Timeline(
              timed,
              e -> {
                m.observe(e);
                if (e.stage().recorded()) {
                  writer.accept(e);
                }
              },
              Clock.systemUTC(),
              config.stallAfter());
      resolver = new BootCore(timed, timeline);
      started.push(startStallWatch(timeline));
      metrics.gauge(
          "chainboot.machines.stalled",
          "Machines flagged stalled now: they stopped between two stages of their boot for"
              + " longer than --stall-after",
          timeline,
          Timeline::stalledCount);
      metrics.counter(
          "chainboot.boot.events.dropped",
          "Boot timeline events that could not be recorded (queue full or the store failing)",
          events,
          EventWriter::dropped);

      http = new HttpServer(config.http());
      http.addRequestLog(new StageLog(timeline));
      http.addRequestLog(new HttpMetrics(metrics.registry(), Metrics.LATENCY_BUCKETS));
      Routes.all(
          http.router(), config, settings, resolver, timeline, timed, firmware, metrics.registry());
      // Until the admin listener exists, the metrics are served beside the boot routes.
      Routes.metrics(http.router(), metrics::scrape);
      try {
        http.start();
      } catch (IOException e) {
        throw new StartupException(
            "cannot listen for HTTP on "
                + hostOf(config.http())
                + ":"
                + config.http().getPort()
                + ": "
                + e.getMessage()
                + " (choose another with --http ADDR:PORT)",
            e);
      }
      started.push(http);
      log.info("HTTP listening on {}:{}", hostOf(config.http()), http.port());
      if (config.tftp().isPresent()) {
        tftp = TftpService.start(config, firmware, http.port(), timeline);
        started.push(tftp);
        TftpServer t = tftp;
        metrics.gauge(
            "chainboot.tftp.active.transfers",
            "TFTP transfers running now",
            t,
            TftpServer::activeTransfers);
        log.info("TFTP listening on {}:{}", hostOf(config.tftp().get()), tftp.port());
      } else {
        log.info("TFTP disabled (--tftp off)");
      }
      if (config.proxyDhcp().isPresent()) {
        started.push(startProxyDhcp(config.proxyDhcp().get()));
      }
    } catch (Exception e) {
      close();
      throw e;
    }
    return this;
  }

  /** proxyDHCP: answers PXE clients for which the boot core has something to boot. */
  private ProxyDhcpServer startProxyDhcp(ProxyDhcpConfig pc) throws StartupException {
    BootFileChooser chooser =
        new BootFileChooser(pc.x86_64Efi(), b -> firmware.bytes(b).isPresent());
    ProxyDhcpAnswerer answerer = new ProxyDhcpAnswerer(chooser, resolver);
    try {
      return new ProxyDhcpServer(answerer, timeline, config.advertise(), http.port()).start();
    } catch (IOException e) {
      throw new StartupException("cannot start proxyDHCP: " + e.getMessage(), e);
    }
  }

  /** Checks for stalled machines a few times per stall time (at least every 5 s). */
  private static AutoCloseable startStallWatch(Timeline timeline) {
    long every = Math.max(50, Math.min(5_000, timeline.stallAfter().toMillis() / 4));
    ScheduledExecutorService ex =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("stall-watch").unstarted(r));
    ex.scheduleWithFixedDelay(
        () -> {
          try {
            timeline.checkStalls();
          } catch (RuntimeException e) {
            log.warn("stall check failed: {}", e.toString());
          }
        },
        every,
        every,
        TimeUnit.MILLISECONDS);
    return ex::shutdownNow;
  }

  private static String hostOf(java.net.InetSocketAddress a) {
    return a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
  }

  public FirmwareCatalog firmware() {
    return firmware;
  }

  /** The boot core: transports and compat adapters resolve through this. */
  public BootResolver resolver() {
    return resolver;
  }

  /** The store in the data directory (open while the server runs). */
  public Store store() {
    return store;
  }

  /** Every machine's boot timeline: stalls, stages. */
  public Timeline timeline() {
    return timeline;
  }

  /** The metrics registry. */
  public Metrics metrics() {
    return metrics;
  }

  /** The background boot-event writer (tests call flush()). */
  public EventWriter events() {
    return events;
  }

  /** The HTTP router, for features (and tests) that add routes. */
  public Router httpRouter() {
    return http.router();
  }

  public int httpPort() {
    return http.port();
  }

  /** The bound TFTP port (useful when configured as port 0). */
  public int tftpPort() {
    if (tftp == null) {
      throw new IllegalStateException("TFTP is disabled");
    }
    return tftp.port();
  }

  @Override
  public void close() {
    while (!started.isEmpty()) {
      AutoCloseable c = started.pop();
      try {
        c.close();
      } catch (Exception e) {
        log.warn("error while stopping {}: {}", c.getClass().getSimpleName(), e.toString());
      }
    }
  }
}
