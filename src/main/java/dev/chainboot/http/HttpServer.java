package dev.chainboot.http;

import java.net.InetSocketAddress;
import java.security.KeyStore;
import java.util.Optional;
import java.util.concurrent.Executors;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The HTTP transport: Jetty 12 core handlers on virtual threads, with the routes {@link Routes}
 * puts on its {@link Router} before {@link #start()}.
 */
public final class HttpServer implements AutoCloseable {

  private final Server server;
  private final ServerConnector connector;
  private final HttpConfiguration config;
  private final Router router = new Router();
  private ServerConnector tls;

  public HttpServer(InetSocketAddress bind) {
    this(bind, Optional.empty(), "http", false);
  }

  /**
   * The admin listener: HTTPS with {@code tls} (a key store whose key password is {@code
   * password}), and the {@link SecurityHeaders} on every answer.
   */
  public static HttpServer admin(InetSocketAddress bind, Optional<KeyStore> tls, String password) {
    return new HttpServer(bind, tls.map(ks -> new Tls(ks, password)), "admin", true);
  }

  private record Tls(KeyStore keyStore, String password) {}

  private HttpServer(
      InetSocketAddress bind, Optional<Tls> tls, String name, boolean securityHeaders) {
    QueuedThreadPool pool = new QueuedThreadPool();
    pool.setName(name);
    pool.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server = new Server(pool);
    HttpConfiguration hc = new HttpConfiguration();
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
    Handler top = securityHeaders ? new SecurityHeaders(router, tls.isPresent()) : router;
    server.setHandler(top);
    server.setRequestLog(new AccessLog(name));
    server.setStopTimeout(5000);
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
}
