package dev.chainboot.server;

import dev.chainboot.api.LocalControl;
import dev.chainboot.auth.LoginThrottle;
import dev.chainboot.auth.Sessions;
import dev.chainboot.auth.TokenStore;
import dev.chainboot.auth.Tokens;
import dev.chainboot.boot.BootCore;
import dev.chainboot.boot.BootResolver;
import dev.chainboot.boot.Timeline;
import dev.chainboot.config.ConfigFile;
import dev.chainboot.config.HttpsConfig;
import dev.chainboot.config.ProxyDhcpConfig;
import dev.chainboot.config.ServerConfig;
import dev.chainboot.config.TlsFiles;
import dev.chainboot.dhcp.BootFileChooser;
import dev.chainboot.dhcp.ProxyDhcpAnswerer;
import dev.chainboot.dhcp.ProxyDhcpServer;
import dev.chainboot.firmware.FirmwareCatalog;
import dev.chainboot.http.Guard;
import dev.chainboot.http.HttpMetrics;
import dev.chainboot.http.HttpServer;
import dev.chainboot.http.Requests;
import dev.chainboot.http.Router;
import dev.chainboot.http.Routes;
import dev.chainboot.http.StageLog;
import dev.chainboot.http.TrustedProxies;
import dev.chainboot.ipxebuild.IpxeBuilds;
import dev.chainboot.metrics.Metrics;
import dev.chainboot.store.EventWriter;
import dev.chainboot.store.Store;
import dev.chainboot.store.StoreException;
import dev.chainboot.store.Stores;
import dev.chainboot.tftp.TftpServer;
import dev.chainboot.tls.Pem;
import dev.chainboot.tls.TlsMaterial;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
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
  private HttpServer admin;
  private Guard guard;
  private Store store;
  private EventWriter events;
  private Metrics metrics;
  private Timeline timeline;
  private BootResolver resolver;
  private TftpServer tftp;
  private TlsMaterial tls;

  public ChainbootServer(ServerConfig config) {
    this.config = config;
    this.firmware =
        FirmwareCatalog.withDirectories(
            config.firmwareDir().orElse(null), IpxeBuilds.at(config.dataDir()).firmwareDir());
  }

  public ChainbootServer start() throws Exception {
    try {
      Files.createDirectories(config.dataDir());
      Files.createDirectories(config.tftpRoot());
      log.info("data directory {}", config.dataDir().toAbsolutePath());
      log.info("boot binaries: {}", firmware.describe());
      log.info("iPXE builds: {}", IpxeBuilds.at(config.dataDir()).describe());

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
        store = Stores.open(config.db(), config.dataDir(), config.dbPasswordFile());
      } catch (StoreException | IllegalArgumentException e) {
        throw new StartupException(e.getMessage(), e);
      }
      started.push(store);
      metrics = new Metrics();
      Store timed = metrics.timed(store);
      // Several instances share PostgreSQL: an answered boot's event must outlive a crash of this
      // one, so requests wait for their event's (batched) commit.
      boolean shared = Stores.shared(config.db());
      log.info("store: {}", shared ? config.db().get() : config.dataDir().resolve("chainboot.db"));
      events = new EventWriter(timed, 65_536, shared);
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

      http =
          new HttpServer(
              config.http(),
              new HttpServer.Limits(
                  config.limits().maxHttp(),
                  config.limits().maxHttpPerClient(),
                  HttpServer.Limits.DEFAULT_MAX_WAIT_MILLIS));
      http.trustedProxies(TrustedProxies.parse(config.trustedProxies()));
      if (config.pxesrvLog().isPresent()) {
        try {
          http.accessLogFile(config.pxesrvLog().get());
        } catch (IOException e) {
          throw new StartupException(
              "cannot open the access log "
                  + config.pxesrvLog().get()
                  + " (PXESRV_LOG): "
                  + e.getMessage(),
              e);
        }
        log.info("access log (PXESRV_LOG): {}", config.pxesrvLog().get());
      }
      http.addRequestLog(new StageLog(timeline));
      http.addRequestLog(new HttpMetrics(metrics.registry(), Metrics.LATENCY_BUCKETS));
      if (config.https().isPresent()) {
        tls = loadTls(config.https().get());
      }
      Routes.all(
          http.router(),
          config,
          settings,
          resolver,
          timeline,
          timed,
          firmware,
          metrics.registry(),
          tls == null || tls.trusted().isEmpty()
              ? java.util.List.of()
              : java.util.List.of(Pem.encode(tls.trusted())));
      if (config.https().isPresent()) {
        char[] pw = java.util.UUID.randomUUID().toString().toCharArray();
        http.addHttps(config.https().get().bind(), tls.keyStore(pw), pw);
        Routes.httpsEntry(http.router(), config, http::httpsPort);
      }
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
      if (tls != null) {
        log.info(
            "HTTPS listening on {}:{} ({}; firmware is told to trust CA {})",
            hostOf(config.https().get().bind()),
            http.httpsPort(),
            tls.chain().getFirst().getSubjectX500Principal().getName(),
            tls.fingerprintTexts().isEmpty() ? "(none)" : tls.fingerprintTexts());
      }
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
      if (config.admin().isPresent()) {
        started.push(startAdmin(config.admin().get(), tokenStore(store), settings));
      } else {
        log.info("admin listener off (--admin off): no API, no UI");
      }
    } catch (Exception e) {
      close();
      throw e;
    }
    return this;
  }

  /** The HTTPS files, checked; a missing or wrong file stops the start with a clear message. */
  private static TlsMaterial loadTls(HttpsConfig hc) throws StartupException {
    TlsMaterial m;
    try {
      m = TlsMaterial.load(hc.cert(), hc.key(), hc.ca());
    } catch (Pem.PemException e) {
      throw new StartupException(
          "cannot start HTTPS: "
              + e.getMessage()
              + " (make a private CA and server certificate with: chainboot ca init --address"
              + " IP --name NAME; or pass --tls-cert FILE --tls-key FILE)",
          e);
    }
    for (String w : m.warnings(java.time.Instant.now())) {
      log.warn("HTTPS: {}", w);
    }
    return m;
  }

  /** proxyDHCP: answers PXE clients for which the boot core has something to boot. */
  private ProxyDhcpServer startProxyDhcp(ProxyDhcpConfig pc) throws StartupException {
    // A binary is offered when the catalogue has it or the operator put it into DATA/tftp/ under
    // the name the offer names (pixie's snponly32.efi, for one).
    BootFileChooser chooser =
        new BootFileChooser(
            pc.x86_64Efi(),
            b ->
                firmware.bytes(b).isPresent()
                    || Files.isRegularFile(config.tftpRoot().resolve(b.fileName())),
            tls != null);
    ProxyDhcpAnswerer answerer =
        new ProxyDhcpAnswerer(
            chooser, resolver, tls == null ? java.util.List.of() : tls.fingerprints());
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

  /**
   * The admin listener: the REST API and UI sessions, behind tokens (in the store) and sessions (in
   * memory). Warns when it faces the network without TLS.
   */
  private HttpServer startAdmin(
      java.net.InetSocketAddress addr, TokenStore tokens, ConfigFile settings)
      throws StartupException {
    Optional<java.security.KeyStore> tls;
    try {
      tls = config.adminTls().map(TlsFiles::keyStore);
    } catch (IllegalArgumentException e) {
      throw new StartupException(e.getMessage(), e);
    }
    Sessions sessions = new Sessions();
    guard = new Guard(new Tokens(tokens), sessions, new LoginThrottle(), tls.isPresent());
    LocalControl control =
        new LocalControl(
                store,
                Optional.of(tokens),
                resolver,
                () -> firmware,
                () -> settings.zeroOsRunmodes().keySet(),
                "http://127.0.0.1:" + http.port(),
                sessions::closeAllOf)
            .withZeroOsKernels(
                new dev.chainboot.compat.zeroos.ZeroOsKernels(
                    config.kernelsRoot(),
                    settings::zeroOsRunmodes,
                    dev.chainboot.compat.zeroos.ZeroOsKernels.DEFAULT_MAX_BYTES));
    HttpServer server = HttpServer.admin(addr, tls, TlsFiles.STORE_PASSWORD);
    Routes.admin(
        server.router(),
        control,
        guard,
        req -> Requests.urlOnPort(req, config.advertise(), http.port()));
    Routes.metrics(server.router(), guard, metrics::scrape);
    try {
      server.start();
    } catch (Exception e) {
      try {
        server.close();
      } catch (Exception ignored) {
        // not started
      }
      throw new StartupException(
          "cannot listen for the admin API on "
              + hostOf(addr)
              + ":"
              + addr.getPort()
              + ": "
              + e.getMessage()
              + " (choose another with --admin ADDR:PORT, or --admin off)",
          e);
    }
    admin = server;
    String scheme = tls.isPresent() ? "https" : "http";
    log.info("admin API listening on {}://{}:{}", scheme, hostOf(addr), server.port());
    boolean loopback = addr.getAddress() != null && addr.getAddress().isLoopbackAddress();
    if (!loopback && tls.isEmpty()) {
      log.warn(
          "the admin listener {}:{} is reachable from the network without TLS: tokens and"
              + " session cookies cross it in clear text. Give --admin-cert and --admin-key, or"
              + " bind it to 127.0.0.1 (the default) and tunnel to it.",
          hostOf(addr),
          server.port());
    }
    return server;
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

  /** The bound HTTPS port, or -1 without {@code --https}. */
  public int httpsPort() {
    return http.httpsPort();
  }

  /** The admin listener's router (tests list its routes). */
  public Router adminRouter() {
    if (admin == null) {
      throw new IllegalStateException("the admin listener is off");
    }
    return admin.router();
  }

  /** The bound admin port. */
  public int adminPort() {
    if (admin == null) {
      throw new IllegalStateException("the admin listener is off");
    }
    return admin.port();
  }

  /** The admin listener's authentication (tests look at its sessions and throttle). */
  public Guard guard() {
    if (guard == null) {
      throw new IllegalStateException("the admin listener is off");
    }
    return guard;
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

  private static TokenStore tokenStore(Store store) throws StartupException {
    if (store instanceof TokenStore tokens) {
      return tokens;
    }
    throw new StartupException("the admin listener needs a store that keeps API tokens", null);
  }
}
