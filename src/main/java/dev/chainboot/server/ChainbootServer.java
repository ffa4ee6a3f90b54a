package dev.chainboot.server;

import dev.chainboot.boot.BootCore;
import dev.chainboot.boot.BootResolver;
import dev.chainboot.config.ConfigFile;
import dev.chainboot.config.HttpsConfig;
import dev.chainboot.config.ProxyDhcpConfig;
import dev.chainboot.config.ServerConfig;
import dev.chainboot.dhcp.BootFileChooser;
import dev.chainboot.dhcp.ProxyDhcpAnswerer;
import dev.chainboot.dhcp.ProxyDhcpServer;
import dev.chainboot.firmware.FirmwareCatalog;
import dev.chainboot.http.HttpServer;
import dev.chainboot.http.Router;
import dev.chainboot.http.Routes;
import dev.chainboot.store.EventWriter;
import dev.chainboot.store.SqliteStore;
import dev.chainboot.store.Store;
import dev.chainboot.store.StoreException;
import dev.chainboot.tftp.TftpServer;
import dev.chainboot.tls.Pem;
import dev.chainboot.tls.TlsMaterial;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.Deque;
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
  private BootResolver resolver;
  private TftpServer tftp;
  private TlsMaterial tls;

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
      events = new EventWriter(store);
      started.push(events);
      resolver = new BootCore(store, events);

      http = new HttpServer(config.http());
      Routes.all(http.router(), config, settings, resolver, events, store, firmware);
      if (config.https().isPresent()) {
        tls = loadTls(config.https().get());
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
        tftp = TftpService.start(config, firmware, http.port());
        started.push(tftp);
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
    BootFileChooser chooser =
        new BootFileChooser(pc.x86_64Efi(), b -> firmware.bytes(b).isPresent(), tls != null);
    ProxyDhcpAnswerer answerer =
        new ProxyDhcpAnswerer(
            chooser, resolver, tls == null ? java.util.List.of() : tls.fingerprints());
    try {
      return new ProxyDhcpServer(answerer, config.advertise(), http.port()).start();
    } catch (IOException e) {
      throw new StartupException("cannot start proxyDHCP: " + e.getMessage(), e);
    }
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
