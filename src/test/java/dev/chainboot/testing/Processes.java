package dev.chainboot.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Bounded runs of external programs for tests. Output is drained while the program runs (a program
 * that fills its pipe can never block the test), the wait is bounded, and a program that outlives
 * it is killed, its descendants too, before the test fails with what it printed.
 */
public final class Processes {

  private Processes() {}

  /** What a finished program printed. {@code stderr} is empty when it was merged into stdout. */
  public record Output(int exit, String stdout, String stderr) {
    /** stdout followed by stderr. */
    public String all() {
      return stdout + stderr;
    }
  }

  /** {@link #run(ProcessBuilder, Duration)} with stderr merged into stdout. */
  public static Output run(Duration timeout, String... cmd)
      throws IOException, InterruptedException {
    return run(new ProcessBuilder(List.of(cmd)).redirectErrorStream(true), timeout);
  }

  /**
   * Starts {@code pb} (stdin closed), waits up to {@code timeout} for it to exit and returns its
   * exit code and output; when it does not exit in time it is killed and an AssertionError names
   * the command and what it printed so far.
   */
  public static Output run(ProcessBuilder pb, Duration timeout)
      throws IOException, InterruptedException {
    Process p = pb.start();
    try {
      p.getOutputStream().close();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      Thread o = Thread.ofVirtual().start(() -> copy(p.getInputStream(), out));
      Thread e = Thread.ofVirtual().start(() -> copy(p.getErrorStream(), err));
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        kill(p);
        o.join(2000);
        e.join(2000);
        throw new AssertionError(
            "timed out after "
                + timeout.toSeconds()
                + " s: "
                + String.join(" ", pb.command())
                + "\n"
                + text(out)
                + text(err));
      }
      o.join(10_000);
      e.join(10_000);
      return new Output(p.exitValue(), text(out), text(err));
    } finally {
      if (p.isAlive()) {
        kill(p);
      }
    }
  }

  /**
   * Stops a long-running program: SIGTERM, up to 10 s to exit, then SIGKILL (descendants too) and
   * up to 10 s more. Returns whether it is gone.
   */
  public static boolean stop(Process p) throws InterruptedException {
    if (p == null) {
      return true;
    }
    p.destroy();
    if (p.waitFor(10, TimeUnit.SECONDS)) {
      return true;
    }
    return kill(p);
  }

  /** SIGKILL to the program and its descendants; waits up to 10 s. Returns whether it is gone. */
  public static boolean kill(Process p) throws InterruptedException {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    return p.waitFor(10, TimeUnit.SECONDS);
  }

  private static String text(ByteArrayOutputStream b) {
    synchronized (b) {
      return b.toString(StandardCharsets.UTF_8);
    }
  }

  private static void copy(InputStream in, ByteArrayOutputStream out) {
    byte[] buf = new byte[8192];
    try {
      int n;
      while ((n = in.read(buf)) > 0) {
        synchronized (out) {
          out.write(buf, 0, n);
        }
      }
    } catch (IOException e) {
      // the process ended or was killed
    }
  }
}
