package dev.chainboot.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Runs the real curl and returns status, headers and body of the (last) response. */
public final class Curl {

  public record Result(int status, Map<String, String> headers, byte[] body) {
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private Curl() {}

  /** {@code curl -s -D headers -o body ARGS...}; ARGS include the URL. */
  public static Result run(String... args) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("curl");
    try {
      Path headers = dir.resolve("h");
      Path body = dir.resolve("b");
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  "curl",
                  "-s",
                  "--max-time",
                  "60",
                  "-D",
                  headers.toString(),
                  "-o",
                  body.toString()));
      cmd.addAll(List.of(args));
      ProcessOutput out = exec(cmd);
      if (out.exit != 0) {
        throw new IOException("curl exited " + out.exit + ": " + cmd + "\n" + out.stderr);
      }
      return parse(
          Files.readString(headers, StandardCharsets.ISO_8859_1),
          Files.exists(body) ? Files.readAllBytes(body) : new byte[0]);
    } finally {
      try (var s = Files.walk(dir)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  static Result parse(String rawHeaders, byte[] body) {
    // With several responses (e.g. 100-continue) keep the last block.
    String[] blocks = rawHeaders.split("\r\n\r\n");
    String last =
        blocks[blocks.length - 1].isBlank() && blocks.length > 1
            ? blocks[blocks.length - 2]
            : blocks[blocks.length - 1];
    String[] lines = last.split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> h = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int c = lines[i].indexOf(':');
      if (c > 0) {
        h.put(
            lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT),
            lines[i].substring(c + 1).trim());
      }
    }
    return new Result(status, h, body);
  }

  public record ProcessOutput(int exit, String stdout, String stderr) {}

  /** Runs {@code cmd} (any program) to completion within 120 s; killed and failed otherwise. */
  public static ProcessOutput exec(List<String> cmd) throws IOException, InterruptedException {
    Processes.Output o = Processes.run(new ProcessBuilder(cmd), java.time.Duration.ofSeconds(120));
    return new ProcessOutput(o.exit(), o.stdout(), o.stderr());
  }
}
