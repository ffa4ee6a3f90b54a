package dev.chainboot.ipxebuild;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs one program (make) in a directory with a time limit: stdin closed, output read as it comes
 * (the last {@link #TAIL_LINES} lines kept for the error message, every line handed to a listener),
 * and on timeout the program and all its descendants killed.
 */
final class Make {

  static final int TAIL_LINES = 30;

  private Make() {}

  /** How a run ended: exit code (or -1 after a timeout) and the last lines printed. */
  record Result(int exit, boolean timedOut, List<String> tail, Duration took) {
    boolean ok() {
      return !timedOut && exit == 0;
    }

    String tailText() {
      return String.join("\n", tail);
    }
  }

  static Result run(List<String> command, Path dir, Duration timeout, Consumer<String> lines)
      throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    ProcessBuilder pb =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().put("LC_ALL", "C");
    Process p = pb.start();
    Deque<String> tail = new ArrayDeque<>();
    Thread reader =
        Thread.ofVirtual()
            .start(
                () -> {
                  try (BufferedReader r =
                      new BufferedReader(
                          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                      synchronized (tail) {
                        tail.addLast(line.length() > 500 ? line.substring(0, 500) + "..." : line);
                        if (tail.size() > TAIL_LINES) {
                          tail.removeFirst();
                        }
                      }
                      lines.accept(line);
                    }
                  } catch (IOException e) {
                    // the program ended or was killed
                  }
                });
    try {
      p.getOutputStream().close();
      boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!done) {
        kill(p);
      }
      reader.join(5000);
      List<String> t;
      synchronized (tail) {
        t = List.copyOf(tail);
      }
      return new Result(
          done ? p.exitValue() : -1, !done, t, Duration.ofNanos(System.nanoTime() - t0));
    } finally {
      if (p.isAlive()) {
        kill(p);
      }
    }
  }

  /** SIGTERM to the program and its descendants (make removes half-written targets), then KILL. */
  static void kill(Process p) throws InterruptedException {
    List<ProcessHandle> all = p.descendants().toList();
    all.forEach(ProcessHandle::destroy);
    p.destroy();
    if (!p.waitFor(5, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      all.forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      p.waitFor(5, TimeUnit.SECONDS);
    }
  }
}
