package dev.chainboot.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.eclipse.jetty.server.Request;

/**
 * The part of a request's path after a route prefix, percent-decoded, taken from the path as
 * the client sent it: nothing is silently dropped (Jetty's canonical path strips
 * {@code ;parameters}), so validators see every character the client sent.
 */
public final class RequestPath {

  private RequestPath() {}

  /**
   * @return the decoded rest of the path after {@code prefix}, or empty when the raw path does
   *     not start with it or its percent-encoding is malformed
   */
  public static Optional<String> after(Request request, String prefix) {
    String raw = request.getHttpURI().getPath();
    if (raw == null || !raw.startsWith(prefix)) {
      return Optional.empty();
    }
    return percentDecode(raw.substring(prefix.length()));
  }

  /**
   * Decodes {@code %XX} escapes as UTF-8 and nothing else ({@code +} and {@code ;} stay as
   * they are, unlike form decoding and Jetty's path decoding).
   *
   * @return empty when an escape is malformed or the bytes are not UTF-8
   */
  public static Optional<String> percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return Optional.of(s);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          return Optional.empty();
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return Optional.empty();
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else {
        int end = s.indexOf('%', i);
        byte[] b = s.substring(i, end < 0 ? s.length() : end).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
        i = (end < 0 ? s.length() : end) - 1;
      }
    }
    try {
      return Optional.of(StandardCharsets.UTF_8.newDecoder()
          .decode(java.nio.ByteBuffer.wrap(out.toByteArray())).toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }
}
