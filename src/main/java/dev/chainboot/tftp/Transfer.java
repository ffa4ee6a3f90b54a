package dev.chainboot.tftp;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * One read transfer on its own channel and port: OACK (when options were accepted), then DATA
 * in windows of {@code windowsize} blocks. Each ACK that advances moves the window; duplicate
 * ACKs are ignored (no Sorcerer's Apprentice); a timeout resends the window from the first
 * unacknowledged block, at most {@code maxRetries} times in a row. Block numbers are 16-bit
 * on the wire and roll over to 0 past 65535. Packets from any other address or port get
 * ERROR 5 and leave the transfer alone. One buffer per transfer, reused for every block.
 */
final class Transfer {

  private static final int TIMEOUT = -1;
  private static final int CLIENT_ERROR = -2;

  private final DatagramChannel channel;
  private final DatagramSocket socket;
  private final InetSocketAddress client;
  private final TftpPacket.Request request;
  private final TftpFile file;
  private final TransferOptions opts;
  private final TftpServer.Settings settings;
  private final long started;
  private final ByteBuffer out;
  private final byte[] in = new byte[1024];
  private final DatagramPacket inPacket = new DatagramPacket(in, in.length);
  private String clientError;
  private long ackedBlocks;
  private volatile boolean aborted;

  Transfer(DatagramChannel channel, InetSocketAddress client, TftpPacket.Request request,
      TftpFile file, TransferOptions opts, TftpServer.Settings settings, long started) {
    this.channel = channel;
    this.socket = channel.socket();
    this.client = client;
    this.request = request;
    this.file = file;
    this.opts = opts;
    this.settings = settings;
    this.started = started;
    this.out = ByteBuffer.allocateDirect(4 + Math.max(opts.blockSize(), 512));
  }

  /** Stops the transfer (server shutdown). */
  void abort() {
    aborted = true;
    try {
      channel.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  void run() {
    String result;
    long delivered = 0;
    try (channel; file) {
      long size = file.size();
      int blk = opts.blockSize();
      long lastBlock = size / blk + 1;
      result = negotiate();
      if (result == null) {
        result = sendData(size, blk, lastBlock);
        delivered = Math.min(size, ackedBlocks * blk);
      }
    } catch (IOException e) {
      result = aborted ? "aborted (server stopping)" : "error (" + e + ")";
      if (!aborted) {
        sendError(TftpErrorCode.NOT_DEFINED, "server error");
      }
    }
    TftpServer.logTransfer(client, request, opts.oack(), delivered, started, result);
  }

  /** Sends the OACK and waits for ACK 0; null when done, else the result to log. */
  private String negotiate() throws IOException {
    if (opts.oack().isEmpty()) {
      return null;
    }
    out.clear();
    TftpCodec.encode(new TftpPacket.OptionAck(opts.oack()), out);
    out.flip();
    for (int tries = 0; tries <= settings.maxRetries(); tries++) {
      send();
      long deadline = System.nanoTime() + opts.timeoutMillis() * 1_000_000;
      while (true) {
        int ack = awaitAck(deadline);
        if (ack == 0) {
          return null;
        }
        if (ack == CLIENT_ERROR) {
          return "client error (" + clientError + ")";
        }
        if (ack == TIMEOUT) {
          break;
        }
        // an ACK for another block: ignore it
      }
    }
    return "timeout (no ACK for the OACK after " + (settings.maxRetries() + 1) + " tries)";
  }

  private String sendData(long size, int blk, long lastBlock) throws IOException {
    long base = 1; // first block not yet acknowledged
    long sentTo = sendWindow(base, size, blk, lastBlock);
    int tries = 0;
    long deadline = System.nanoTime() + opts.timeoutMillis() * 1_000_000;
    while (true) {
      int ack = awaitAck(deadline);
      if (ack == CLIENT_ERROR) {
        return "client error (" + clientError + ")";
      }
      if (ack == TIMEOUT) {
        if (++tries > settings.maxRetries()) {
          return "timeout (no ACK for block " + base + " after " + tries + " tries)";
        }
        sentTo = sendWindow(base, size, blk, lastBlock);
        deadline = System.nanoTime() + opts.timeoutMillis() * 1_000_000;
        continue;
      }
      long diff = (ack - (base - 1)) & 0xffff;
      if (diff == 0 || diff > sentTo - (base - 1)) {
        continue; // duplicate or stale ACK: never resend because of it
      }
      long acked = base - 1 + diff;
      ackedBlocks = acked;
      if (acked == lastBlock) {
        return "ok";
      }
      base = acked + 1;
      tries = 0;
      sentTo = sendWindow(base, size, blk, lastBlock);
      deadline = System.nanoTime() + opts.timeoutMillis() * 1_000_000;
    }
  }

  /** Sends blocks {@code from} up to the window's end; returns the last block sent. */
  private long sendWindow(long from, long size, int blk, long lastBlock) throws IOException {
    long to = Math.min(lastBlock, from + opts.windowSize() - 1);
    for (long k = from; k <= to; k++) {
      long offset = (k - 1) * blk;
      int len = (int) Math.max(0, Math.min(blk, size - offset));
      out.clear();
      TftpCodec.putDataHeader(out, k);
      out.limit(4 + len);
      file.read(offset, out);
      out.flip();
      send();
    }
    return to;
  }

  private void send() throws IOException {
    out.mark();
    channel.send(out, client);
    out.reset();
  }

  /**
   * Waits for an ACK from the client until {@code deadline}: its 16-bit block number,
   * {@link #TIMEOUT} or {@link #CLIENT_ERROR}. Other packets from the client are ignored;
   * packets from anyone else get ERROR 5.
   */
  private int awaitAck(long deadline) throws IOException {
    while (true) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        return TIMEOUT;
      }
      try {
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
        inPacket.setData(in);
        socket.receive(inPacket);
      } catch (SocketTimeoutException e) {
        return TIMEOUT;
      }
      if (!client.equals(inPacket.getSocketAddress())) {
        InetSocketAddress stranger = (InetSocketAddress) inPacket.getSocketAddress();
        TftpServer.log.debug("transfer to {}: packet from {} -> ERROR 5",
            TftpServer.addr(client), TftpServer.addr(stranger));
        try {
          channel.send(ByteBuffer.wrap(TftpCodec.encode(new TftpPacket.Error(
              TftpErrorCode.UNKNOWN_TRANSFER_ID, "unknown transfer ID"))), stranger);
        } catch (IOException e) {
          // the stranger's problem
        }
        continue;
      }
      int len = inPacket.getLength();
      if (len >= 4 && in[0] == 0 && in[1] == TftpPacket.ACK) {
        return ((in[2] & 0xff) << 8) | (in[3] & 0xff);
      }
      TftpPacket p;
      try {
        p = TftpCodec.decode(in, 0, len);
      } catch (TftpParseException e) {
        continue; // garbage from the client: ignore, the timer keeps running
      }
      if (p instanceof TftpPacket.Error e) {
        clientError = e.code() + " " + TftpServer.printable(e.message());
        return CLIENT_ERROR;
      }
    }
  }

  private void sendError(TftpErrorCode code, String message) {
    try {
      if (channel.isOpen()) {
        channel.send(ByteBuffer.wrap(TftpCodec.encode(new TftpPacket.Error(code, message))),
            client);
      }
    } catch (IOException ignored) {
      // best effort
    }
  }
}
