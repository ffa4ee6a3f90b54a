package dev.chainboot.http;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.jetty.http.ByteRange;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.content.HttpContent;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Writes a {@code multipart/byteranges} answer to a multi-range request with a Content-Length
 * (Jetty streams it chunked, without one). The parts' headers are built first, so the exact length
 * is known before the first byte; the file is then copied part by part.
 */
final class MultiRangeWriter {

  /** More ranges than this are answered with the whole file (RFC 9110 allows ignoring Range). */
  static final int MAX_RANGES = 64;

  private MultiRangeWriter() {}

  /**
   * The ranges of a multi-range request on {@code length} bytes, or null when this is not one (no
   * Range, a single range, unsatisfiable, or too many ranges) and Jetty should answer.
   */
  static List<ByteRange> ranges(Request request, long length) {
    List<String> headers = request.getHeaders().getValuesList(HttpHeader.RANGE);
    if (headers.isEmpty()) {
      return null;
    }
    List<ByteRange> ranges = ByteRange.parse(headers, length);
    if (ranges.size() < 2 || ranges.size() > MAX_RANGES) {
      return null;
    }
    return ranges;
  }

  static void write(
      Request request,
      Response response,
      Callback callback,
      HttpContent content,
      Path file,
      List<ByteRange> ranges) {
    long length = content.getContentLengthValue();
    String boundary = UUID.randomUUID().toString().replace("-", "");
    String type = content.getContentTypeValue();
    List<byte[]> heads = new ArrayList<>();
    long total = 0;
    for (ByteRange r : ranges) {
      String head =
          "--"
              + boundary
              + "\r\n"
              + (type == null ? "" : "Content-Type: " + type + "\r\n")
              + "Content-Range: "
              + r.toHeaderValue(length)
              + "\r\n\r\n";
      byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
      heads.add(h);
      total += h.length + r.getLength() + 2;
    }
    byte[] tail = ("--" + boundary + "--\r\n").getBytes(StandardCharsets.ISO_8859_1);
    total += tail.length;

    response.setStatus(HttpStatus.PARTIAL_CONTENT_206);
    response
        .getHeaders()
        .put(HttpHeader.CONTENT_TYPE, "multipart/byteranges; boundary=" + boundary);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, total);
    response.getHeaders().put(HttpHeader.ACCEPT_RANGES, "bytes");
    if (content.getETag() != null) {
      response.getHeaders().put(content.getETag());
    }
    if (content.getLastModified() != null) {
      response.getHeaders().put(content.getLastModified());
    }
    if ("HEAD".equals(request.getMethod())) {
      callback.succeeded();
      return;
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        OutputStream out = Content.Sink.asOutputStream(response)) {
      ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
      for (int i = 0; i < ranges.size(); i++) {
        out.write(heads.get(i));
        long pos = ranges.get(i).first();
        long left = ranges.get(i).getLength();
        while (left > 0) {
          buf.clear().limit((int) Math.min(buf.capacity(), left));
          int n = ch.read(buf, pos);
          if (n < 0) {
            throw new IOException("file shrank while being sent: " + file);
          }
          out.write(buf.array(), 0, n);
          pos += n;
          left -= n;
        }
        out.write('\r');
        out.write('\n');
      }
      out.write(tail);
    } catch (IOException | RuntimeException e) {
      callback.failed(e);
      return;
    }
    callback.succeeded();
  }
}
