package dev.chainboot.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The console appender of {@code logback.xml}: lines are formatted on the logging thread as before,
 * and written by one writer thread, every line waiting at that moment in one {@code write}. A
 * logging thread never waits for the console (a terminal, a pipe to journald, a file), nor for
 * another thread's write: on the boot path (the access log, proxyDHCP's offers) a synchronous
 * {@link ConsoleAppender} cost a system call and a lock per line; in a 1000-DISCOVER burst that was
 * half of proxyDHCP's time.
 *
 * <p>Nothing is dropped: when {@value #CAPACITY} lines wait, a logging thread waits for room. Lines
 * keep their order. Stopping the appender, and the JVM's exit (a shutdown hook), write every line
 * still waiting. Still a {@link ConsoleAppender}, so {@code --log-format json} swaps its encoder
 * like any console appender's ({@link LogFormat}).
 */
public class BatchingConsoleAppender extends ConsoleAppender<ILoggingEvent> {

  static final int CAPACITY = 8192;
  private static final int MAX_BATCH_BYTES = 256 * 1024;

  private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(CAPACITY);
  private final Object writeLock = new Object();
  private volatile Thread writer;
  private volatile boolean stopping;
  private Thread hook;

  @Override
  public void start() {
    super.start();
    if (!isStarted()) {
      return;
    }
    stopping = false;
    Thread t = Thread.ofPlatform().daemon().name("log-writer").unstarted(this::run);
    writer = t;
    hook = new Thread(this::drain, "log-writer-exit");
    try {
      Runtime.getRuntime().addShutdownHook(hook);
    } catch (IllegalStateException alreadyExiting) {
      hook = null;
    }
    t.start();
  }

  @Override
  public void stop() {
    if (!isStarted()) {
      return;
    }
    stopping = true;
    Thread t = writer;
    if (t != null) {
      t.interrupt();
      try {
        t.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    drain();
    if (hook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException alreadyExiting) {
        // the hook runs (or ran) anyway
      }
      hook = null;
    }
    super.stop();
  }

  @Override
  protected void append(ILoggingEvent e) {
    if (!isStarted()) {
      return;
    }
    byte[] line;
    try {
      line = getEncoder().encode(e);
    } catch (RuntimeException ex) {
      addError("cannot format a log line", ex);
      return;
    }
    if (stopping || Thread.currentThread() == writer) {
      write(List.of(line));
      return;
    }
    try {
      queue.put(line);
    } catch (InterruptedException ie) {
      // Keep the interrupt for the caller, and the line: write it here.
      Thread.currentThread().interrupt();
      write(List.of(line));
    }
  }

  private void run() {
    List<byte[]> batch = new ArrayList<>();
    while (!stopping) {
      try {
        byte[] first = queue.poll(1, TimeUnit.SECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, CAPACITY);
        write(batch);
        batch.clear();
      } catch (InterruptedException ie) {
        if (stopping) {
          return;
        }
      }
    }
  }

  /** Writes every line still waiting (on stop and at the JVM's exit). */
  private void drain() {
    List<byte[]> rest = new ArrayList<>();
    queue.drainTo(rest);
    write(rest);
  }

  private void write(List<byte[]> lines) {
    if (lines.isEmpty()) {
      return;
    }
    synchronized (writeLock) {
      OutputStream out = getOutputStream();
      try {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(Math.min(MAX_BATCH_BYTES, 8192));
        for (byte[] l : lines) {
          if (buf.size() > 0 && buf.size() + l.length > MAX_BATCH_BYTES) {
            buf.writeTo(out);
            buf.reset();
          }
          buf.write(l);
        }
        buf.writeTo(out);
        out.flush();
      } catch (IOException ex) {
        addError("cannot write log lines to the console", ex);
      }
    }
  }
}
