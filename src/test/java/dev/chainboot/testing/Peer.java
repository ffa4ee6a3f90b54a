package dev.chainboot.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a real client program with a deadline; always kills it. */
public final class Peer {

  public record Result(int exit, String output) {}

  private Peer() {}

  /**
   * Runs {@code command} in {@code dir}, its stdout and stderr going to a temporary file (so a
   * chatty client such as {@code atftp --trace} can never block on a full pipe); exit -1 with
   * "timed out" when it outlives {@code timeout}, after it was killed.
   */
  public static Result run(Path dir, Duration timeout, String... command)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile("peer", ".out");
    Process p =
        new ProcessBuilder(List.of(command))
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    try {
      p.getOutputStream().close();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        return new Result(
            -1,
            "timed out: "
                + String.join(" ", command)
                + "\n"
                + new String(Files.readAllBytes(out), StandardCharsets.UTF_8));
      }
      return new Result(p.exitValue(), new String(Files.readAllBytes(out), StandardCharsets.UTF_8));
    } finally {
      p.destroyForcibly();
      Files.deleteIfExists(out);
    }
  }
}
