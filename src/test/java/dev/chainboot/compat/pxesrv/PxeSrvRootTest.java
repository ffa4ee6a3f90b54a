package dev.chainboot.compat.pxesrv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.boot.BootRequest;
import dev.chainboot.boot.BootResolver;
import dev.chainboot.boot.LayeredResolver;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class PxeSrvRootTest {

  @Test
  void keysAreTheAddressTextAsRackReportsIt() throws Exception {
    assertThat(PxeSrvRoot.key(InetAddress.getByName("10.0.0.5"))).isEqualTo("10.0.0.5");
    assertThat(PxeSrvRoot.key(InetAddress.getByName("::1"))).isEqualTo("::1");
    assertThat(PxeSrvRoot.key(InetAddress.getByName("fe80:0:0:0:0:0:0:1"))).isEqualTo("fe80::1");
    assertThat(PxeSrvRoot.key(InetAddress.getByName("2001:db8:0:0:1:0:0:1")))
        .isEqualTo("2001:db8::1:0:0:1");
    assertThat(PxeSrvRoot.key(InetAddress.getByName("2001:db8:1:2:3:4:5:6")))
        .isEqualTo("2001:db8:1:2:3:4:5:6");
    assertThat(PxeSrvRoot.key(InetAddress.getByName("::"))).isEqualTo("::");
    assertThat(PxeSrvRoot.key(InetAddress.getByName("1:0:2:0:3:0:4:0")))
        .isEqualTo("1:0:2:0:3:0:4:0");
  }

  /**
   * The once rule without HTTP in between: in each of 100 rounds, 16 threads released by one
   * barrier ask the boot core's precedence ({@link LayeredResolver}) over the root as an assignment
   * source for the same client; exactly one gets the once file. (Over HTTP the requests reach the
   * root too far apart to catch a consume whose race window is only a file read long; here they do
   * not.)
   */
  @Test
  @Timeout(60)
  void onceIsConsumedByExactlyOneOfManySimultaneousCallers(@TempDir Path dir) throws Exception {
    Path root = dir.toRealPath();
    Files.createDirectories(root.resolve("once"));
    Files.createDirectories(root.resolve("static"));
    Files.writeString(root.resolve("install"), "#!ipxe\necho install\n");
    Files.writeString(root.resolve("static/10.0.0.5"), "#!ipxe\necho static\n");
    PxeSrvSource source = new PxeSrvSource(new PxeSrvRoot(root));
    LayeredResolver core = new LayeredResolver(BootResolver.NONE, e -> {});
    BootRequest client =
        new BootRequest(
            Optional.empty(),
            InetAddress.getByName("10.0.0.5"),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            BootRequest.Protocol.HTTP);
    int threads = 16;
    int rounds = 100;
    try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      for (int round = 0; round < rounds; round++) {
        Files.createSymbolicLink(root.resolve("once/10.0.0.5"), Path.of("../install"));
        CyclicBarrier go = new CyclicBarrier(threads);
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
          results.add(
              pool.submit(
                  () -> {
                    go.await(10, TimeUnit.SECONDS);
                    return core.resolve(client, "http://h:1", source).text();
                  }));
        }
        int once = 0;
        for (Future<String> f : results) {
          String script = f.get(10, TimeUnit.SECONDS);
          once += script.contains("echo install") ? 1 : 0;
          assertThat(script).containsAnyOf("echo install", "echo static");
        }
        assertThat(once).as("once winners in round %d", round).isEqualTo(1);
        try (var s = Files.list(root.resolve("once"))) {
          assertThat(s).as("round %d", round).isEmpty();
        }
      }
    }
  }
}
