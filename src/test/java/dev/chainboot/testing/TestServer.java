package dev.chainboot.testing;

import dev.chainboot.config.ServerConfig;
import dev.chainboot.server.ChainbootServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A real chainboot server on 127.0.0.1:0 over a temporary data directory (TFTP off unless asked).
 */
public final class TestServer implements AutoCloseable {

  public final ChainbootServer server;
  public final HttpClient client = HttpClient.newHttpClient();

  public TestServer(Path data) throws Exception {
    this(data, false);
  }

  /** With {@code tftp}, TFTP listens on 127.0.0.1:0 too. */
  public TestServer(Path data, boolean tftp) throws Exception {
    server =
        new ChainbootServer(
                ServerConfig.builder(data)
                    .tftp(
                        tftp
                            ? Optional.of(new InetSocketAddress("127.0.0.1", 0))
                            : Optional.empty())
                    .http(new InetSocketAddress("127.0.0.1", 0))
                    .build())
            .start();
  }

  public String base() {
    return "http://127.0.0.1:" + server.httpPort();
  }

  public HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
    return get(pathAndQuery, null);
  }

  public HttpResponse<String> get(String pathAndQuery, String userAgent)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + pathAndQuery));
    if (userAgent != null) {
      b.header("User-Agent", userAgent);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() {
    server.close();
  }
}
