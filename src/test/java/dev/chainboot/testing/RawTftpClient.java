package dev.chainboot.testing;

import dev.chainboot.tftp.TftpCodec;
import dev.chainboot.tftp.TftpErrorCode;
import dev.chainboot.tftp.TftpPacket;
import dev.chainboot.tftp.TftpParseException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small TFTP client of our own for bad-input and fault tests: sends raw bytes, and downloads with
 * injected faults (dropped, delayed, duplicated ACKs, packets from a wrong port).
 */
public final class RawTftpClient implements AutoCloseable {

  /** Probabilities per ACK; {@code seed} makes a run repeatable. */
  public record Faults(
      double drop, double duplicate, double delay, int delayMillis, double wrongPort, long seed) {
    public static final Faults NONE = new Faults(0, 0, 0, 0, 0, 1);
  }

  /** What a download got: the bytes, or the ERROR, or a timeout. */
  public record Download(
      byte[] data,
      TftpPacket.Error error,
      boolean timedOut,
      int dataPackets,
      Map<String, String> oack,
      int strayErrors) {
    public boolean ok() {
      return data != null;
    }
  }

  public final DatagramSocket socket;
  public final InetSocketAddress server;
  private final byte[] buf = new byte[70000];
  public SocketAddress lastFrom;

  public RawTftpClient(int port) throws IOException {
    socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    server = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
  }

  public void send(byte[] packet) throws IOException {
    sendTo(packet, server);
  }

  public void sendTo(byte[] packet, SocketAddress to) throws IOException {
    socket.send(new DatagramPacket(packet, packet.length, to));
  }

  /** The next packet (any source), or null after {@code timeout}; garbage is a test failure. */
  public TftpPacket receive(Duration timeout) throws IOException {
    socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    try {
      socket.receive(p);
    } catch (SocketTimeoutException e) {
      return null;
    }
    lastFrom = p.getSocketAddress();
    try {
      return TftpCodec.decode(buf, 0, p.getLength());
    } catch (TftpParseException e) {
      throw new AssertionError("server sent a malformed packet: " + e.getMessage());
    }
  }

  public static byte[] rrq(String name, String mode, Map<String, String> options) {
    return TftpCodec.encode(new TftpPacket.Request(false, name, mode, options));
  }

  public static byte[] ack(long block) {
    return TftpCodec.encode(new TftpPacket.Ack((int) (block & 0xffff)));
  }

  /** Downloads {@code name} in octet mode, injecting {@code faults}, giving up at the deadline. */
  public Download download(
      String name, Map<String, String> options, Faults faults, Duration deadline)
      throws IOException, InterruptedException {
    Random rnd = new Random(faults.seed());
    ScheduledExecutorService delayer = Executors.newSingleThreadScheduledExecutor();
    AtomicInteger strayErrors = new AtomicInteger();
    try (DatagramSocket stray = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      long end = System.nanoTime() + deadline.toNanos();
      send(rrq(name, "octet", options));
      SocketAddress peer = null;
      int blk = 512;
      int window = 1;
      Map<String, String> oack = Map.of();
      long expected = 1;
      int inWindow = 0;
      int dataPackets = 0;
      byte[] lastAck = null;
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      while (System.nanoTime() < end) {
        TftpPacket p = receive(Duration.ofMillis(300));
        if (p == null) {
          if (peer == null) {
            send(rrq(name, "octet", options));
          } else if (lastAck != null) {
            sendTo(lastAck, peer); // our own retransmission
          }
          continue;
        }
        if (peer == null) {
          peer = lastFrom;
        } else if (!peer.equals(lastFrom)) {
          continue; // e.g. a second transfer started by a retransmitted RRQ
        }
        switch (p) {
          case TftpPacket.Error e -> {
            return new Download(null, e, false, dataPackets, oack, strayErrors.get());
          }
          case TftpPacket.OptionAck o -> {
            oack = o.options();
            blk = Integer.parseInt(oack.getOrDefault("blksize", "512"));
            window = Integer.parseInt(oack.getOrDefault("windowsize", "1"));
            lastAck = ack(0);
            faultySend(lastAck, peer, faults, rnd, delayer, stray, strayErrors);
          }
          case TftpPacket.Data d -> {
            dataPackets++;
            if (d.block() != (int) (expected & 0xffff)) {
              lastAck = ack(expected - 1);
              inWindow = 0;
              faultySend(lastAck, peer, faults, rnd, delayer, stray, strayErrors);
              continue;
            }
            out.write(d.payload());
            expected++;
            inWindow++;
            boolean last = d.payload().length < blk;
            if (last || inWindow >= window) {
              inWindow = 0;
              lastAck = ack(expected - 1);
              faultySend(lastAck, peer, faults, rnd, delayer, stray, strayErrors);
            }
            if (last) {
              drainStray(stray, strayErrors);
              return new Download(
                  out.toByteArray(), null, false, dataPackets, oack, strayErrors.get());
            }
          }
          default -> throw new AssertionError("unexpected packet from server: " + p);
        }
      }
      return new Download(null, null, true, dataPackets, oack, strayErrors.get());
    } finally {
      delayer.shutdownNow();
      delayer.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private void faultySend(
      byte[] packet,
      SocketAddress peer,
      Faults f,
      Random rnd,
      ScheduledExecutorService delayer,
      DatagramSocket stray,
      AtomicInteger strayErrors)
      throws IOException {
    if (rnd.nextDouble() < f.wrongPort()) {
      stray.send(new DatagramPacket(packet, packet.length, peer));
      drainStray(stray, strayErrors);
    }
    if (rnd.nextDouble() < f.drop()) {
      return;
    }
    byte[] copy = Arrays.copyOf(packet, packet.length);
    if (rnd.nextDouble() < f.delay()) {
      delayer.schedule(
          () -> {
            try {
              sendTo(copy, peer);
            } catch (IOException ignored) {
              // socket closed at the end of the test
            }
          },
          f.delayMillis(),
          TimeUnit.MILLISECONDS);
    } else {
      sendTo(copy, peer);
    }
    if (rnd.nextDouble() < f.duplicate()) {
      sendTo(copy, peer);
    }
  }

  /** Counts ERROR 5 answers the stray socket got. */
  private static void drainStray(DatagramSocket stray, AtomicInteger errors) throws IOException {
    byte[] b = new byte[600];
    stray.setSoTimeout(50);
    while (true) {
      DatagramPacket p = new DatagramPacket(b, b.length);
      try {
        stray.receive(p);
      } catch (SocketTimeoutException e) {
        return;
      }
      try {
        if (TftpCodec.decode(b, 0, p.getLength()) instanceof TftpPacket.Error e
            && e.code() == TftpErrorCode.UNKNOWN_TRANSFER_ID.code()) {
          errors.incrementAndGet();
        }
      } catch (TftpParseException ignored) {
        // counted as nothing
      }
    }
  }

  @Override
  public void close() {
    socket.close();
  }
}
