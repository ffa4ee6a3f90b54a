package dev.chainboot.cli;

import dev.chainboot.boot.MacAddress;
import dev.chainboot.config.HostPort;
import dev.chainboot.dhcp.ProxyDhcpAnswerer;
import dev.chainboot.doctor.ClientType;
import dev.chainboot.doctor.Doctor;
import dev.chainboot.doctor.Finding;
import dev.chainboot.tls.Pem;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code chainboot doctor}: plays each client type against a running server and prints, per step,
 * what the machine would get and what is wrong; exit 1 on any FAIL. Its address options are serve's
 * (same names, same configuration file and CHAINBOOT_* variables), so with no arguments it checks
 * the server configured on this host.
 */
@Command(
    name = "doctor",
    mixinStandardHelpOptions = true,
    description =
        "Play each client type (BIOS PXE, UEFI PXE x64/arm64, UEFI HTTP boot, iPXE) against a"
            + " running server through DHCP, TFTP and HTTP(S) and print what each would get and"
            + " what is wrong; exit 1 on a problem.")
public final class DoctorCommand implements Callable<Integer> {

  static final String DEFAULT_MAC = "02:cb:d0:c7:00:01";

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description =
          "Data directory of the server to check, for its configuration file (default: ${DEFAULT-VALUE}).")
  Path data = Path.of("chainboot-data");

  @Option(
      names = "--config",
      paramLabel = "FILE",
      defaultValue = "${env:CHAINBOOT_CONFIG}",
      description =
          "The server's configuration file (as serve; default: env CHAINBOOT_CONFIG, else DATA/chainboot.yaml).")
  Path configFile;

  @Option(
      names = "--server-ip",
      paramLabel = "IP",
      description =
          "The server's IPv4 address on the clients' network (default: --advertise, else the"
              + " --http address, else this host's first IPv4 address).")
  String serverIp;

  @Option(
      names = "--advertise",
      paramLabel = "HOST",
      description = "As serve: the host clients use to reach the server.")
  String advertise;

  @Option(
      names = "--proxy-dhcp",
      description = "As serve: the server runs proxyDHCP (then --dhcp defaults to SERVER-IP:4011).")
  boolean proxyDhcp;

  @Option(
      names = "--dhcp",
      paramLabel = "ADDR[:PORT]",
      description =
          "Ask this DHCP server for boot files: port 4011 (the default) is chainboot's proxyDHCP,"
              + " answered by unicast (no root needed); port 67 sends a DISCOVER and needs root for"
              + " port 68; 'off' asks nobody (default: SERVER-IP:4011 with --proxy-dhcp, else off).")
  String dhcp;

  @Option(
      names = "--tftp",
      paramLabel = "ADDR:PORT",
      description =
          "As serve: the TFTP address (a wildcard address means the DHCP answer's next-server;"
              + " default: ${DEFAULT-VALUE}).")
  String tftp = "0.0.0.0:69";

  @Option(
      names = "--http",
      paramLabel = "ADDR:PORT|URL",
      description = "As serve: the boot listener (default: ${DEFAULT-VALUE}).")
  String http = "0.0.0.0:8080";

  @Option(
      names = "--https",
      paramLabel = "ADDR:PORT|URL",
      description =
          "As serve: the HTTPS listener; checked with the CA the clients trust even when no"
              + " client's chain reaches it.")
  String https;

  @Option(
      names = "--ca",
      paramLabel = "FILE",
      description =
          "PEM CA certificate(s) the clients trust besides DHCP option 175.90 (UEFI's"
              + " TlsCaCertificate, an iPXE built with TRUST=).")
  Path ca;

  @Option(
      names = "--mac",
      paramLabel = "MAC",
      description =
          "The machine to play (default: ${DEFAULT-VALUE}, a made-up one; a real machine's"
              + " once-assignment is used up as if it booted).")
  String mac = DEFAULT_MAC;

  @Option(
      names = "--client",
      paramLabel = "TYPES",
      split = ",",
      description =
          "Clients to play: bios, uefi-x64, uefi-arm64, http-x64, http-arm64, ipxe (the default:"
              + " all of these), uefi-ia32 (32-bit UEFI, with your own binaries).")
  List<String> clients = new ArrayList<>();

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      description = "Wait per exchange, e.g. 2s (default: ${DEFAULT-VALUE}).")
  String timeout = "2s";

  @Option(names = "--json", description = "Print the findings as JSON.")
  boolean json;

  /** The doctor's target from the options. */
  Doctor.Target target() throws Exception {
    Inet4Address server = serverAddress();
    InetSocketAddress httpAddr = null;
    String httpBase;
    if (http.startsWith("http://") || http.startsWith("https://")) {
      URI u = URI.create(http);
      if (u.getHost() == null) {
        throw new IllegalArgumentException("--http: no host in " + http);
      }
      httpBase = u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort());
    } else {
      httpAddr = HostPort.parse(http, 8080);
      httpBase = "http://" + hostOf(httpAddr, server) + ":" + httpAddr.getPort();
    }
    Optional<InetSocketAddress> dhcpAddr;
    String d = dhcp == null ? (proxyDhcp ? "" : "off") : dhcp;
    if (d.equalsIgnoreCase("off")) {
      dhcpAddr = Optional.empty();
    } else if (d.isEmpty()) {
      dhcpAddr = Optional.of(new InetSocketAddress(server, ProxyDhcpAnswerer.PXE_PORT));
    } else {
      InetSocketAddress a = HostPort.parse(d, ProxyDhcpAnswerer.PXE_PORT);
      dhcpAddr =
          Optional.of(
              a.getAddress().isAnyLocalAddress() ? new InetSocketAddress(server, a.getPort()) : a);
    }
    Optional<InetSocketAddress> tftpAddr = Optional.empty();
    int tftpPort = 69;
    if (!tftp.equalsIgnoreCase("off")) {
      InetSocketAddress a = HostPort.parse(tftp, 69);
      tftpPort = a.getPort();
      if (!a.getAddress().isAnyLocalAddress() && !a.getAddress().isLoopbackAddress()) {
        tftpAddr = Optional.of(a);
      }
    }
    List<X509Certificate> cas = ca == null ? List.of() : Pem.certificates(ca);
    MacAddress m =
        MacAddress.parse(mac)
            .orElseThrow(() -> new IllegalArgumentException("--mac: not a MAC address: " + mac));
    Duration wait = dev.chainboot.config.Durations.parse(timeout);
    return new Doctor.Target(
        server,
        dhcpAddr,
        tftpAddr,
        tftpPort,
        httpBase,
        httpsBase(server),
        cas,
        m,
        wait,
        3,
        Instant.now());
  }

  private Optional<String> httpsBase(Inet4Address server) {
    if (https == null || https.isBlank()) {
      return Optional.empty();
    }
    if (https.startsWith("https://")) {
      URI u = URI.create(https);
      return Optional.of("https://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort()));
    }
    InetSocketAddress a = HostPort.parse(https, 8443);
    String host = advertise != null && !advertise.isBlank() ? advertise : hostOf(a, server);
    return Optional.of("https://" + host + ":" + a.getPort());
  }

  private static String hostOf(InetSocketAddress a, Inet4Address server) {
    return a.getAddress() == null || a.getAddress().isAnyLocalAddress()
        ? server.getHostAddress()
        : a.getAddress().getHostAddress();
  }

  /** --server-ip, else --advertise, else a specific --http address, else this host's first. */
  Inet4Address serverAddress() throws Exception {
    for (String s : new String[] {serverIp, advertise}) {
      if (s != null && !s.isBlank()) {
        for (InetAddress a : InetAddress.getAllByName(s.strip())) {
          if (a instanceof Inet4Address a4) {
            return a4;
          }
        }
        throw new IllegalArgumentException(s + " has no IPv4 address");
      }
    }
    if (!http.contains("://")) {
      InetSocketAddress h = HostPort.parse(http, 8080);
      if (h.getAddress() instanceof Inet4Address a4 && !a4.isAnyLocalAddress()) {
        return a4;
      }
    }
    for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nif.isUp() || nif.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(nif.getInetAddresses())) {
        if (a instanceof Inet4Address a4) {
          return a4;
        }
      }
    }
    return (Inet4Address) InetAddress.getByName("127.0.0.1");
  }

  List<ClientType> clientTypes() {
    if (clients.isEmpty()) {
      return ClientType.defaults();
    }
    List<ClientType> out = new ArrayList<>();
    for (String c : clients) {
      out.add(
          ClientType.byId(c)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "--client: unknown client '"
                              + dev.chainboot.text.Printable.ascii(c, 40)
                              + "' (bios, uefi-x64, uefi-arm64, http-x64, http-arm64, ipxe, uefi-ia32)")));
    }
    return out;
  }

  @Override
  public Integer call() {
    Doctor.Target t;
    List<ClientType> types;
    try {
      t = target();
      types = clientTypes();
    } catch (Exception e) {
      System.err.println("chainboot doctor: " + e.getMessage());
      return 2;
    }
    if (!json) {
      System.out.println(
          "chainboot doctor: server "
              + t.serverIp().getHostAddress()
              + ", DHCP "
              + t.dhcp()
                  .map(a -> a.getAddress().getHostAddress() + ":" + a.getPort())
                  .orElse("not asked")
              + ", HTTP "
              + t.httpBase()
              + t.httpsBase().map(h -> ", HTTPS " + h).orElse("")
              + ", MAC "
              + t.mac());
    }
    List<Finding> findings = new Doctor(t).run(types);
    boolean failed = Doctor.failed(findings);
    if (json) {
      Json.print(Map.of("ok", !failed, "findings", findings));
    } else {
      for (Finding f : findings) {
        System.out.println(f.line());
      }
      long fails = findings.stream().filter(f -> f.status() == Finding.Status.FAIL).count();
      long warns = findings.stream().filter(f -> f.status() == Finding.Status.WARN).count();
      System.out.println(
          failed
              ? "chainboot doctor: " + fails + " problem(s), " + warns + " warning(s)"
              : "chainboot doctor: all clients boot"
                  + (warns > 0 ? " (" + warns + " warning(s))" : ""));
    }
    return failed ? 1 : 0;
  }
}
