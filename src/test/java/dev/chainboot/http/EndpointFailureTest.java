package dev.chainboot.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.boot.BootStore;
import dev.chainboot.testing.Curl;
import java.util.List;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;

/**
 * An API endpoint whose store query finds the database gone (after the token check succeeded)
 * answers 503 with Retry-After, like every other route, not 500: a client retries a 503.
 */
class EndpointFailureTest {

  @Test
  void anUnreachableDatabaseIs503WithRetryAfterAndOtherFailuresStay500() throws Exception {
    Handler down =
        ApiEndpoints.endpoint(
            List.of("GET"),
            (req, resp, cb) -> {
              throw new BootStore.UnavailableException("the database cannot be reached now", null);
            });
    Handler broken =
        ApiEndpoints.endpoint(
            List.of("GET"),
            (req, resp, cb) -> {
              throw new IllegalStateException("a bug");
            });
    for (Object[] c : new Object[][] {{down, 503}, {broken, 500}}) {
      Server server = new Server();
      ServerConnector connector = new ServerConnector(server);
      connector.setHost("127.0.0.1");
      server.addConnector(connector);
      server.setHandler((Handler) c[0]);
      server.start();
      try {
        Curl.Result r = Curl.run("http://127.0.0.1:" + connector.getLocalPort() + "/api/v1/x");
        assertThat(r.status()).isEqualTo(c[1]);
        if ((int) c[1] == 503) {
          assertThat(r.header("Retry-After")).isNotBlank();
        }
      } finally {
        server.stop();
      }
    }
  }
}
