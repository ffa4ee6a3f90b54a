package dev.chainboot.tftp;

import dev.chainboot.text.Printable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The parameters one read transfer runs with, negotiated from a request's options: RFC 2348
 * blksize, RFC 2349 tsize and timeout, RFC 7440 windowsize. Options this server does not know are
 * ignored; a request without options gets plain RFC 1350 and no OACK.
 *
 * @param blockSize bytes per DATA block
 * @param windowSize DATA blocks sent before waiting for an ACK
 * @param timeoutMillis how long to wait for an ACK before sending again
 * @param oack the options to acknowledge, in the client's order; empty means send no OACK
 */
public record TransferOptions(
    int blockSize, int windowSize, long timeoutMillis, Map<String, String> oack) {

  public static final int DEFAULT_BLOCK_SIZE = 512;
  public static final int MIN_BLOCK_SIZE = 8;
  public static final int MAX_BLOCK_SIZE = 65464;
  public static final int MAX_WINDOW_SIZE = 65535;

  public TransferOptions {
    oack = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(oack));
  }

  /** Why a request's options cannot be accepted (answered with ERROR 8). */
  public static final class Rejected extends Exception {
    public Rejected(String message) {
      super(message);
    }
  }

  /**
   * Negotiates a read request's options.
   *
   * @param requested the request's options (lower-case names)
   * @param transferSize the bytes the client will receive (after netascii conversion), or -1 when
   *     unknown (tsize is then not acknowledged)
   * @param defaultTimeoutMillis the timeout used when the client asks for none
   * @param maxBlockSize the largest block this server sends (at most {@link #MAX_BLOCK_SIZE})
   */
  public static TransferOptions negotiate(
      Map<String, String> requested, long transferSize, long defaultTimeoutMillis, int maxBlockSize)
      throws Rejected {
    int blockSize = DEFAULT_BLOCK_SIZE;
    int windowSize = 1;
    long timeout = defaultTimeoutMillis;
    Map<String, String> oack = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : requested.entrySet()) {
      String value = e.getValue().strip();
      switch (e.getKey()) {
        case "blksize" -> {
          long v = number(value);
          if (v < MIN_BLOCK_SIZE) {
            throw new Rejected(
                "blksize "
                    + Printable.ascii(value, Printable.MAX)
                    + " is outside "
                    + MIN_BLOCK_SIZE
                    + ".."
                    + MAX_BLOCK_SIZE);
          }
          blockSize = (int) Math.min(v, Math.min(maxBlockSize, MAX_BLOCK_SIZE));
          oack.put("blksize", Integer.toString(blockSize));
        }
        case "tsize" -> {
          if (transferSize >= 0 && number(value) >= 0) {
            oack.put("tsize", Long.toString(transferSize));
          }
        }
        case "timeout" -> {
          long v = number(value);
          if (v >= 1 && v <= 255) {
            timeout = v * 1000;
            oack.put("timeout", Long.toString(v));
          }
        }
        case "windowsize" -> {
          long v = number(value);
          if (v >= 1) {
            windowSize = (int) Math.min(v, MAX_WINDOW_SIZE);
            oack.put("windowsize", Integer.toString(windowSize));
          }
        }
        default -> {} // unknown options are ignored (RFC 2347)
      }
    }
    return new TransferOptions(blockSize, windowSize, timeout, oack);
  }

  /** A decimal number; huge values saturate, anything else is -1. */
  private static long number(String s) {
    if (s.isEmpty() || s.length() > 40) {
      return -1;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return -1;
      }
    }
    return s.length() > 18 ? Long.MAX_VALUE : Long.parseLong(s);
  }
}
