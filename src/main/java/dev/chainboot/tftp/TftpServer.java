package dev.chainboot.tftp;

import dev.chainboot.text.Printable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Read-only TFTP server (RFC 1350, 2347, 2348, 2349, 7440) on NIO datagram channels. One listener
 * receives requests; each read request is looked up, opened and negotiated on its own virtual
 * thread, then runs on its own channel on a new ephemeral port (bound to the listener's local
 * address), driven by a {@link TransferReactor}. Write requests, unsafe names, unknown files and
 * malformed packets are answered with an ERROR and the server carries on.
 *
 * <p>In single-port mode (like dnsmasq's {@code tftp-single-port}) every transfer is answered from
 * the listening port itself, for NAT and container setups that drop replies from other ports: the
 * listener hands each datagram to the transfer of its client's address and port (one transfer per
 * client port at a time; a repeated request while one runs is ignored, its transfer resends on
 * timeout).
 *
 * <p>Storm control ({@link TransferSlots}): at most {@link Settings#maxTransfers} transfers run at
 * once and at most {@link Settings#maxPerClient} per client address; requests beyond that wait in a
 * queue served client by client in turn, or, when the queue is full or the client is over its
 * limit, get no answer at all, so that the firmware's own retry brings them back (an ERROR would
 * end the boot).
 */
public final class TftpServer implements AutoCloseable {

  static final Logger log = LoggerFactory.getLogger("tftp");

  /** Largest netascii file converted in memory. */
  static final int NETASCII_LIMIT = 64 << 20;

  /**
   * @param defaultTimeoutMillis wait for an ACK before sending again, unless the client asks for a
   *     timeout
   * @param maxRetries sends of the same packet after the first before giving up
   * @param maxBlockSize largest blksize granted
   * @param maxTransfers transfers running at once; more requests wait (see {@link TransferSlots})
   * @param maxPerClient transfers running or waiting for one client address; more get no answer
   */
  public record Settings(
      long defaultTimeoutMillis,
      int maxRetries,
      int maxBlockSize,
      int maxTransfers,
      int maxPerClient) {

    /** Transfers running at once by default: a thousand machines booting together all run. */
    public static final int DEFAULT_MAX_TRANSFERS = 1000;

    /** Transfers per client address by default (a machine loads one file at a time). */
    public static final int DEFAULT_MAX_PER_CLIENT = 4;

    public static final Settings DEFAULTS =
        new Settings(
            1000, 5, TransferOptions.MAX_BLOCK_SIZE, DEFAULT_MAX_TRANSFERS, DEFAULT_MAX_PER_CLIENT);

    /** These settings with other storm-control limits. */
    public Settings withLimits(int maxTransfers, int maxPerClient) {
      return new Settings(
          defaultTimeoutMillis, maxRetries, maxBlockSize, maxTransfers, maxPerClient);
    }
  }

  /** How long a request may wait for a slot before it is dropped (the client has retried). */
  static final long MAX_WAIT_NANOS = 5_000_000_000L;

  /** Requests not answered because of the limits are summed up in one log line this often. */
  static final long BUSY_LOG_NANOS = 10_000_000_000L;

  private final InetSocketAddress bind;
  private final TftpFileSource files;
  private final Settings settings;
  private final boolean singlePort;

  /** Single-port mode: each client's running transfer, or {@link #PENDING} while it is set up. */
  private final Map<InetSocketAddress, Object> byClient = new ConcurrentHashMap<>();

  private static final Object PENDING = new Object();
  private final List<TransferReactor> reactors = new ArrayList<>();
  private final AtomicInteger nextReactor = new AtomicInteger();
  private final TransferSlots<TftpPacket.Request> slots;
  private DatagramChannel listener;
  private Thread listenerThread;
  private volatile boolean closed;

  /** Requests not answered since the last busy log line: over a client's limit, queue full. */
  private final java.util.concurrent.atomic.AtomicLong overClientLimit =
      new java.util.concurrent.atomic.AtomicLong();

  private final java.util.concurrent.atomic.AtomicLong overCapacity =
      new java.util.concurrent.atomic.AtomicLong();
  private volatile long lastBusyLog = System.nanoTime() - BUSY_LOG_NANOS;

  public TftpServer(InetSocketAddress bind, TftpFileSource files, Settings settings) {
    this(bind, files, settings, false);
  }

  /**
   * @param singlePort whether every transfer is answered from the listening port
   */
  public TftpServer(
      InetSocketAddress bind, TftpFileSource files, Settings settings, boolean singlePort) {
    this.bind = bind;
    this.files = files;
    this.settings = settings;
    this.singlePort = singlePort;
    this.slots =
        new TransferSlots<>(
            settings.maxTransfers(),
            settings.maxPerClient(),
            4 * settings.maxTransfers(),
            MAX_WAIT_NANOS);
  }

  /** Binds the listener and starts serving; a bind failure is thrown as is. */
  public TftpServer start() throws IOException {
    DatagramChannel ch = DatagramChannel.open();
    try {
      ch.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
      ch.bind(bind);
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    listener = ch;
    int n = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    try {
      for (int i = 0; i < n; i++) {
        reactors.add(new TransferReactor("tftp-io-" + i));
      }
    } catch (IOException e) {
      close();
      throw e;
    }
    listenerThread = Thread.ofVirtual().name("tftp-listener").start(this::listen);
    return this;
  }

  public int port() {
    try {
      return ((InetSocketAddress) listener.getLocalAddress()).getPort();
    } catch (IOException e) {
      throw new IllegalStateException("TFTP listener is closed", e);
    }
  }

  /** Transfers running now. */
  public int activeTransfers() {
    return reactors.stream().mapToInt(TransferReactor::activeTransfers).sum();
  }

  /** Requests waiting for a transfer slot now. */
  public int queuedRequests() {
    return slots.queued();
  }

  private void listen() {
    ByteBuffer buf = ByteBuffer.allocate(65536);
    while (!closed) {
      SocketAddress from;
      buf.clear();
      try {
        from = listener.receive(buf);
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        if (!closed) {
          log.warn("TFTP listener receive failed: {}", e.toString());
        }
        continue;
      }
      if (!(from instanceof InetSocketAddress client)) {
        continue;
      }
      buf.flip();
      byte[] bytes = new byte[buf.remaining()];
      buf.get(bytes);
      if (singlePort && toTransfer(client, bytes)) {
        continue;
      }
      TftpPacket packet;
      try {
        packet = TftpCodec.decode(bytes);
      } catch (TftpParseException e) {
        log.info(
            "client={} malformed request ({} bytes): {} -> ERROR {}",
            addr(client),
            bytes.length,
            e.getMessage(),
            e.code().code());
        reply(client, new TftpPacket.Error(e.code(), e.getMessage()));
        continue;
      }
      switch (packet) {
        case TftpPacket.Request r when r.write() -> {
          logTransfer(
              client,
              r,
              Map.of(),
              0,
              System.nanoTime(),
              0,
              "error 2 (write request refused: read-only server)");
          reply(client, new TftpPacket.Error(TftpErrorCode.ACCESS_VIOLATION, "read-only server"));
        }
        case TftpPacket.Request r -> {
          if (singlePort && byClient.putIfAbsent(client, PENDING) != null) {
            continue; // a repeated request while its transfer runs: that transfer resends
          }
          admit(r, client);
        }
        case TftpPacket.Error e ->
            log.debug(
                "client={} sent ERROR {} to the request port: {}",
                addr(client),
                e.code(),
                e.message());
        default -> {
          log.info(
              "client={} sent opcode {} to the request port -> ERROR 4",
              addr(client),
              packet.opcode());
          reply(
              client,
              new TftpPacket.Error(TftpErrorCode.ILLEGAL_OPERATION, "expected a read request"));
        }
      }
    }
  }

  /**
   * Single-port mode: hands a datagram to its client's running transfer; a late ACK or ERROR for a
   * transfer that has ended is dropped. False when the listener should handle it (a request).
   */
  private boolean toTransfer(InetSocketAddress client, byte[] bytes) {
    Object t = byClient.get(client);
    boolean request =
        bytes.length >= 2 && bytes[0] == 0 && (bytes[1] == 1 || bytes[1] == 2); // RRQ, WRQ
    if (t instanceof Transfer transfer) {
      if (!request) {
        transfer.reactor().deliver(transfer, client, bytes);
      }
      return true; // a request from a client port whose transfer runs is ignored
    }
    if (t == PENDING) {
      return true; // being set up: the client will send again
    }
    boolean ackOrError = bytes.length >= 2 && bytes[0] == 0 && (bytes[1] == 4 || bytes[1] == 5);
    if (ackOrError) {
      log.debug("client={} packet for no running transfer: dropped", addr(client));
      return true;
    }
    return false;
  }

  /** Starts, queues or (silently) drops a read request, as the slots say. */
  private void admit(TftpPacket.Request r, InetSocketAddress client) {
    long now = System.nanoTime();
    TransferSlots.Verdict outcome = slots.offer(client, r, now);
    if (singlePort && outcome != TransferSlots.Verdict.START) {
      byClient.remove(client, PENDING); // not started now: no transfer takes the place
    }
    switch (outcome) {
      case START -> startRead(r, client);
      case QUEUED ->
          log.debug(
              "client={} file={} waits for a transfer slot", addr(client), quoted(r.filename()));
      case DUPLICATE -> log.debug("client={} sent its waiting request again", addr(client));
      case CLIENT_LIMIT -> busy(overClientLimit, now);
      case BUSY -> busy(overCapacity, now);
    }
  }

  /** Counts a request left unanswered; one log line sums them up every {@link #BUSY_LOG_NANOS}. */
  private void busy(java.util.concurrent.atomic.AtomicLong counter, long now) {
    counter.incrementAndGet();
    long last = lastBusyLog;
    if (now - last >= BUSY_LOG_NANOS) {
      lastBusyLog = now;
      log.warn(
          "TFTP busy: {} requests not answered since the last report ({} from clients over their"
              + " limit of {}, {} with {} transfers running and {} waiting); clients retry later",
          overClientLimit.get() + overCapacity.get(),
          overClientLimit.getAndSet(0),
          settings.maxPerClient(),
          overCapacity.getAndSet(0),
          slots.running(),
          slots.queued());
    }
  }

  /** Resolves and starts an admitted request on its own virtual thread. */
  private void startRead(TftpPacket.Request r, InetSocketAddress client) {
    Thread.ofVirtual()
        .name("tftp-" + addr(client))
        .start(
            () -> {
              try {
                if (!handleRead(r, client)) {
                  released(client);
                }
              } finally {
                if (singlePort) {
                  byClient.remove(client, PENDING); // refused or failed: no transfer took it
                }
              }
            });
  }

  /** A transfer from {@code client} is over: its slot goes to the next waiting request. */
  void released(InetSocketAddress client) {
    TransferSlots.Waiting<TftpPacket.Request> next =
        slots.release(client.getAddress(), System.nanoTime());
    if (next != null) {
      if (closed) {
        released(next.from());
      } else {
        startRead(next.request(), next.from());
      }
    }
  }

  /** Looks up, opens and negotiates; true when a transfer now owns the slot. */
  private boolean handleRead(TftpPacket.Request r, InetSocketAddress client) {
    long started = System.nanoTime();
    TftpFile file = null;
    try {
      if (!r.mode().equals("octet") && !r.mode().equals("netascii")) {
        refuse(
            r,
            client,
            started,
            TftpErrorCode.ILLEGAL_OPERATION,
            "unsupported mode " + Printable.escaped(r.mode()) + " (octet or netascii)");
        return false;
      }
      TftpFileSource.Lookup lookup = files.open(r.filename());
      switch (lookup) {
        case TftpFileSource.Denied d -> {
          refuse(
              r,
              client,
              started,
              TftpErrorCode.ACCESS_VIOLATION,
              "access violation: " + d.reason());
          return false;
        }
        case TftpFileSource.NotFound n -> {
          refuse(r, client, started, TftpErrorCode.FILE_NOT_FOUND, "file not found");
          return false;
        }
        case TftpFileSource.Found f -> file = f.file();
      }
      if (r.mode().equals("netascii")) {
        TftpFile raw = file;
        try (raw) {
          file = TftpFile.ofBytes(Netascii.encode(raw.readAll(NETASCII_LIMIT)));
        }
      }
      TransferOptions opts;
      try {
        opts =
            TransferOptions.negotiate(
                r.options(),
                file.size(),
                settings.defaultTimeoutMillis(),
                maxBlockSizeTowards(client));
      } catch (TransferOptions.Rejected e) {
        file.close();
        refuse(r, client, started, TftpErrorCode.OPTION_NEGOTIATION_FAILED, e.getMessage());
        return false;
      }
      TransferReactor reactor =
          reactors.get(Math.floorMod(nextReactor.getAndIncrement(), reactors.size()));
      Transfer t;
      if (singlePort) {
        t =
            new Transfer(
                listener,
                true,
                reactor,
                client,
                r,
                file,
                opts,
                settings,
                started,
                () -> released(client));
        t.onFinish(() -> byClient.remove(client, t));
        byClient.put(client, t);
      } else {
        DatagramChannel ch = DatagramChannel.open();
        try {
          InetAddress local = ((InetSocketAddress) listener.getLocalAddress()).getAddress();
          ch.bind(new InetSocketAddress(local, 0));
          t =
              new Transfer(
                  ch,
                  false,
                  reactor,
                  client,
                  r,
                  file,
                  opts,
                  settings,
                  started,
                  () -> released(client));
        } catch (IOException | RuntimeException e) {
          ch.close();
          throw e;
        }
      }
      file = null; // the transfer owns it now
      reactor.submit(t);
      return true;
    } catch (IOException | RuntimeException e) {
      refuse(r, client, started, TftpErrorCode.NOT_DEFINED, "server error: " + e);
      return false;
    } finally {
      if (file != null) {
        try {
          file.close();
        } catch (IOException ignored) {
          // nothing to do
        }
      }
    }
  }

  /**
   * The largest block that fits one datagram on the interface the kernel routes to {@code client}
   * through (its MTU less IP, UDP and TFTP headers), capped by the settings; 65464 on loopback.
   * Falls back to the setting when the interface cannot be told.
   */
  private int maxBlockSizeTowards(InetSocketAddress client) {
    int max = settings.maxBlockSize();
    try (DatagramChannel probe = DatagramChannel.open()) {
      probe.connect(client); // no packet is sent: this only asks the kernel for the route
      InetAddress local = ((InetSocketAddress) probe.getLocalAddress()).getAddress();
      java.net.NetworkInterface nif = java.net.NetworkInterface.getByInetAddress(local);
      if (nif != null && nif.getMTU() > 0) {
        int headers = (local instanceof java.net.Inet6Address ? 40 : 20) + 8 + 4;
        max = Math.min(max, Math.max(TransferOptions.MIN_BLOCK_SIZE, nif.getMTU() - headers));
      }
    } catch (IOException | RuntimeException e) {
      log.debug("cannot tell the MTU towards {}: {}", client, e.toString());
    }
    return max;
  }

  private void refuse(
      TftpPacket.Request r,
      InetSocketAddress client,
      long started,
      TftpErrorCode code,
      String message) {
    reply(client, new TftpPacket.Error(code, message));
    logTransfer(client, r, Map.of(), 0, started, 0, "error " + code.code() + " (" + message + ")");
  }

  private void reply(InetSocketAddress client, TftpPacket packet) {
    try {
      listener.send(ByteBuffer.wrap(TftpCodec.encode(packet)), client);
    } catch (IOException e) {
      log.debug("cannot reply to {}: {}", client, e.toString());
    }
  }

  /** The one log line per transfer. */
  static void logTransfer(
      InetSocketAddress client,
      TftpPacket.Request r,
      Map<String, String> accepted,
      long bytes,
      long startedNanos,
      int resends,
      String result) {
    log.info(
        "client={} file={} mode={} options={} accepted={} bytes={} duration={}ms "
            + "resends={} result={}",
        addr(client),
        quoted(r.filename()),
        quoted(r.mode()),
        Printable.escaped(r.options().toString()),
        accepted,
        bytes,
        (System.nanoTime() - startedNanos) / 1_000_000,
        resends,
        result);
  }

  static String addr(InetSocketAddress a) {
    return (a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress())
        + ":"
        + a.getPort();
  }

  static String quoted(String s) {
    return "\"" + Printable.escaped(s) + "\"";
  }

  @Override
  public void close() {
    closed = true;
    try {
      if (listener != null) {
        listener.close();
      }
    } catch (IOException e) {
      log.debug("closing TFTP listener: {}", e.toString());
    }
    for (TransferReactor r : reactors) {
      r.close();
    }
    if (listenerThread != null) {
      try {
        listenerThread.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
