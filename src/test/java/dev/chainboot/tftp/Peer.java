package dev.chainboot.tftp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a real client program with a deadline; always kills it. */
final class Peer {

  record Result(int exit, String output) {}

  private Peer() {}

  static Result run(Path dir, Duration timeout, String... command)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(List.of(command)).directory(dir.toFile())
        .redirectErrorStream(true).start();
    try {
      p.getOutputStream().close();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        return new Result(-1, "timed out: " + String.join(" ", command));
      }
      return new Result(p.exitValue(),
          new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    } finally {
      p.destroyForcibly();
    }
  }
}
