package dev.chainboot.testing;

import dev.chainboot.api.Json;
import dev.chainboot.auth.Role;
import dev.chainboot.config.ServerConfig;
import dev.chainboot.config.TlsFiles;
import dev.chainboot.server.ChainbootServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * A real chainboot server with its admin listener (REST API, UI sessions) on 127.0.0.1:0, the boot
 * listener on 127.0.0.1:0, TFTP off, and one API token per role, for API and auth tests.
 */
public final class AdminServer implements AutoCloseable {

  public final ChainbootServer server;
  public final Map<Role, String> tokens = new EnumMap<>(Role.class);
  public final HttpClient client;
  private final boolean tls;

  public AdminServer(Path data) throws Exception {
    this(data, Optional.empty());
  }

  /** With {@code tls}, the admin listener speaks HTTPS; the client trusts {@code trust}. */
  public AdminServer(Path data, Optional<TlsFiles> tls) throws Exception {
    this.tls = tls.isPresent();
    server =
        new ChainbootServer(
                ServerConfig.builder(data)
                    .http(new InetSocketAddress("127.0.0.1", 0))
                    .admin(Optional.of(new InetSocketAddress("127.0.0.1", 0)))
                    .adminTls(tls)
                    .build())
            .start();
    for (Role r : Role.values()) {
      tokens.put(r, server.guard().tokens().create("test-" + r.id(), r).secret());
    }
    HttpClient.Builder b =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER);
    if (tls.isPresent()) {
      b.sslContext(Certs.trusting(tls.get().cert()));
    }
    client = b.build();
  }

  public String adminBase() {
    return (tls ? "https" : "http") + "://127.0.0.1:" + server.adminPort();
  }

  public String bootBase() {
    return "http://127.0.0.1:" + server.httpPort();
  }

  public String token(Role r) {
    return tokens.get(r);
  }

  /** An answer: status, headers, body. */
  public record Answer(int status, java.net.http.HttpHeaders headers, String body) {
    public JsonNode json() {
      return Json.parse(body);
    }

    public Optional<String> header(String name) {
      return headers.firstValue(name);
    }
  }

  /** {@code method path} on the admin listener with {@code token} (or none), a JSON body. */
  public Answer call(String method, String path, String token, String body, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(adminBase() + path)).timeout(Duration.ofSeconds(60));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
      b.method(method, HttpRequest.BodyPublishers.ofString(body));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.headers(), r.body());
  }

  /** {@link #call} as the admin. */
  public Answer admin(String method, String path, String body, String... headers)
      throws IOException, InterruptedException {
    return call(method, path, token(Role.ADMIN), body, headers);
  }

  public Answer get(String path, Role role) throws IOException, InterruptedException {
    return call("GET", path, token(role), null);
  }

  /** The HTTP methods the API takes. */
  public static final List<String> METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE");

  @Override
  public void close() {
    client.close();
    server.close();
  }
}
