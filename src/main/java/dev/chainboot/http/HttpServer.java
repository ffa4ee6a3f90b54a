package dev.chainboot.http;

import java.net.InetSocketAddress;
import java.security.KeyStore;
import java.util.Optional;
import java.util.concurrent.Executors;
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
 * puts on its {@link Router} before {@link #start()}.
 */
public final class HttpServer implements AutoCloseable {

  private final Server server;
  private final ServerConnector connector;
  private final Router router = new Router();
  private final java.util.List<RequestLog> logs = new java.util.concurrent.CopyOnWriteArrayList<>();

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
    logs.add(new AccessLog(name));
    server.setRequestLog(
        (request, response) -> {
          for (RequestLog l : logs) {
            l.log(request, response);
          }
        });
    server.setStopTimeout(5000);
  }

  public Router router() {
    return router;
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
}
