package dev.chainboot.http;

import dev.chainboot.text.Printable;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The reverse proxies ({@code --trusted-proxy CIDR}) whose {@code X-Forwarded-For} header names the
 * client. pxe_srv took the header from anyone, so any client could pose as another machine and be
 * served its once/static file; here a request from an untrusted peer is keyed by the peer, and the
 * header is read right to left, skipping trusted proxies, so a client cannot forge the address the
 * last trusted proxy appended.
 */
public final class TrustedProxies {

  /** No proxies: every request is keyed by its TCP peer. */
  public static final TrustedProxies NONE = new TrustedProxies(List.of());

  private static final Pattern V4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
  private static final Pattern V6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

  /** A network: an address and a prefix length. */
  record Cidr(byte[] network, int prefix) {
    boolean contains(InetAddress a) {
      byte[] b = a.getAddress();
      if (b.length != network.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (b[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xFF << (8 - rest)) & 0xFF;
      return (b[full] & mask) == (network[full] & mask);
    }
  }

  private final List<Cidr> networks;

  private TrustedProxies(List<Cidr> networks) {
    this.networks = List.copyOf(networks);
  }

  /**
   * Parses {@code 10.0.0.1}, {@code 10.0.0.0/8}, {@code fd00::/8} ... (a bare address is a single
   * host).
   *
   * @throws IllegalArgumentException naming the value that is not a CIDR
   */
  public static TrustedProxies parse(List<String> cidrs) {
    List<Cidr> out = new ArrayList<>();
    for (String c : cidrs) {
      for (String one : c.split(",")) {
        if (!one.isBlank()) {
          out.add(cidr(one.strip()));
        }
      }
    }
    return new TrustedProxies(out);
  }

  private static Cidr cidr(String s) {
    int slash = s.indexOf('/');
    String addr = slash < 0 ? s : s.substring(0, slash);
    Optional<InetAddress> a = literal(addr);
    if (a.isEmpty()) {
      throw new IllegalArgumentException(
          "--trusted-proxy: '" + Printable.of(s, 60) + "' is not an address or CIDR");
    }
    int max = a.get().getAddress().length * 8;
    int prefix = max;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(s.substring(slash + 1));
      } catch (NumberFormatException e) {
        prefix = -1;
      }
      if (prefix < 0 || prefix > max) {
        throw new IllegalArgumentException(
            "--trusted-proxy: '"
                + Printable.of(s, 60)
                + "' has a bad prefix length (0-"
                + max
                + ")");
      }
    }
    return new Cidr(a.get().getAddress(), prefix);
  }

  /** An IP address literal, never a DNS lookup. */
  static Optional<InetAddress> literal(String s) {
    String t = s.strip();
    if (t.startsWith("[") && t.endsWith("]")) {
      t = t.substring(1, t.length() - 1);
    }
    boolean v4 = V4.matcher(t).matches();
    if (!v4 && !(t.contains(":") && V6.matcher(t).matches())) {
      return Optional.empty();
    }
    if (v4) {
      for (String part : t.split("\\.")) {
        if (Integer.parseInt(part) > 255) {
          return Optional.empty();
        }
      }
    }
    try {
      return Optional.of(InetAddress.getByName(t));
    } catch (UnknownHostException | RuntimeException e) {
      return Optional.empty();
    }
  }

  public boolean isEmpty() {
    return networks.isEmpty();
  }

  boolean trusts(InetAddress a) {
    for (Cidr c : networks) {
      if (c.contains(a)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The client of a request from {@code peer} with these {@code X-Forwarded-For} values: the peer
   * itself unless it is a trusted proxy; else the right-most address in the header that is not a
   * trusted proxy (the left-most when all are), stopping at anything that is not an address.
   */
  InetAddress client(InetAddress peer, List<String> forwardedFor) {
    if (networks.isEmpty() || !trusts(peer) || forwardedFor.isEmpty()) {
      return peer;
    }
    List<String> hops = new ArrayList<>();
    for (String h : forwardedFor) {
      for (String part : h.split(",")) {
        hops.add(part.strip());
      }
    }
    InetAddress client = peer;
    for (int i = hops.size() - 1; i >= 0; i--) {
      Optional<InetAddress> a = literal(hops.get(i));
      if (a.isEmpty()) {
        break;
      }
      client = a.get();
      if (!trusts(client)) {
        break;
      }
    }
    return client;
  }
}
