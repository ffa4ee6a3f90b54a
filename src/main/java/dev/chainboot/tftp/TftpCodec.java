package dev.chainboot.tftp;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Pure TFTP wire codec: bytes in, {@link TftpPacket} records out, and back. Malformed input is a
 * {@link TftpParseException}; nothing unchecked escapes {@link #decode}.
 */
public final class TftpCodec {

  /** Longest filename accepted in a request, in bytes. */
  public static final int MAX_FILENAME = 1024;

  /** Longest option name or value accepted, in bytes. */
  public static final int MAX_OPTION = 255;

  /** Most options accepted in one request or OACK. */
  public static final int MAX_OPTIONS = 32;

  private TftpCodec() {}

  public static TftpPacket decode(byte[] bytes) throws TftpParseException {
    return decode(bytes, 0, bytes.length);
  }

  /** Parses the {@code length} bytes at {@code offset}. */
  public static TftpPacket decode(byte[] b, int offset, int length) throws TftpParseException {
    if (offset < 0 || length < 0 || offset + length > b.length) {
      throw new TftpParseException(TftpErrorCode.ILLEGAL_OPERATION, "bad buffer bounds");
    }
    if (length < 2) {
      throw new TftpParseException(
          TftpErrorCode.ILLEGAL_OPERATION, "truncated packet (" + length + " bytes)");
    }
    int end = offset + length;
    int op = u16(b, offset);
    int p = offset + 2;
    switch (op) {
      case TftpPacket.RRQ, TftpPacket.WRQ -> {
        List<String> strings = strings(b, p, end);
        if (strings.size() < 2) {
          throw new TftpParseException(
              TftpErrorCode.ILLEGAL_OPERATION, "request without filename and mode");
        }
        String filename = strings.get(0);
        if (utf8Length(filename) > MAX_FILENAME) {
          throw new TftpParseException(
              TftpErrorCode.ILLEGAL_OPERATION, "filename longer than " + MAX_FILENAME + " bytes");
        }
        if (filename.isEmpty()) {
          throw new TftpParseException(TftpErrorCode.ILLEGAL_OPERATION, "empty filename");
        }
        String mode = strings.get(1).toLowerCase(Locale.ROOT);
        Map<String, String> options = options(strings.subList(2, strings.size()), true);
        return new TftpPacket.Request(op == TftpPacket.WRQ, filename, mode, options);
      }
      case TftpPacket.DATA -> {
        if (length < 4) {
          throw new TftpParseException(TftpErrorCode.ILLEGAL_OPERATION, "truncated DATA");
        }
        byte[] payload = new byte[length - 4];
        System.arraycopy(b, offset + 4, payload, 0, payload.length);
        return new TftpPacket.Data(u16(b, p), payload);
      }
      case TftpPacket.ACK -> {
        if (length < 4) {
          throw new TftpParseException(TftpErrorCode.ILLEGAL_OPERATION, "truncated ACK");
        }
        return new TftpPacket.Ack(u16(b, p));
      }
      case TftpPacket.ERROR -> {
        if (length < 4) {
          throw new TftpParseException(TftpErrorCode.ILLEGAL_OPERATION, "truncated ERROR");
        }
        int code = u16(b, p);
        // The message should be NUL-terminated; be lenient about a missing terminator.
        int q = p + 2;
        int z = q;
        while (z < end && b[z] != 0) {
          z++;
        }
        return new TftpPacket.Error(code, text(b, q, z));
      }
      case TftpPacket.OACK -> {
        List<String> strings = strings(b, p, end);
        return new TftpPacket.OptionAck(options(strings, false));
      }
      default ->
          throw new TftpParseException(TftpErrorCode.ILLEGAL_OPERATION, "unknown opcode " + op);
    }
  }

  private static int u16(byte[] b, int i) {
    return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
  }

  /** NUL-terminated strings from {@code p} to {@code end}; the last must be terminated. */
  private static List<String> strings(byte[] b, int p, int end) throws TftpParseException {
    List<String> out = new ArrayList<>();
    int start = p;
    for (int i = p; i < end; i++) {
      if (b[i] == 0) {
        if (out.size() > 2 * MAX_OPTIONS + 2) {
          throw new TftpParseException(TftpErrorCode.ILLEGAL_OPERATION, "too many fields");
        }
        out.add(text(b, start, i));
        start = i + 1;
      }
    }
    if (start != end) {
      throw new TftpParseException(TftpErrorCode.ILLEGAL_OPERATION, "field not NUL-terminated");
    }
    return out;
  }

  private static Map<String, String> options(List<String> fields, boolean lenientTail)
      throws TftpParseException {
    if (fields.size() % 2 != 0 && !lenientTail) {
      throw new TftpParseException(TftpErrorCode.ILLEGAL_OPERATION, "option without value");
    }
    Map<String, String> options = new LinkedHashMap<>();
    // In a request an odd trailing field is ignored, as common servers do.
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      String name = fields.get(i).toLowerCase(Locale.ROOT);
      String value = fields.get(i + 1);
      if (name.isEmpty()) {
        throw new TftpParseException(TftpErrorCode.ILLEGAL_OPERATION, "empty option name");
      }
      if (utf8Length(name) > MAX_OPTION || utf8Length(value) > MAX_OPTION) {
        throw new TftpParseException(
            TftpErrorCode.OPTION_NEGOTIATION_FAILED,
            "option name or value longer than " + MAX_OPTION + " bytes");
      }
      options.putIfAbsent(name, value);
    }
    return options;
  }

  /** UTF-8 when the bytes are valid UTF-8, else ISO-8859-1 (lossless). */
  private static String text(byte[] b, int from, int to) {
    boolean ascii = true;
    for (int i = from; i < to; i++) {
      if (b[i] < 0) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
    }
    try {
      CharBuffer cb =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(b, from, to - from));
      return cb.toString();
    } catch (CharacterCodingException e) {
      return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
    }
  }

  private static int utf8Length(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  /** The packet's wire form. */
  public static byte[] encode(TftpPacket packet) {
    ByteBuffer out = ByteBuffer.allocate(encodedLength(packet));
    encode(packet, out);
    return out.array();
  }

  /** Writes the packet's wire form at {@code out}'s position. */
  public static void encode(TftpPacket packet, ByteBuffer out) {
    out.putShort((short) packet.opcode());
    switch (packet) {
      case TftpPacket.Request r -> {
        putString(out, r.filename());
        putString(out, r.mode());
        r.options()
            .forEach(
                (k, v) -> {
                  putString(out, k);
                  putString(out, v);
                });
      }
      case TftpPacket.Data d -> {
        out.putShort((short) d.block());
        out.put(d.payload());
      }
      case TftpPacket.Ack a -> out.putShort((short) a.block());
      case TftpPacket.Error e -> {
        out.putShort((short) e.code());
        putString(out, e.message());
      }
      case TftpPacket.OptionAck o ->
          o.options()
              .forEach(
                  (k, v) -> {
                    putString(out, k);
                    putString(out, v);
                  });
    }
  }

  /** Writes a DATA header (opcode and 16-bit block number); the payload follows. */
  public static void putDataHeader(ByteBuffer out, long block) {
    out.putShort((short) TftpPacket.DATA);
    out.putShort((short) block);
  }

  private static int encodedLength(TftpPacket packet) {
    return switch (packet) {
      case TftpPacket.Request r ->
          2
              + len(r.filename())
              + len(r.mode())
              + r.options().entrySet().stream()
                  .mapToInt(e -> len(e.getKey()) + len(e.getValue()))
                  .sum();
      case TftpPacket.Data d -> 4 + d.payload().length;
      case TftpPacket.Ack a -> 4;
      case TftpPacket.Error e -> 4 + len(e.message());
      case TftpPacket.OptionAck o ->
          2
              + o.options().entrySet().stream()
                  .mapToInt(e -> len(e.getKey()) + len(e.getValue()))
                  .sum();
    };
  }

  private static int len(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length + 1;
  }

  private static void putString(ByteBuffer out, String s) {
    // Strings never carry NUL on the wire; a NUL inside would split the field.
    out.put(s.replace('\0', '?').getBytes(StandardCharsets.UTF_8));
    out.put((byte) 0);
  }
}
