package dev.chainboot.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The HTTP transport: Jetty 12 core handlers on virtual threads, with the routes {@link Routes}
 * puts on its {@link Router} before {@link #start()}, behind {@link StormControl}.
 */
public final class HttpServer implements AutoCloseable {

  /**
   * Storm control (see {@link Admission}), for file downloads ({@link Routes#DOWNLOADS}) and for
   * all other requests, each kind with these limits of its own.
   *
   * @param maxRequests requests of one kind served at once
   * @param maxPerClient requests of one kind served at once for one client address
   * @param maxWaitMillis how long a request waits for a slot before it is answered 503
   */
  public record Limits(int maxRequests, int maxPerClient, long maxWaitMillis) {

    public static final int DEFAULT_MAX_REQUESTS = 64;
    public static final int DEFAULT_MAX_PER_CLIENT = 4;

    /** Below Jetty's 30 s idle timeout, which would fail a request still waiting. */
    public static final long DEFAULT_MAX_WAIT_MILLIS = 20_000;

    public static final Limits DEFAULTS =
        new Limits(DEFAULT_MAX_REQUESTS, DEFAULT_MAX_PER_CLIENT, DEFAULT_MAX_WAIT_MILLIS);

    public Limits {
      if (maxRequests < 1 || maxPerClient < 1 || maxWaitMillis < 0) {
        throw new IllegalArgumentException("HTTP limits must be positive");
      }
    }
  }

  /** Requests that may wait for a slot at once; beyond, the answer is 503 at once. */
  static final int MAX_WAITING = 10_000;

  private final Server server;
  private final ServerConnector connector;
  private final HttpConfiguration config;
  private final Router router = new Router();
  private ServerConnector tls;
  private final Admission admission;
  private final Admission downloads;
  private final java.util.List<RequestLog> logs = new java.util.concurrent.CopyOnWriteArrayList<>();

  public HttpServer(InetSocketAddress bind) {
    this(bind, Limits.DEFAULTS);
  }

  public HttpServer(InetSocketAddress bind, Limits limits) {
    this(bind, Optional.empty(), "http", false, Optional.of(limits));
  }

  /**
   * The admin listener: HTTPS with {@code tls} (a key store whose key password is {@code
   * password}), and the {@link SecurityHeaders} on every answer; no storm control (operators, not
   * firmware, use it).
   */
  public static HttpServer admin(InetSocketAddress bind, Optional<KeyStore> tls, String password) {
    return new HttpServer(
        bind, tls.map(ks -> new Tls(ks, password)), "admin", true, Optional.empty());
  }

  private record Tls(KeyStore keyStore, String password) {}

  private HttpServer(
      InetSocketAddress bind,
      Optional<Tls> tls,
      String name,
      boolean securityHeaders,
      Optional<Limits> limits) {
    QueuedThreadPool pool = new ConnectionsOnVirtualThreads();
    pool.setName(name);
    pool.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server = new Server(pool);
    HttpConfiguration hc = new HttpConfiguration();
    // pxe_srv (Rack) ignored empty path segments: DHCP options like "http://host:4567//redirect"
    // work; the router collapses them (Router.handle), nothing else changes.
    hc.setUriCompliance(
        UriCompliance.DEFAULT.with("chainboot", UriCompliance.Violation.AMBIGUOUS_EMPTY_SEGMENT));
    hc.setSendServerVersion(false);
    hc.setSendDateHeader(true);
    config = hc;
    if (tls.isPresent()) {
      SslContextFactory.Server ssl = new SslContextFactory.Server();
      ssl.setKeyStore(tls.get().keyStore());
      ssl.setKeyStorePassword(tls.get().password());
      ssl.setKeyManagerPassword(tls.get().password());
      SecureRequestCustomizer src = new SecureRequestCustomizer();
      src.setSniHostCheck(false); // clients reach it by address as often as by name
      hc.addCustomizer(src);
      connector =
          new ServerConnector(
              server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(hc));
    } else {
      connector = new ServerConnector(server, new HttpConnectionFactory(hc));
    }
    connector.setHost(
        bind.getAddress() == null || bind.getAddress().isAnyLocalAddress()
            ? null
            : bind.getAddress().getHostAddress());
    connector.setPort(bind.getPort());
    connector.setReuseAddress(true);
    server.addConnector(connector);
    admission = limits.map(HttpServer::admission).orElse(null);
    downloads = limits.map(HttpServer::admission).orElse(null);
    Handler top = securityHeaders ? new SecurityHeaders(router, tls.isPresent()) : router;
    if (admission != null) {
      top = new StormControl(top, admission, downloads, Routes.UNLIMITED, Routes.DOWNLOADS);
    }
    server.setHandler(top);
    logs.add(new AccessLog(name));
    server.setRequestLog(
        (request, response) -> {
          for (RequestLog l : logs) {
            l.log(request, response);
          }
        });
    server.setStopTimeout(5000);
  }

  private static Admission admission(Limits l) {
    return new Admission(
        l.maxRequests(), l.maxPerClient(), MAX_WAITING, l.maxWaitMillis() * 1_000_000);
  }

  public Router router() {
    return router;
  }

  /**
   * Also answers HTTPS on {@code bind} with the same routes (before {@link #start()}). Clients
   * reach it by IP address as often as by name, so the SNI host check is off: the certificate's
   * names and addresses are the client's business, as in any TLS client.
   *
   * @param keyStore the server key and certificate chain (the chain is what clients get)
   */
  public void addHttps(InetSocketAddress bind, java.security.KeyStore keyStore, char[] password) {
    org.eclipse.jetty.util.ssl.SslContextFactory.Server ssl =
        new org.eclipse.jetty.util.ssl.SslContextFactory.Server();
    ssl.setKeyStore(keyStore);
    ssl.setKeyStorePassword(new String(password));
    ssl.setSniRequired(false);
    HttpConfiguration hc = new HttpConfiguration(config);
    hc.addCustomizer(new org.eclipse.jetty.server.SecureRequestCustomizer(false));
    tls =
        new ServerConnector(
            server,
            new org.eclipse.jetty.server.SslConnectionFactory(ssl, "http/1.1"),
            new HttpConnectionFactory(hc));
    tls.setHost(
        bind.getAddress() == null || bind.getAddress().isAnyLocalAddress()
            ? null
            : bind.getAddress().getHostAddress());
    tls.setPort(bind.getPort());
    tls.setReuseAddress(true);
    server.addConnector(tls);
  }

  /** The HTTPS port actually bound, or -1 without HTTPS. */
  public int httpsPort() {
    return tls == null ? -1 : tls.getLocalPort();
  }

  /** Reverse proxies whose {@code X-Forwarded-For} names the client ({@link Requests#clientIp}). */
  public void trustedProxies(TrustedProxies proxies) {
    server.setAttribute(Requests.TRUSTED_PROXIES, proxies);
  }

  /**
   * Also writes every request to {@code file} in the Common Log Format (pxe_srv's {@code
   * PXESRV_LOG}).
   *
   * @throws IOException when the file cannot be opened for appending
   */
  public void accessLogFile(Path file) throws IOException {
    logs.set(0, new AccessLog("http", file)); // in place of the plain access log
  }

  /** Requests being served now (holding a storm-control slot), downloads included. */
  public int runningRequests() {
    return admission == null ? 0 : admission.running() + downloads.running();
  }

  /** Requests waiting for a slot now, downloads included. */
  public int waitingRequests() {
    return admission == null ? 0 : admission.waiting() + downloads.waiting();
  }

  /** Also tells {@code log} about every completed request (after the access log line). */
  public void addRequestLog(RequestLog log) {
    logs.add(log);
  }

  public void start() throws Exception {
    server.start();
  }

  /** The port actually bound (useful with port 0). */
  public int port() {
    return connector.getLocalPort();
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }

  /**
   * Jetty's thread pool, with every connection it is asked to run handed to a virtual thread. A
   * boot answer sent when its event commits ({@link dev.chainboot.boot.CommitWait}) completes on
   * another thread than the one that handled the request; Jetty then resumes the connection by
   * running it on its executor, which would put the connection's next requests (a kernel download,
   * a once waiting for its batch) on the pool's few platform threads. Selectors and acceptors stay
   * on platform threads.
   */
  private static final class ConnectionsOnVirtualThreads extends QueuedThreadPool {
    @Override
    public void execute(Runnable job) {
      Executor virtual = getVirtualThreadsExecutor();
      if (virtual != null && job instanceof Connection) {
        virtual.execute(job);
      } else {
        super.execute(job);
      }
    }
  }
}
