package dev.chainboot.dhcp;

import dev.chainboot.firmware.BootBinary;
import dev.chainboot.ipxe.ChainScripts;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Configuration for operators who keep their own DHCP server instead of {@code --proxy-dhcp}: ISC
 * dhcpd, dnsmasq or Kea, with the same architecture mapping as the proxyDHCP responder ({@link
 * BootFileChooser#binaryFor}) and the iPXE loop break (user class {@code iPXE} gets the HTTP {@code
 * /boot.ipxe}).
 */
public final class DhcpConfigGenerator {

  public enum Format {
    ISC,
    DNSMASQ,
    KEA
  }

  private final String server;
  private final int httpPort;
  private final BootFileChooser chooser;
  private byte[] trust = new byte[0];

  /**
   * @param server this server's IPv4 address (next-server, and the host in URLs)
   * @param x86_64Efi {@code snponly.efi} or {@code ipxe.efi} for x86_64 UEFI
   */
  public DhcpConfigGenerator(String server, int httpPort, BootBinary x86_64Efi) {
    this.server = checkIpv4(server);
    if (httpPort < 1 || httpPort > 65535) {
      throw new IllegalArgumentException("HTTP port out of range: " + httpPort);
    }
    this.httpPort = httpPort;
    this.chooser = new BootFileChooser(x86_64Efi, b -> true);
  }

  /**
   * Makes firmware-started iPXE trust a private CA: the configuration force-sends option 175
   * sub-option 90 ({@code trust}, the CA certificate's SHA-256) in the answer to the firmware (iPXE
   * reads it once at start), as {@code serve --proxy-dhcp --https} does.
   *
   * @param sha256 the CA certificate's SHA-256 fingerprint (32 bytes)
   */
  public DhcpConfigGenerator trusting(byte[] sha256) {
    if (sha256.length != 32) {
      throw new IllegalArgumentException("a trust fingerprint is a SHA-256 digest (32 bytes)");
    }
    this.trust = sha256.clone();
    return this;
  }

  private String trustHex(String separator) {
    StringBuilder b = new StringBuilder();
    for (byte x : trust) {
      if (!b.isEmpty()) {
        b.append(separator);
      }
      b.append(String.format(Locale.ROOT, "%02x", x & 0xff));
    }
    return b.toString();
  }

  static String checkIpv4(String s) {
    if (s == null || !s.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      throw new IllegalArgumentException("--server must be an IPv4 address, not '" + s + "'");
    }
    try {
      InetAddress a = InetAddress.getByName(s);
      if (!(a instanceof Inet4Address)) {
        throw new IllegalArgumentException("--server must be an IPv4 address: " + s);
      }
      return a.getHostAddress();
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException("--server must be an IPv4 address: " + s);
    }
  }

  /** One row of the architecture table: option 93 code, what it is, the file it gets. */
  public record Row(ClientArch arch, String file, boolean http) {}

