package dev.chainboot.tftp;

import java.util.Arrays;
import java.util.Map;

/** One TFTP packet, as {@link TftpCodec} parses and encodes it. */
public sealed interface TftpPacket {

  int RRQ = 1;
  int WRQ = 2;
  int DATA = 3;
  int ACK = 4;
  int ERROR = 5;
  int OACK = 6;

  int opcode();

  /**
   * A read or write request. {@code options} keeps the client's order; names are lower-cased (RFC
   * 2347 option names are case-insensitive), the first of duplicate names wins.
   */
  record Request(boolean write, String filename, String mode, Map<String, String> options)
      implements TftpPacket {
    public Request {
      options = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(options));
    }

    @Override
    public int opcode() {
      return write ? WRQ : RRQ;
    }
  }

  /** A block of file data; {@code block} is the 16-bit wire block number. */
  record Data(int block, byte[] payload) implements TftpPacket {
    @Override
    public int opcode() {
      return DATA;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Data d && d.block == block && Arrays.equals(d.payload, payload);
    }

    @Override
    public int hashCode() {
      return block * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
      return "Data[block=" + block + ", " + payload.length + " bytes]";
    }
  }

  record Ack(int block) implements TftpPacket {
    @Override
    public int opcode() {
      return ACK;
    }
  }

  /** An ERROR packet; {@code code} is the raw wire code (clients may send codes we do not name). */
  record Error(int code, String message) implements TftpPacket {
    public Error(TftpErrorCode code, String message) {
      this(code.code(), message);
    }

    @Override
    public int opcode() {
      return ERROR;
    }
  }

  /** An option acknowledgement (RFC 2347), options in the order given. */
  record OptionAck(Map<String, String> options) implements TftpPacket {
    public OptionAck {
      options = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(options));
    }

    @Override
    public int opcode() {
      return OACK;
    }
  }
}
