package dev.chainboot.http;

import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The HTTP transport: Jetty 12 core handlers on virtual threads, with the routes {@link Routes}
 * puts on its {@link Router} before {@link #start()}, behind {@link StormControl}.
 */
public final class HttpServer implements AutoCloseable {

  /**
   * Storm control (see {@link Admission}).
   *
   * @param maxRequests requests served at once
   * @param maxPerClient requests served at once for one client address
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
  private final Router router = new Router();
  private final Admission admission;

  public HttpServer(InetSocketAddress bind) {
    this(bind, Limits.DEFAULTS);
  }

  public HttpServer(InetSocketAddress bind, Limits limits) {
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
    admission =
        new Admission(
            limits.maxRequests(),
            limits.maxPerClient(),
            MAX_WAITING,
            limits.maxWaitMillis() * 1_000_000);
    server.setHandler(new StormControl(router, admission, Routes.UNLIMITED));
    server.setRequestLog(new AccessLog());
    server.setStopTimeout(5000);
  }

  public Router router() {
    return router;
  }

  /** Requests being served now (holding a storm-control slot). */
  public int runningRequests() {
    return admission.running();
  }

  /** Requests waiting for a slot now. */
  public int waitingRequests() {
    return admission.waiting();
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
