package dev.chainboot.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The HTTP transport: Jetty 12 core handlers on virtual threads, with the routes {@link Routes}
 * puts on its {@link Router} before {@link #start()}.
 */
public final class HttpServer implements AutoCloseable {

  private final Server server;
  private final ServerConnector connector;
  private final Router router = new Router();

  public HttpServer(InetSocketAddress bind) {
    QueuedThreadPool pool = new QueuedThreadPool();
    pool.setName("http");
    pool.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server = new Server(pool);
    HttpConfiguration hc = new HttpConfiguration();
    // pxe_srv (Rack) ignored empty path segments: DHCP options like "http://host:4567//redirect"
    // work; the router collapses them (Router.handle), nothing else changes.
    hc.setUriCompliance(
        UriCompliance.DEFAULT.with("chainboot", UriCompliance.Violation.AMBIGUOUS_EMPTY_SEGMENT));
    hc.setSendServerVersion(false);
    hc.setSendDateHeader(true);
    connector = new ServerConnector(server, new HttpConnectionFactory(hc));
    connector.setHost(
        bind.getAddress() == null || bind.getAddress().isAnyLocalAddress()
            ? null
            : bind.getAddress().getHostAddress());
    connector.setPort(bind.getPort());
    connector.setReuseAddress(true);
    server.addConnector(connector);
    server.setHandler(router);
    server.setRequestLog(new AccessLog());
    server.setStopTimeout(5000);
  }

  public Router router() {
    return router;
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
    server.setRequestLog(new AccessLog(file));
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
