package dev.chainboot.config;

import java.net.InetSocketAddress;

/** Parses {@code ADDR:PORT}, {@code :PORT}, {@code PORT} or {@code [v6]:PORT} listen addresses. */
public final class HostPort {

  private HostPort() {}

  public static InetSocketAddress parse(String text, int defaultPort) {
    String s = text.strip();
    String host;
    String port;
    if (s.startsWith("[")) {
      int end = s.indexOf(']');
      if (end < 0) {
        throw new IllegalArgumentException("unclosed '[' in address: " + text);
      }
      host = s.substring(1, end);
      String rest = s.substring(end + 1);
      port = rest.startsWith(":") ? rest.substring(1) : "";
    } else if (s.matches("\\d+")) {
      host = "";
      port = s;
    } else {
      int colon = s.lastIndexOf(':');
      host = colon < 0 ? s : s.substring(0, colon);
      port = colon < 0 ? "" : s.substring(colon + 1);
    }
    int p = defaultPort;
    if (!port.isEmpty()) {
      try {
        p = Integer.parseInt(port);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("port is not a number in address: " + text);
      }
    }
    if (p < 0 || p > 65535) {
      throw new IllegalArgumentException("port out of range in address: " + text);
    }
    return host.isEmpty() || host.equals("*")
        ? new InetSocketAddress(p)
        : new InetSocketAddress(host, p);
  }
}
