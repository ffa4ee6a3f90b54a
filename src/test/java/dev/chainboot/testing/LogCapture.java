package dev.chainboot.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.slf4j.LoggerFactory;

/**
 * Collects the formatted lines a logger writes while open. Open one per test (not per class) and
 * find a transfer's line by its file name and, where the test knows it, the client's port ({@link
 * #awaitTransfer}), so an assertion is about the test's own transfer and never about some other
 * line of the process.
 */
public final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {

  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Logger logger;

  public LogCapture(String loggerName) {
    logger = (Logger) LoggerFactory.getLogger(loggerName);
    setContext(logger.getLoggerContext());
    start();
    logger.addAppender(this);
  }

  @Override
  protected void append(ILoggingEvent e) {
    lines.add(e.getFormattedMessage());
  }

  public List<String> lines() {
    return List.copyOf(lines);
  }

  public boolean has(String... parts) {
    return lines.stream()
        .anyMatch(
            l -> {
              for (String p : parts) {
                if (!l.contains(p)) {
                  return false;
                }
              }
              return true;
            });
  }

  /** Waits (up to 20 s) for a line containing all {@code parts}; fails with the lines seen. */
  public void await(String... parts) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(20))
        .alias("log line with " + Arrays.toString(parts) + " in " + lines)
        .until(() -> has(parts));
  }

  /**
   * One parsed TFTP transfer line (TftpServer.logTransfer): {@code client=IP:PORT file="F" mode="M"
   * options={..} accepted={..} bytes=N duration=Nms resends=N result=R}.
   */
  public record Transfer(
      String clientIp,
      int clientPort,
      String file,
      String mode,
      String options,
      Map<String, String> accepted,
      long bytes,
      int resends,
      String result,
      String line) {}

  private static final Pattern TRANSFER =
      Pattern.compile(
          "client=(\\S+):(\\d+) file=\"(.*)\" mode=\"(.*)\" options=(\\{.*?\\}) accepted=(\\{.*?\\})"
              + " bytes=(-?\\d+) duration=\\d+ms resends=(\\d+) result=(.*)");

  public static java.util.Optional<Transfer> parse(String line) {
    Matcher m = TRANSFER.matcher(line);
    if (!m.matches()) {
      return java.util.Optional.empty();
    }
    Map<String, String> accepted = new LinkedHashMap<>();
    String a = m.group(6).substring(1, m.group(6).length() - 1);
    if (!a.isEmpty()) {
      for (String kv : a.split(", ")) {
        int eq = kv.indexOf('=');
        accepted.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
    }
    return java.util.Optional.of(
        new Transfer(
            m.group(1),
            Integer.parseInt(m.group(2)),
            m.group(3),
            m.group(4),
            m.group(5),
            Map.copyOf(accepted),
            Long.parseLong(m.group(7)),
            Integer.parseInt(m.group(8)),
            m.group(9),
            line));
  }

  public List<Transfer> transfers(Predicate<Transfer> which) {
    return lines.stream()
        .map(LogCapture::parse)
        .flatMap(java.util.Optional::stream)
        .filter(which)
        .toList();
  }

  /**
   * Waits (up to 20 s) for the transfer line of {@code file} and returns it; fails if this capture
   * saw more than one transfer of that file (then the file does not identify the test's transfer:
   * give the client port too).
   */
  public Transfer awaitTransfer(String file) {
    return awaitTransfer(file, t -> t.file().equals(file));
  }

  /**
   * As {@link #awaitTransfer(String)}, for the transfer of {@code file} to client port {@code
   * port}.
   */
  public Transfer awaitTransfer(int clientPort, String file) {
    return awaitTransfer(
        file + " to client port " + clientPort,
        t -> t.file().equals(file) && t.clientPort() == clientPort);
  }

  private Transfer awaitTransfer(String what, Predicate<Transfer> which) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(20))
        .alias("transfer line for " + what + " in " + lines)
        .until(() -> !transfers(which).isEmpty());
    List<Transfer> found = transfers(which);
    if (found.size() != 1) {
      throw new AssertionError(
          "expected exactly one transfer line for "
              + what
              + ", got "
              + found.stream().map(Transfer::line).toList());
    }
    return found.get(0);
  }

  @Override
  public void close() {
    logger.detachAppender(this);
    stop();
  }
}
