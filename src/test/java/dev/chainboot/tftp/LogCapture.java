package dev.chainboot.tftp;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/** Collects the formatted lines a logger writes while open. */
final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {

  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Logger logger;

  LogCapture(String loggerName) {
    logger = (Logger) LoggerFactory.getLogger(loggerName);
    setContext(logger.getLoggerContext());
    start();
    logger.addAppender(this);
  }

  @Override
  protected void append(ILoggingEvent e) {
    lines.add(e.getFormattedMessage());
  }

  List<String> lines() {
    return List.copyOf(lines);
  }

  boolean has(String... parts) {
    return lines.stream().anyMatch(l -> {
      for (String p : parts) {
        if (!l.contains(p)) {
          return false;
        }
      }
      return true;
    });
  }

  /** Waits (up to 20 s) for a line containing all {@code parts}; fails with the lines seen. */
  void await(String... parts) {
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
        .pollInterval(java.time.Duration.ofMillis(20))
        .alias("log line with " + java.util.Arrays.toString(parts) + " in " + lines)
        .until(() -> has(parts));
  }

  @Override
  public void close() {
    logger.detachAppender(this);
    stop();
  }
}
