package dev.chainboot.tftp;

import dev.chainboot.text.Printable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * One read transfer on its own channel and port, as a state machine driven by a {@link
 * TransferReactor}: OACK (when options were accepted) then DATA in windows of {@code windowsize}
 * blocks. Each ACK that advances moves the window; duplicate and stale ACKs are ignored (no
 * Sorcerer's Apprentice); a timeout resends the window from the first unacknowledged block, at most
 * {@code maxRetries} times in a row, then gives up. Block numbers are 16-bit on the wire and roll
 * over to 0 past 65535. Packets from any other address or port get ERROR 5 and leave the transfer
 * alone. One send buffer per transfer, reused for every block.
 */
final class Transfer {

  private final DatagramChannel channel;
  private final boolean sharedChannel;
  private final TransferReactor reactor;
  private Runnable onFinish = () -> {};
  private final InetSocketAddress client;
  private final TftpPacket.Request request;
  private final TftpFile file;
  private final TransferOptions opts;
  private final TftpServer.Settings settings;
  private final long started;
  private final ByteBuffer out;
  private final long size;
  private final int blk;
  private final long lastBlock;
  private final long timeoutNanos;

  /** Frees the transfer's storm-control slot (after the log line). */
  private final Runnable onDone;

  private boolean awaitingOack;
  private long base = 1; // first block not yet acknowledged
  private long sentTo; // last block sent in the current window
  private long ackedBlocks;
  private int tries;
  private long deadline;
  private boolean finished;
  private int resends;

  /**
   * @param sharedChannel whether {@code channel} is the server's listening channel (single-port
   *     mode: the listener hands this transfer its datagrams, and the channel stays open after)
   */
  Transfer(
      DatagramChannel channel,
      boolean sharedChannel,
      TransferReactor reactor,
      InetSocketAddress client,
      TftpPacket.Request request,
      TftpFile file,
      TransferOptions opts,
      TftpServer.Settings settings,
      long started,
      Runnable onDone) {
    this.channel = channel;
    this.sharedChannel = sharedChannel;
    this.reactor = reactor;
    this.client = client;
    this.request = request;
    this.file = file;
    this.opts = opts;
    this.settings = settings;
    this.started = started;
    this.out = ByteBuffer.allocateDirect(4 + Math.max(opts.blockSize(), 512));
    this.size = file.size();
    this.blk = opts.blockSize();
    this.lastBlock = size / blk + 1;
    this.timeoutNanos = opts.timeoutMillis() * 1_000_000;
    this.onDone = onDone;
  }

  DatagramChannel channel() {
    return channel;
  }

  /** Whether the channel is the listener's (not registered with the reactor, never closed). */
  boolean sharedChannel() {
    return sharedChannel;
  }

  TransferReactor reactor() {
    return reactor;
  }

  /** Runs once when the transfer ends (on the thread that ends it). */
  void onFinish(Runnable r) {
    onFinish = r;
  }

  boolean finished() {
    return finished;
  }

  long deadline() {
    return deadline;
  }

  /** Sends the OACK or the first window. */
  void start(long now) {
    awaitingOack = !opts.oack().isEmpty();
    send(now);
  }

  /** (Re)sends what the client has not acknowledged yet: the OACK or the current window. */
  private void send(long now) {
    try {
      if (awaitingOack) {
        sendOack();
      } else {
        sendWindow();
      }
      deadline = now + timeoutNanos;
    } catch (IOException e) {
      fail(e);
    }
  }

  /** Handles one datagram that arrived on this transfer's port. */
  void onPacket(SocketAddress from, ByteBuffer in, long now) {
    if (finished) {
      return;
    }
    try {
      if (!client.equals(from)) {
        TftpServer.log.debug(
            "transfer to {}: packet from {} -> ERROR 5", TftpServer.addr(client), from);
        channel.send(
            ByteBuffer.wrap(
                TftpCodec.encode(
                    new TftpPacket.Error(
                        TftpErrorCode.UNKNOWN_TRANSFER_ID, "unknown transfer ID"))),
            from);
        return;
      }
      int len = in.remaining();
      if (len >= 4 && in.get(0) == 0 && in.get(1) == TftpPacket.ACK) {
        onAck(((in.get(2) & 0xff) << 8) | (in.get(3) & 0xff), now);
        return;
      }
      TftpPacket p;
      try {
        p = TftpCodec.decode(in.array(), in.arrayOffset() + in.position(), len);
      } catch (TftpParseException e) {
        return; // garbage from the client: ignored, the timer keeps running
      }
      if (p instanceof TftpPacket.Error e) {
        finish("client error (" + e.code() + " " + Printable.escaped(e.message()) + ")");
      }
    } catch (IOException e) {
      fail(e);
    }
  }

  private void onAck(int ack, long now) throws IOException {
    if (awaitingOack) {
      if (ack == 0) {
        awaitingOack = false;
        tries = 0;
        sendWindow();
        deadline = now + timeoutNanos;
      }
      return;
    }
    long diff = (ack - (base - 1)) & 0xffff;
    if (diff == 0 || diff > sentTo - (base - 1)) {
      return; // duplicate or stale ACK: never resend because of it
    }
    long acked = base - 1 + diff;
    ackedBlocks = acked;
    if (acked == lastBlock) {
      finish("ok");
      return;
    }
    base = acked + 1;
    tries = 0;
    sendWindow();
    deadline = now + timeoutNanos;
  }

  /** Called when the deadline has passed: resend, or give up after too many tries. */
  void onTimeout(long now) {
    if (finished) {
      return;
    }
    if (++tries > settings.maxRetries()) {
      finish(
          awaitingOack
              ? "timeout (no ACK for the OACK after " + tries + " tries)"
              : "timeout (no ACK for block " + base + " after " + tries + " tries)");
      return;
    }
    resends++;
    send(now);
  }

  private void sendOack() throws IOException {
    out.clear();
    TftpCodec.encode(new TftpPacket.OptionAck(opts.oack()), out);
    out.flip();
    channel.send(out, client);
  }

  /** Sends blocks {@code base} up to the window's end. */
  private void sendWindow() throws IOException {
    long to = Math.min(lastBlock, base + opts.windowSize() - 1);
    for (long k = base; k <= to; k++) {
      long offset = (k - 1) * blk;
      int len = (int) Math.max(0, Math.min(blk, size - offset));
      out.clear();
      TftpCodec.putDataHeader(out, k);
      out.limit(4 + len);
      file.read(offset, out);
      out.flip();
      // A full socket buffer drops the datagram, as the network might: the timer resends it.
      channel.send(out, client);
    }
    sentTo = to;
  }

  private void fail(IOException e) {
    if (finished) {
      return;
    }
    try {
      if (channel.isOpen()) { // the listener's in single-port mode: the ERROR goes out from 69
        channel.send(
            ByteBuffer.wrap(
                TftpCodec.encode(new TftpPacket.Error(TftpErrorCode.NOT_DEFINED, "server error"))),
            client);
      }
    } catch (IOException ignored) {
      // best effort
    }
    finish("error (" + e + ")");
  }

  /** Ends the transfer: closes its port and file and writes its log line. */
  void finish(String result) {
    if (finished) {
      return;
    }
    finished = true;
    if (!sharedChannel) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
    onFinish.run();
    try {
      file.close();
    } catch (IOException ignored) {
      // read-only
    }
    TftpServer.logTransfer(
        client, request, opts.oack(), Math.min(size, ackedBlocks * blk), started, resends, result);
    onDone.run();
  }
}
