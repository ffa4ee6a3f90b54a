package dev.chainboot.http;

import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.Request;

/**
 * This server's base URL as a client reached it ({@code http://host:port}, no trailing slash),
 * for scripts that link back to us. The Host header is client-controlled, so it is used only
 * when it is a plain host name or address; otherwise the local address the connection arrived
 * on is used. An operator's {@code --advertise} host wins over both.
 */
public final class BaseUrl {

  private static final Pattern HOST =
      Pattern.compile("[A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\]|[0-9A-Fa-f:.]{2,45}");

  private BaseUrl() {}

  public static String of(Request request, Optional<String> advertise) {
    String scheme = request.getHttpURI().getScheme();
    if (!"https".equalsIgnoreCase(scheme)) {
      scheme = "http";
    }
    String host;
    int port;
    if (advertise.isPresent() && HOST.matcher(advertise.get()).matches()) {
      host = advertise.get();
      port = Request.getLocalPort(request);
    } else {
      String name = Request.getServerName(request);
      if (name != null && HOST.matcher(name).matches()) {
        host = name;
        port = Request.getServerPort(request);
      } else {
        host = Request.getLocalAddr(request);
        port = Request.getLocalPort(request);
      }
    }
    if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    if (port <= 0 || port > 65535) {
      port = Request.getLocalPort(request);
    }
    return scheme + "://" + host + ":" + port;
  }
}