  /** The architecture mapping: every option 93 code chainboot can boot, and its file. */
  public List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    for (ClientArch a : ClientArch.values()) {
      chooser
          .binaryFor(a)
          .ifPresent(
              b ->
                  rows.add(
                      new Row(
                          a,
                          a.http() ? baseUrl() + BootBinary.HTTP_PATH + b.fileName() : b.fileName(),
                          a.http())));
    }
    return rows;
  }

  String baseUrl() {
    return "http://" + server + ":" + httpPort;
  }

  String bootScriptUrl() {
    return ChainScripts.bootUrl(baseUrl());
  }

  public String render(Format f) {
    return switch (f) {
      case ISC -> isc();
      case DNSMASQ -> dnsmasq();
      case KEA -> kea();
    };
  }

  private String header(String comment) {
    return comment
        + " chainboot: network boot through chainboot at "
        + server
        + " (HTTP port "
        + httpPort
        + ").\n"
        + comment
        + " Firmware gets the iPXE binary for its architecture (DHCP option 93) over TFTP from "
        + server
        + ";\n"
        + comment
        + " iPXE itself (user class \"iPXE\") gets "
        + bootScriptUrl()
        + ", which ends the loop.\n";
  }

  private String isc() {
    StringBuilder s = new StringBuilder(header("#"));
    s.append("option chainboot-arch code 93 = unsigned integer 16;\n");
    if (trust.length > 0) {
      s.append("# iPXE trusts chainboot's CA (option 175.90), force-sent to the firmware\n");
      s.append("option space ipxe;\n");
      s.append("option ipxe-encap-opts code 175 = encapsulate ipxe;\n");
      s.append("option ipxe.trust code 90 = string;\n");
    }
    s.append("next-server ").append(server).append(";\n");
    s.append("if exists user-class and option user-class = \"iPXE\" {\n");
    s.append("  filename \"").append(bootScriptUrl()).append("\";\n");
    for (Row r : rows()) {
      s.append("} elsif option chainboot-arch = ").append(hex16(r.arch().code())).append(" {\n");
      s.append("  # ").append(r.arch()).append('\n');
      s.append("  filename \"").append(r.file()).append("\";\n");
      if (r.http()) {
        s.append("  option vendor-class-identifier \"HTTPClient\";\n");
      }
      if (trust.length > 0) {
        s.append("  option ipxe.trust ").append(trustHex(":")).append(";\n");
        s.append(
            "  option dhcp-parameter-request-list = concat(option dhcp-parameter-request-list,"
                + " af);\n");
      }
    }
    s.append("}\n");
    return s.toString();
  }

  private String dnsmasq() {
    StringBuilder s = new StringBuilder(header("#"));
    s.append("dhcp-userclass=set:chainboot-ipxe,iPXE\n");
    s.append("dhcp-match=set:chainboot-ipxe,175\n");
    for (Row r : rows()) {
      s.append("dhcp-match=set:")
          .append(tag(r))
          .append(",option:client-arch,")
          .append(r.arch().code())
          .append('\n');
    }
    s.append("dhcp-boot=tag:chainboot-ipxe,").append(bootScriptUrl()).append('\n');
    if (trust.length > 0) {
      s.append("# iPXE trusts chainboot's CA (option 175.90), force-sent to the firmware\n");
      s.append("dhcp-option-force=tag:!chainboot-ipxe,encap:175,90,")
          .append(trustHex(":"))
          .append('\n');
    }
    for (Row r : rows()) {
      s.append("dhcp-boot=tag:!chainboot-ipxe,tag:").append(tag(r)).append(',').append(r.file());
      if (!r.http()) {
        s.append(",,").append(server);
      }
      s.append('\n');
      if (r.http()) {
        s.append("dhcp-option-force=tag:!chainboot-ipxe,tag:")
            .append(tag(r))
            .append(",option:vendor-class,HTTPClient\n");
      }
    }
    return s.toString();
  }

  private String kea() {
    StringBuilder s = new StringBuilder(header("//"));
    s.append(
        "// A complete kea-dhcp4 configuration: merge \"client-classes\" into your own, or add your\n");
    s.append("// interfaces and subnet4 here.\n");
    s.append("{\n  \"Dhcp4\": {\n");
    s.append("    \"interfaces-config\": { \"interfaces\": [ ] },\n");
    s.append("    \"lease-database\": { \"type\": \"memfile\", \"persist\": false },\n");
    if (trust.length > 0) {
      // iPXE trusts chainboot's CA (option 175.90), always sent (the firmware does not ask)
      s.append("    \"option-def\": [\n");
      s.append(
          "      { \"name\": \"ipxe-encap-opts\", \"code\": 175, \"space\": \"dhcp4\","
              + " \"type\": \"empty\", \"encapsulate\": \"ipxe\" },\n");
      s.append(
          "      { \"name\": \"trust\", \"code\": 90, \"space\": \"ipxe\", \"type\":"
              + " \"binary\" }\n");
      s.append("    ],\n");
      s.append("    \"option-data\": [\n");
      s.append(
          "      { \"name\": \"ipxe-encap-opts\", \"space\": \"dhcp4\", \"always-send\":"
              + " true },\n");
      s.append("      { \"name\": \"trust\", \"space\": \"ipxe\", \"data\": \"")
          .append(trustHex(""))
          .append("\", \"always-send\": true }\n");
      s.append("    ],\n");
    }
    s.append("    \"client-classes\": [\n");
    List<String> classes = new ArrayList<>();
    classes.add(
        keaClass(
            "chainboot-ipxe",
            "option[77].hex == 'iPXE' or option[175].exists",
            bootScriptUrl(),
            false));
    for (Row r : rows()) {
      classes.add(
          keaClass(
              tag(r),
              "not member('chainboot-ipxe') and option[93].hex == 0x"
                  + String.format(Locale.ROOT, "%04x", r.arch().code()),
              r.file(),
              r.http()));
    }
    s.append(String.join(",\n", classes)).append('\n');
    s.append("    ],\n    \"subnet4\": [ ]\n  }\n}\n");
    return s.toString();
  }

  private String keaClass(String name, String test, String file, boolean http) {
    StringBuilder c = new StringBuilder();
    c.append("      {\n        \"name\": \"").append(name).append("\",\n");
    c.append("        \"test\": \"").append(test).append("\",\n");
    c.append("        \"next-server\": \"").append(server).append("\",\n");
    if (http) {
      c.append(
          "        \"option-data\": [ { \"name\": \"vendor-class-identifier\", \"data\": \"HTTPClient\" } ],\n");
    }
    c.append("        \"boot-file-name\": \"").append(file).append("\"\n      }");
    return c.toString();
  }

  private static String tag(Row r) {
    return "chainboot-arch" + r.arch().code();
  }

  private static String hex16(int v) {
    return String.format(Locale.ROOT, "%02x:%02x", v >> 8, v & 0xff);
  }
}
