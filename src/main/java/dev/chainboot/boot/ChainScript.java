package dev.chainboot.boot;

import java.util.Optional;

/**
 * The {@code chain.ipxe} script served over TFTP: it hands a machine running iPXE to the HTTP
 * server's {@code /boot.ipxe}, carrying the settings that identify it. The HTTP host is the
 * operator's advertised address when one is configured, otherwise iPXE's own
 * {@code ${next-server}} (the TFTP server it was loaded from, per DHCP).
 */
public final class ChainScript {

  /**
   * The iPXE query string that carries a machine's identity. Every free-text value is
   * {@code :uristring}-escaped. The UUID is not: iPXE formats a uuid-typed setting with
   * {@code :uristring} from its raw bytes and cuts the whole rest of the URL off after it
   * (seen with QEMU's iPXE ROM: {@code ?mac=..&uuid=} and nothing more), while plain
   * {@code ${uuid}} is always the canonical {@code 8-4-4-4-12} hex form, safe in a URL. It
   * goes last so that no iPXE quirk with it can cost the other fields.
   */
  public static final String IDENTITY_QUERY =
      "mac=${mac:hexhyp}&serial=${serial:uristring}"
          + "&hostname=${hostname:uristring}&buildarch=${buildarch:uristring}"
          + "&platform=${platform:uristring}&uuid=${uuid}";

  private ChainScript() {}

  /**
   * @param advertisedHost host name or address (validated) to put in the URL, or empty to use
   *     {@code ${next-server}}
   * @param httpPort the HTTP server's port
   */
  public static String render(Optional<String> advertisedHost, int httpPort) {
    String host = advertisedHost.map(ChainScript::checkHost).orElse("${next-server}");
    String base = "http://" + host + ":" + httpPort;
    StringBuilder s = new StringBuilder();
    s.append("#!ipxe\n");
    s.append("# chainboot: hand this machine to the HTTP boot server\n");
    if (advertisedHost.isEmpty()) {
      s.append("isset ${next-server} || set next-server ${dhcp-server}\n");
    }
    s.append(":retry\n");
    s.append("chain --autofree ").append(base).append("/boot.ipxe?").append(IDENTITY_QUERY)
        .append(" && goto done ||\n");
    s.append("echo chainboot: could not reach ").append(base)
        .append("/boot.ipxe, retrying in 5 seconds (Ctrl-C for a shell)\n");
    s.append("sleep 5 || shell\n");
    s.append("goto retry\n");
    s.append(":done\n");
    return s.toString();
  }

  /** Accepts a DNS name, an IPv4 address or a bracketed IPv6 address; nothing else. */
  static String checkHost(String host) {
    if (!host.matches("[A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\]")) {
      throw new IllegalArgumentException("not a host name or address: " + host);
    }
    return host;
  }
}
