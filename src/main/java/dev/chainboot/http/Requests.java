package dev.chainboot.http;

import dev.chainboot.ipxe.IpxeSafe;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;

/**
 * The one place a request is read: who sent it, this server's base URL as the client reached it,
 * bounded query parameters, and the part of the path after a route prefix.
 */
public final class Requests {

  /** Longer parameter values are taken as absent: no real firmware sends them. */
  public static final int MAX_PARAM = 256;

  private Requests() {}

  /** Where {@link HttpServer} keeps the trusted proxies, for {@link #clientIp}. */
  static final String TRUSTED_PROXIES = "dev.chainboot.http.trustedProxies";

  /**
   * The client of the request (what pxe_srv keys on): the TCP peer, or, when the peer is a trusted
   * reverse proxy ({@code --trusted-proxy}), the client its {@code X-Forwarded-For} names ({@link
   * TrustedProxies#client}). From anyone else the header is ignored.
   */
  public static InetAddress clientIp(Request request) {
    SocketAddress sa = request.getConnectionMetaData().getRemoteSocketAddress();
    InetAddress peer =
        sa instanceof InetSocketAddress isa && isa.getAddress() != null
            ? isa.getAddress()
            : InetAddress.getLoopbackAddress();
    if (request.getContext().getAttribute(TRUSTED_PROXIES) instanceof TrustedProxies tp
        && !tp.isEmpty()) {
      return tp.client(peer, request.getHeaders().getValuesList(HttpHeader.X_FORWARDED_FOR));
    }
    return peer;
  }

  /** Whether iPXE sent the request (it shows nothing useful for a 4xx). */
  public static boolean fromIpxe(Request request) {
    String ua = request.getHeaders().get(HttpHeader.USER_AGENT);
    return ua != null && ua.contains("iPXE");
  }

  /** The query parameters. */
  public static Fields query(Request request) {
    return Request.extractQueryParameters(request);
  }

  /** A query parameter, empty when absent, blank, too long to be real, or the null UUID. */
  public static Optional<String> param(Fields q, String name) {
    String v = q.getValue(name);
    if (v == null
        || v.isBlank()
        || v.length() > MAX_PARAM
        || v.equals("00000000-0000-0000-0000-000000000000")) {
      return Optional.empty();
    }
    return Optional.of(v);
  }

  /**
   * This server's base URL as the client reached it: the request's scheme and its Host header when
   * that is a valid host[:port], else the local address the connection arrived on.
   */
  public static String baseUrl(Request req) {
    String host = req.getHeaders().get(HttpHeader.HOST);
    try {
      if (host != null) {
        return scheme(req) + "://" + IpxeSafe.host(host);
      }
    } catch (IpxeSafe.UnsafeValueException e) {
      // fall through to the local address
    }
    String local = Request.getLocalAddr(req);
    if (local.contains(":")) {
      local = "[" + local + "]";
    }
    return scheme(req) + "://" + local + ":" + Request.getLocalPort(req);
  }

  /**
   * Like {@link #baseUrl(Request)}, but an operator's {@code --advertise} host (already validated
   * at start-up) wins over what the request says; the port is the local one.
   */
  public static String baseUrl(Request req, Optional<String> advertise) {
    if (advertise.isEmpty()) {
      return baseUrl(req);
    }
    return scheme(req) + "://" + IpxeSafe.host(advertise.get()) + ":" + Request.getLocalPort(req);
  }

  /**
   * This server's host as the client reached it, without a port: the operator's {@code --advertise}
   * host, else the request's Host header when it is a valid host[:port], else the local address the
   * connection arrived on.
   */
  public static String host(Request req, Optional<String> advertise) {
    if (advertise.isPresent()) {
      return IpxeSafe.host(advertise.get());
    }
    String h = req.getHeaders().get(HttpHeader.HOST);
    try {
      if (h != null) {
        IpxeSafe.host(h);
        return h.startsWith("[") ? h.substring(0, h.indexOf(']') + 1) : h.replaceFirst(":.*$", "");
      }
    } catch (IpxeSafe.UnsafeValueException e) {
      // fall through to the local address
    }
    String local = Request.getLocalAddr(req);
    return local.contains(":") ? "[" + local + "]" : local;
  }

  /**
   * Another listener of this server as a client of this request reaches it: plain HTTP, the host of
   * {@link #baseUrl(Request, Optional)}, and {@code port} (the boot listener's URL, asked on the
   * admin listener).
   */
  public static String urlOnPort(Request req, Optional<String> advertise, int port) {
    String base = baseUrl(req, advertise);
    String host = java.net.URI.create(base).getHost();
    return "http://" + (host == null ? "127.0.0.1" : host) + ":" + port;
  }

  private static String scheme(Request req) {
    return "https".equalsIgnoreCase(req.getHttpURI().getScheme()) ? "https" : "http";
  }

  /**
   * The part of a request's path after a route prefix, percent-decoded, taken from the path as the
   * client sent it: nothing is silently dropped (Jetty's canonical path strips {@code
   * ;parameters}), so validators see every character the client sent.
   *
   * @return the decoded rest of the path after {@code prefix}, or empty when the raw path does not
   *     start with it or its percent-encoding is malformed
   */
  public static Optional<String> pathAfter(Request request, String prefix) {
    String raw = request.getHttpURI().getPath();
    if (raw == null || !raw.startsWith(prefix)) {
      return Optional.empty();
    }
    return percentDecode(raw.substring(prefix.length()));
  }

  /**
   * Decodes {@code %XX} escapes as UTF-8 and nothing else ({@code +} and {@code ;} stay as they
   * are, unlike form decoding and Jetty's path decoding).
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
      return Optional.of(
          StandardCharsets.UTF_8
              .newDecoder()
              .decode(java.nio.ByteBuffer.wrap(out.toByteArray()))
              .toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }
}
