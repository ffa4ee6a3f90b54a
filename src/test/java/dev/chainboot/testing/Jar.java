package dev.chainboot.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Runs the real shaded jar (failsafe's chainboot.jar) as a separate process. */
public final class Jar {

  public record Result(int code, String out, String err) {}

  private Jar() {}

  public static List<String> command(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-jar");
    cmd.add(System.getProperty("chainboot.jar", "target/chainboot.jar"));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** Runs the jar with {@code args} to completion within 120 s; killed and failed otherwise. */
  public static Result run(String... args) throws IOException, InterruptedException {
    dev.chainboot.testing.Processes.Output o =
        dev.chainboot.testing.Processes.run(
            new ProcessBuilder(command(args)), Duration.ofSeconds(120));
    return new Result(o.exit(), o.stdout(), o.stderr());
  }

  /** {@link #run(String...)} with these environment variables added. */
  public static Result runWithEnv(java.util.Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command(args));
    pb.environment().putAll(env);
    dev.chainboot.testing.Processes.Output o =
        dev.chainboot.testing.Processes.run(pb, Duration.ofSeconds(120));
    return new Result(o.exit(), o.stdout(), o.stderr());
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** A running {@code chainboot serve} process. */
  public static final class Server implements AutoCloseable {
    public final Process process;
    public final int port;
    public final Path log;

    public Server(Path data, Path log, String... extra) throws Exception {
      this(data, log, Duration.ofSeconds(90), extra);
    }

    /** A server that may take up to {@code startup} to answer /health (several start at once). */
    public Server(Path data, Path log, Duration startup, String... extra) throws Exception {
      this.port = freePort();
      this.log = log;
      List<String> args =
          new ArrayList<>(
              List.of(
                  "serve",
                  "--data",
                  data.toString(),
                  "--http",
                  "127.0.0.1:" + port,
                  "--tftp",
                  "off"));
      args.addAll(List.of(extra));
      process =
          new ProcessBuilder(command(args.toArray(String[]::new)))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      HttpClient c = HttpClient.newHttpClient();
      long deadline = System.nanoTime() + startup.toNanos();
      while (true) {
        try {
          if (c.send(
                      HttpRequest.newBuilder(URI.create(base() + "/health"))
                          .timeout(Duration.ofSeconds(2))
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode()
              == 200) {
            return;
          }
        } catch (IOException e) {
          // not up yet
        }
        if (!process.isAlive() || System.nanoTime() > deadline) {
          close();
          throw new AssertionError("server did not start: " + java.nio.file.Files.readString(log));
        }
        Thread.sleep(200);
      }
    }

    public String base() {
      return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() throws InterruptedException {
      dev.chainboot.testing.Processes.stop(process);
    }
  }
}
