package dev.chainboot.cli;

import dev.chainboot.config.HostPort;
import dev.chainboot.config.HttpsConfig;
import dev.chainboot.config.ProxyDhcpConfig;
import dev.chainboot.config.ServerConfig;
import dev.chainboot.firmware.BootBinary;
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
      description =
          "Configuration file (default: DATA/chainboot.yaml; embedded defaults when missing).")
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

  ServerConfig config() {
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
        .proxyDhcp(
            proxyDhcp ? Optional.of(new ProxyDhcpConfig(efiBinary(efiBinary))) : Optional.empty())
        .https(httpsConfig())
        .ntp(Optional.ofNullable(ntp).map(dev.chainboot.ipxe.IpxeSafe::hostName))
        .build();
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

  @Override
  public Integer call() throws Exception {
    ServerConfig cfg;
    try {
      cfg = config();
    } catch (IllegalArgumentException e) {
      System.err.println("chainboot serve: " + e.getMessage());
      return 2;
    }
    ChainbootServer server;
    try {
      server = new ChainbootServer(cfg).start();
    } catch (StartupException e) {
      System.err.println("chainboot serve: " + e.getMessage());
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
