package dev.chainboot.doctor;

import dev.chainboot.tftp.TftpCodec;
import dev.chainboot.tftp.TftpPacket;
import dev.chainboot.tftp.TftpParseException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads one file over TFTP the way UEFI and PXE firmware do: a read request in octet mode with
 * {@code blksize} 1468 and {@code tsize}, the server's option acknowledgement acknowledged with
 * block 0, then lock-step data and acknowledgements from the transfer's own port.
 */
public final class TftpFetch {

  /** EDK2's block size (the Ethernet MTU less the IP, UDP and TFTP headers). */
  public static final int FIRMWARE_BLKSIZE = 1468;

  /** Largest file read (an iPXE binary is well under 2 MiB, shim and GRUB under 4). */
  public static final int MAX_BYTES = 32 << 20;

  private TftpFetch() {}

  /** The file, or why there is none. */
  public sealed interface Result {}

  public record Got(byte[] data, int blksize, Map<String, String> oack) implements Result {}

  public record Failed(String why) implements Result {}

  /**
   * @param timeout per packet; a lost packet is sent again up to {@code tries} times
   */
  public static Result fetch(InetSocketAddress server, String file, Duration timeout, int tries) {
    Map<String, String> opts = new LinkedHashMap<>();
    opts.put("blksize", Integer.toString(FIRMWARE_BLKSIZE));
    opts.put("tsize", "0");
    byte[] rrq;
    try {
      rrq = TftpCodec.encode(new TftpPacket.Request(false, file, "octet", opts));
    } catch (RuntimeException e) {
      return new Failed("cannot ask for '" + file + "': " + e.getMessage());
    }
    try (DatagramSocket s = new DatagramSocket()) {
      s.setSoTimeout((int) Math.max(1, timeout.toMillis()));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] lastSent = rrq;
      SocketAddress lastTo = server;
      SocketAddress peer = null;
      int blksize = 512;
      Map<String, String> oack = Map.of();
      int expected = 1;
      int missed = 0;
      s.send(new DatagramPacket(rrq, rrq.length, server));
      byte[] buf = new byte[65536];
      while (true) {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
          s.receive(p);
        } catch (SocketTimeoutException e) {
          if (++missed >= tries) {
            return new Failed(
                peer == null
                    ? "no answer from "
                        + server.getAddress().getHostAddress()
                        + ":"
                        + server.getPort()
                        + " (is TFTP on, on that port, and let through?)"
                    : "the transfer stalled after " + out.size() + " bytes");
          }
          s.send(new DatagramPacket(lastSent, lastSent.length, lastTo));
          continue;
        }
        if (peer != null && !peer.equals(p.getSocketAddress())) {
          continue; // not our transfer (RFC 1350: answer with an error; a firmware ignores it)
        }
        TftpPacket packet;
        try {
          packet = TftpCodec.decode(p.getData(), p.getOffset(), p.getLength());
        } catch (TftpParseException | RuntimeException e) {
          return new Failed("a malformed TFTP packet: " + e.getMessage());
        }
        peer = p.getSocketAddress();
        missed = 0;
        switch (packet) {
          case TftpPacket.Error err -> {
            return new Failed("error " + err.code() + ": " + err.message());
          }
          case TftpPacket.OptionAck o -> {
            if (expected != 1 || out.size() > 0) {
              continue;
            }
            oack = o.options();
            String b = o.options().get("blksize");
            if (b != null) {
              try {
                blksize = Integer.parseInt(b);
              } catch (NumberFormatException e) {
                return new Failed("the server acknowledged blksize '" + b + "'");
              }
              if (blksize < 8 || blksize > FIRMWARE_BLKSIZE) {
                return new Failed(
                    "the server chose blksize "
                        + blksize
                        + ", more than the "
                        + FIRMWARE_BLKSIZE
                        + " the firmware asked for");
              }
            }
            lastSent = TftpCodec.encode(new TftpPacket.Ack(0));
            lastTo = peer;
            s.send(new DatagramPacket(lastSent, lastSent.length, peer));
          }
          case TftpPacket.Data d -> {
            if (d.block() == (expected & 0xffff)) {
              out.writeBytes(d.payload());
              if (out.size() > MAX_BYTES) {
                return new Failed("more than " + MAX_BYTES + " bytes: not a boot loader");
              }
              expected++;
              lastSent = TftpCodec.encode(new TftpPacket.Ack(d.block()));
              lastTo = peer;
              s.send(new DatagramPacket(lastSent, lastSent.length, peer));
              if (d.payload().length < blksize) {
                return new Got(out.toByteArray(), blksize, oack);
              }
            } else {
              s.send(new DatagramPacket(lastSent, lastSent.length, peer));
            }
          }
          default -> {
            return new Failed("an unexpected TFTP packet: " + packet);
          }
        }
      }
    } catch (IOException e) {
      return new Failed("cannot talk to " + server + ": " + e.getMessage());
    }
  }
}
