package dev.chainboot.cli;

import dev.chainboot.config.Durations;
import dev.chainboot.config.HostPort;
import dev.chainboot.config.HttpsConfig;
import dev.chainboot.config.ProxyDhcpConfig;
import dev.chainboot.config.ServerConfig;
import dev.chainboot.config.StormLimits;
import dev.chainboot.config.TlsFiles;
import dev.chainboot.firmware.BootBinary;
import dev.chainboot.http.TrustedProxies;
import dev.chainboot.ipxe.ChainScripts;
import dev.chainboot.ipxe.IpxeSafe;
import dev.chainboot.server.ChainbootServer;
import dev.chainboot.server.StartupException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code chainboot serve}: runs TFTP and HTTP (and optionally proxyDHCP) until SIGTERM/SIGINT. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Run the boot server (TFTP + HTTP) with embedded defaults.")
public final class ServeCommand implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description = "Data directory (default: ${DEFAULT-VALUE}).")
  Path data = Path.of("chainboot-data");

  @Option(
      names = "--tftp",
      paramLabel = "ADDR:PORT",
      description = "TFTP listen address (default: ${DEFAULT-VALUE}); 'off' disables TFTP.")
  String tftp = "0.0.0.0:69";

  @Option(
      names = "--http",
      paramLabel = "ADDR:PORT",
      description = "HTTP listen address (default: ${DEFAULT-VALUE}).")
  String http = "0.0.0.0:8080";

  @Option(
      names = "--firmware-dir",
      paramLabel = "DIR",
      description =
          "Directory of iPXE/syslinux binaries to serve instead of the embedded ones "
              + "(Debian /usr/lib/ipxe or Fedora /usr/share/ipxe layout).")
  Path firmwareDir;

  @Option(
      names = "--advertise",
      paramLabel = "HOST",
      description =
          "Host or address clients should use to reach this server "
              + "(default: iPXE's next-server / the interface a request arrived on).")
  String advertise;

  @Option(
      names = "--pxesrv-root",
      paramLabel = "DIR",
      defaultValue = "${env:PXESRV_ROOT}",
      description =
          "A pxe_srv document root (default, once/<ip>, static/<ip>): serves GET /redirect, "
              + "/grub/clear/<version> and the root's files (default: env PXESRV_ROOT; off when unset).")
  Path pxesrvRoot;

  @Option(
      names = "--scripts",
      paramLabel = "DIR",
      description = "pixie's per-MAC scripts directory served at /ipxe/ (default: DATA/scripts).")
  Path scripts;

  @Option(
      names = "--extra",
      paramLabel = "DIR",
      description = "Directory served at /extra/ (pixie's -e).")
  Path extra;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      defaultValue = "${env:CHAINBOOT_CONFIG}",
      description =
          "Configuration file: every option here is also a key there (its name without dashes)"
              + " and a CHAINBOOT_* environment variable; flag > environment > file > default"
              + " (default: env CHAINBOOT_CONFIG, else DATA/chainboot.yaml if it exists).")
  Path configFile;

  private static Optional<Path> existingDir(String option, Path dir) {
    if (dir == null) {
      return Optional.empty();
    }
    if (!java.nio.file.Files.isDirectory(dir)) {
      throw new IllegalArgumentException(option + ": not a directory: " + dir);
    }
    return Optional.of(dir);
  }

  @Option(
      names = "--proxy-dhcp",
      description =
          "Answer PXE clients on UDP 67 and 4011 with the boot server and file, beside the "
              + "LAN's DHCP server (never offers addresses; needs root or CAP_NET_BIND_SERVICE).")
  boolean proxyDhcp;

  @Option(
      names = "--efi-binary",
      paramLabel = "NAME",
      description =
          "iPXE binary for x86_64 UEFI clients: snponly.efi (firmware NIC driver, the "
              + "default) or ipxe.efi (iPXE's own drivers).")
  String efiBinary = "snponly.efi";

  @Option(
      names = "--stall-after",
      paramLabel = "DURATION",
      description =
          "Flag a machine stalled when it stays this long between two stages of its boot "
              + "(e.g. got the kernel, never asked for the initrd); e.g. 90s, 10m "
              + "(default: ${DEFAULT-VALUE}).")
  String stallAfter = "10m";

  @Option(
      names = "--log-format",
      paramLabel = "FORMAT",
      description = "text (default) or json: one JSON object per line, for log shippers.")
  String logFormat = "text";

  @Option(
      names = "--https",
      paramLabel = "ADDR:PORT",
      description =
          "Also answer HTTPS here (e.g. 0.0.0.0:8443), with --tls-cert/--tls-key or the private"
              + " CA's files in DATA/tls/ (chainboot ca init). iPXE that can continues over HTTPS;"
              + " proxyDHCP tells firmware to trust the CA (option 175.90).")
  String https;

  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      description =
          "PEM server certificate followed by its CA certificate (default: DATA/tls/server.crt).")
  Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "FILE",
      description = "PEM private key of --tls-cert, unencrypted (default: DATA/tls/server.key).")
  Path tlsKey;

  @Option(
      names = "--tls-ca",
      paramLabel = "FILE",
      description =
          "PEM CA certificate firmware is told to trust (default: DATA/tls/ca.crt with the"
              + " default files, else the last certificate of --tls-cert when it is a CA).")
  Path tlsCa;

  @Option(
      names = "--ntp",
      paramLabel = "HOST",
      description =
          "Time server iPXE sets its clock from before its first HTTPS fetch, where clocks may"
              + " be wrong (certificate dates); needs an iPXE built with NTP_CMD.")
  String ntp;

  /** The HTTPS listener's settings: explicit files, or the private CA's in DATA/tls/. */
  Optional<HttpsConfig> httpsConfig() {
    if (https == null) {
      if (tlsCert != null || tlsKey != null || tlsCa != null) {
        throw new IllegalArgumentException("--tls-cert, --tls-key and --tls-ca need --https");
      }
      return Optional.empty();
    }
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new IllegalArgumentException("--tls-cert and --tls-key go together");
    }
    dev.chainboot.tls.CaFiles ca = new dev.chainboot.tls.CaFiles(data);
    Path cert = tlsCert != null ? tlsCert : ca.serverCert();
    Path key = tlsKey != null ? tlsKey : ca.serverKey();
    Optional<Path> trust =
        tlsCa != null
            ? Optional.of(tlsCa)
            : tlsCert == null ? Optional.of(ca.caCert()) : Optional.empty();
    return Optional.of(new HttpsConfig(HostPort.parse(https, 8443), cert, key, trust));
  }

  @Option(
      names = "--admin",
      paramLabel = "ADDR:PORT",
      defaultValue = "${env:CHAINBOOT_ADMIN:-127.0.0.1:9090}",
      description =
          "Admin listener: the REST API and the UI, behind tokens (default: ${DEFAULT-VALUE},"
              + " env CHAINBOOT_ADMIN); 'off' disables it. Apart from --http, which faces the"
              + " PXE LAN.")
  String admin;

  @Option(
      names = "--admin-cert",
      paramLabel = "FILE",
      description = "PEM certificate chain: the admin listener speaks HTTPS (with --admin-key).")
  Path adminCert;

  @Option(
      names = "--admin-key",
      paramLabel = "FILE",
      description = "PEM private key (unencrypted PKCS#8) of --admin-cert.")
  Path adminKey;

  @Option(
      names = "--db",
      paramLabel = "URL",
      description =
          "Database: postgresql://USER@HOST:PORT/DB[?sslmode=verify-full&sslrootcert=FILE] to"
              + " share one with other instances (password: --db-password-file or"
              + " CHAINBOOT_DB_PASSWORD), or sqlite (the default: DATA/chainboot.db).")
  String db;

  @Option(
      names = "--db-password-file",
      paramLabel = "FILE",
      description = "File whose first line is the PostgreSQL password.")
  Path dbPasswordFile;

  @Option(
      names = "--tftp-single-port",
      description =
          "Answer every TFTP transfer from the listening port itself (like dnsmasq's"
              + " tftp-single-port), for NAT and containers where replies from other ports are"
              + " dropped.")
  boolean tftpSinglePort;

  @Option(
      names = "--trusted-proxy",
      paramLabel = "CIDR",
      description =
          "A reverse proxy whose X-Forwarded-For names the client (repeatable; e.g. 10.0.0.5 or"
              + " 10.0.0.0/24). From anyone else the header is ignored.")
  java.util.List<String> trustedProxies = new java.util.ArrayList<>();

  @Option(
      names = "--pxesrv-log",
      paramLabel = "FILE",
      defaultValue = "${env:PXESRV_LOG}",
      description =
          "With a pxe_srv root: also append every request to FILE in the Common Log Format, as"
              + " pxe_srv did (default: env PXESRV_LOG; none when unset).")
  Path pxesrvLog;

  @Option(
      names = "--netboot-xyz",
      paramLabel = "URL",
      arity = "0..1",
      fallbackValue = ChainScripts.NETBOOT_XYZ,
      description =
          "Add a netboot.xyz item to chain.ipxe's menu (optionally with your own mirror's URL).")
  String netbootXyz;

  @Option(
      names = "--max-tftp",
      paramLabel = "N",
      description =
          "TFTP transfers at once (default: ${DEFAULT-VALUE}); more requests wait their turn, "
              + "then get no answer so the firmware retries.")
  int maxTftp = StormLimits.DEFAULTS.maxTftp();

  @Option(
      names = "--max-tftp-per-client",
      paramLabel = "N",
      description = "TFTP transfers at once for one client address (default: ${DEFAULT-VALUE}).")
  int maxTftpPerClient = StormLimits.DEFAULTS.maxTftpPerClient();

  @Option(
      names = "--max-http",
      paramLabel = "N",
      description =
          "HTTP requests served at once (default: ${DEFAULT-VALUE}), file downloads (kernels, "
              + "initrds, images) and other requests (scripts) each; more wait their turn, "
              + "then get 503 with Retry-After (iPXE retries). /health and /api/ are not limited.")
  int maxHttp = StormLimits.DEFAULTS.maxHttp();

  @Option(
      names = "--max-http-per-client",
      paramLabel = "N",
      description =
          "HTTP requests served at once for one client address, downloads and other requests "
              + "each (default: ${DEFAULT-VALUE}; raise it behind a reverse proxy).")
  int maxHttpPerClient = StormLimits.DEFAULTS.maxHttpPerClient();

  ServerConfig config() {
    BootBinary efi = efiBinary(efiBinary); // checked even while proxyDHCP is off
    Optional<InetSocketAddress> tftpAddr =
        tftp.equalsIgnoreCase("off") ? Optional.empty() : Optional.of(HostPort.parse(tftp, 69));
    return ServerConfig.builder(data)
        .tftp(tftpAddr)
        .http(HostPort.parse(http, 8080))
        .firmwareDir(Optional.ofNullable(firmwareDir))
        .advertise(Optional.ofNullable(advertise))
        .pxesrvRoot(existingDir("--pxesrv-root (or PXESRV_ROOT)", pxesrvRoot))
        .scriptsDir(existingDir("--scripts", scripts))
        .extraDir(existingDir("--extra", extra))
        .configFile(Optional.ofNullable(configFile))
        .proxyDhcp(proxyDhcp ? Optional.of(new ProxyDhcpConfig(efi)) : Optional.empty())
        .https(httpsConfig())
        .ntp(Optional.ofNullable(ntp).map(dev.chainboot.ipxe.IpxeSafe::hostName))
        .admin(
            admin.equalsIgnoreCase("off")
                ? Optional.empty()
                : Optional.of(HostPort.parse(admin, 9090)))
        .adminTls(adminTls())
        .db(Optional.ofNullable(db).filter(d -> !d.isBlank()))
        .dbPasswordFile(Optional.ofNullable(dbPasswordFile))
        .tftpSinglePort(tftpSinglePort)
        .trustedProxies(checkedProxies(trustedProxies))
        .pxesrvLog(pxesrvRoot == null ? Optional.empty() : Optional.ofNullable(pxesrvLog))
        .netbootXyz(Optional.ofNullable(netbootXyz).map(ServeCommand::checkedUrl))
        .limits(new StormLimits(maxTftp, maxTftpPerClient, maxHttp, maxHttpPerClient))
        .stallAfter(stallAfter())
        .build();
  }

  private java.time.Duration stallAfter() {
    try {
      return Durations.parse(stallAfter);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--stall-after: " + e.getMessage(), e);
    }
  }

  private Optional<TlsFiles> adminTls() {
    if ((adminCert == null) != (adminKey == null)) {
      throw new IllegalArgumentException("give --admin-cert and --admin-key together");
    }
    if (adminCert == null) {
      return Optional.empty();
    }
    if (admin.equalsIgnoreCase("off")) {
      throw new IllegalArgumentException("--admin-cert needs the admin listener (not --admin off)");
    }
    return Optional.of(new TlsFiles(adminCert, adminKey));
  }

  /** {@code snponly.efi} or {@code ipxe.efi} (any of their names) as a binary. */
  static BootBinary efiBinary(String name) {
    return BootBinary.byName(name)
        .filter(b -> b == BootBinary.SNPONLY_X86_64_EFI || b == BootBinary.IPXE_X86_64_EFI)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "--efi-binary must be snponly.efi or ipxe.efi, not '" + name + "'"));
  }

  static java.util.List<String> checkedProxies(java.util.List<String> cidrs) {
    TrustedProxies.parse(cidrs);
    return cidrs;
  }

  static String checkedUrl(String url) {
    try {
      return IpxeSafe.url(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--netboot-xyz: " + e.getMessage());
    }
  }

  @Override
  public Integer call() throws Exception {
    ServerConfig cfg;
    try {
      LogFormat.apply(logFormat);
      cfg = config();
    } catch (IllegalArgumentException e) {
      System.err.println("chainboot serve: " + e.getMessage());
      return 2;
    }
    return run(cfg, "chainboot serve");
  }

  /**
   * Runs a server with {@code cfg} until SIGTERM/SIGINT (also for the drop-in commands {@code
   * pixie} and {@code pxesrv}); 1 when it cannot start.
   */
  static int run(ServerConfig cfg, String who) throws InterruptedException {
    ChainbootServer server;
    try {
      server = new ChainbootServer(cfg).start();
    } catch (StartupException e) {
      System.err.println(who + ": " + e.getMessage());
      return 1;
    } catch (Exception e) {
      System.err.println(who + ": " + e);
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              log.info("shutting down");
              server.close();
              stopped.countDown();
            },
            "shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    log.info("chainboot {} ready", VersionProvider.version());
    stopped.await();
    return 0;
  }
}
