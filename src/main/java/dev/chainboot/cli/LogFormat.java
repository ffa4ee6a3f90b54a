package dev.chainboot.cli;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import org.slf4j.LoggerFactory;

/** {@code --log-format text|json}: switches the console appender's encoder at start-up. */
final class LogFormat {

  private LogFormat() {}

  /**
   * @throws IllegalArgumentException for a format other than text or json
   */
  static void apply(String format) {
    switch (format) {
      case "text" -> {}
      case "json" -> json();
      default ->
          throw new IllegalArgumentException(
              "--log-format must be text or json, not '" + format + "'");
    }
  }

  private static void json() {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
      return;
    }
    Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    for (var it = root.iteratorForAppenders(); it.hasNext(); ) {
      Appender<ILoggingEvent> a = it.next();
      if (a instanceof ConsoleAppender<ILoggingEvent> console) {
        JsonLogEncoder encoder = new JsonLogEncoder();
        encoder.setContext(ctx);
        encoder.start();
        console.stop();
        console.setEncoder(encoder);
        console.start();
      }
    }
  }
}
