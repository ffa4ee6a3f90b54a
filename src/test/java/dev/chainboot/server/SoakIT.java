package dev.chainboot.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.testing.Processes;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The short, bounded version of the soak (bench/soak.sh; the full one is 10 000 TFTP transfers and
 * 100 000 HTTP boots over 10 minutes, see docs/operations.md): the packaged jar serves 300 TFTP
 * transfers and 3000 HTTP boots over 30 s, none may fail, and its threads, open fds and RSS must
 * end where they were after warm-up (bench/soak.py decides and exits non-zero otherwise).
 */
class SoakIT {

  @Test
  void threadsFdsAndRssStayFlatUnderSteadyBoots() throws Exception {
    String jar = Path.of(System.getProperty("chainboot.jar", "target/chainboot.jar")).toString();
    ProcessBuilder pb =
        new ProcessBuilder("bench/soak.sh", "30", "300", "3000").redirectErrorStream(true);
    pb.environment().put("JAR", Path.of(jar).toAbsolutePath().toString());
    Processes.Output out = Processes.run(pb, Duration.ofSeconds(420));
    assertThat(out.stdout())
        .as("bench/soak.sh output (exit %d)", out.exit())
        .contains("TFTP 300 ok / 0 failed")
        .contains("HTTP boots 3000 ok / 0 failed")
        .contains("\nflat\n");
    assertThat(out.exit()).as(out.stdout()).isZero();
  }
}
