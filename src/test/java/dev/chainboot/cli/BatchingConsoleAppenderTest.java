package dev.chainboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The console appender of logback.xml, writing to a captured System.err. */
class BatchingConsoleAppenderTest {

  PrintStream realErr;
  LoggerContext ctx;
  BatchingConsoleAppender appender;

  @BeforeEach
  void saveErr() {
    realErr = System.err;
  }

  @AfterEach
  void restoreErr() {
    if (appender != null) {
      appender.stop();
    }
    System.setErr(realErr);
  }

  Logger logger(OutputStream console) {
    System.setErr(new PrintStream(console, false, StandardCharsets.UTF_8));
    ctx = new LoggerContext();
    PatternLayoutEncoder enc = new PatternLayoutEncoder();
    enc.setContext(ctx);
    enc.setPattern("%msg%n");
    enc.start();
    appender = new BatchingConsoleAppender();
    appender.setContext(ctx);
    appender.setTarget("System.err");
    appender.setEncoder(enc);
    appender.start();
    Logger l = ctx.getLogger("test");
    l.addAppender(appender);
    l.setAdditive(false);
    return l;
  }

  @Test
  void everyLineOfManyThreadsArrivesInEachThreadsOrder() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Logger log = logger(out);
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int id = t;
      ts.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    for (int i = 0; i < 3000; i++) {
                      log.info("t{} line {}", id, i);
                    }
                  }));
    }
    for (Thread t : ts) {
      t.join();
    }
    appender.stop();
    String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
    assertThat(lines).hasSize(8 * 3000);
    int[] next = new int[8];
    for (String l : lines) {
      String[] p = l.split(" ");
      int t = Integer.parseInt(p[0].substring(1));
      assertThat(Integer.parseInt(p[2])).as(l).isEqualTo(next[t]);
      next[t]++;
    }
  }

  @Test
  void aLoggingThreadDoesNotWaitForASlowConsoleAndNothingIsLost() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    OutputStream stuck =
        new OutputStream() {
          @Override
          public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
          }

          @Override
          public void write(byte[] b, int off, int len) {
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            synchronized (got) {
              got.write(b, off, len);
            }
          }
        };
    Logger log = logger(stuck);
    long start = System.nanoTime();
    for (int i = 0; i < 1000; i++) {
      log.info("line {}", i);
    }
    // A synchronous console appender would be stuck in the first line's write now.
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2000);
    synchronized (got) {
      assertThat(got.size()).isZero();
    }
    release.countDown();
    appender.stop();
    String text;
    synchronized (got) {
      text = got.toString(StandardCharsets.UTF_8);
    }
    assertThat(text.split("\n")).hasSize(1000).startsWith("line 0").endsWith("line 999");
  }
}
