package dev.chainboot.http;

import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.RequestLog;
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
  private final java.util.List<RequestLog> logs =
      new java.util.concurrent.CopyOnWriteArrayList<>(java.util.List.of(new AccessLog()));

  public HttpServer(InetSocketAddress bind) {
    QueuedThreadPool pool = new QueuedThreadPool();
    pool.setName("http");
    pool.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server = new Server(pool);
    HttpConfiguration hc = new HttpConfiguration();
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
