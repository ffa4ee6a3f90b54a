package dev.chainboot.cli;

import ch.qos.logback.classic.Level;
import dev.chainboot.config.HostPort;
import dev.chainboot.config.ServerConfig;
import dev.chainboot.ipxe.ChainScripts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code chainboot pixie}: a drop-in for pixie, with its flags, environment variables and defaults
 * (TFTP on {@code 0.0.0.0:69}, HTTP on {@code 0.0.0.0:80}, the scripts directory required), so an
 * existing systemd unit or container command works after renaming the binary. It runs {@code
 * chainboot serve} with pixie's layout: the scripts at {@code /ipxe/}, {@code /extra/}, the ROMs
 * under pixie's names over TFTP and a {@code chain.ipxe} menu with netboot.xyz.
 */
@Command(
    name = "pixie",
    mixinStandardHelpOptions = true,
    description =
        "Drop-in for pixie (-t/TFTP, -u/HTTP, -d/SCRIPTS, -e/EXTRA, -v/LEVEL): TFTP + HTTP with"
            + " pixie's defaults, names and chain.ipxe menu, on chainboot's boot core.")
public final class PixieCommand implements Callable<Integer> {

  @Option(
      names = {"-t", "--tftp"},
      paramLabel = "ADDR",
      defaultValue = "${env:TFTP:-0.0.0.0:69}",
      description = "tftp server address and port (env TFTP; default: ${DEFAULT-VALUE}).")
  String tftp;

  @Option(
      names = {"-u", "--http"},
      paramLabel = "ADDR",
      defaultValue = "${env:HTTP:-0.0.0.0:80}",
      description = "http server address and port (env HTTP; default: ${DEFAULT-VALUE}).")
  String http;

  @Option(
      names = {"-d", "--scripts"},
      paramLabel = "DIR",
      defaultValue = "${env:SCRIPTS}",
      description = "path to iPXE scripts served from HTTP (env SCRIPTS; required).")
  Path scripts;

  @Option(
      names = {"-e", "--extra"},
      paramLabel = "DIR",
      defaultValue = "${env:EXTRA}",
      description = "path to extra files served from HTTP (env EXTRA).")
  Path extra;

  @Option(
      names = {"-v", "--verbosity"},
      paramLabel = "LEVEL",
      defaultValue = "${env:LEVEL:-INFO}",
      description = "verbosity level (ERROR,WARNING,INFO,DEBUG; env LEVEL; default: INFO).")
  String verbosity;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      defaultValue = "${env:CHAINBOOT_DATA:-chainboot-data}",
      description = "chainboot's data directory (env CHAINBOOT_DATA; default: ${DEFAULT-VALUE}).")
  Path data;

  @Option(
      names = "--netboot-xyz",
      paramLabel = "URL|off",
      defaultValue = ChainScripts.NETBOOT_XYZ,
      description = "The chain.ipxe menu's netboot.xyz item (default: ${DEFAULT-VALUE}).")
  String netbootXyz;

  /** pixie's check of an address: a port, and an IP address or nothing as host. */
  static void checkAddress(String flag, String value) {
    String v = value == null ? "" : value.strip();
    int colon = v.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("address " + v + ": missing port in address");
    }
    String host = v.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (!host.isEmpty() && !host.matches("[0-9.]+|[0-9A-Fa-f:]+")) {
      throw new IllegalArgumentException("invalid ip " + host);
    }
    int port;
    try {
      port = Integer.parseInt(v.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("unable to parse port");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("invalid port " + port);
    }
  }

  /** pixie's check of a directory, with its messages. */
  static void checkDir(Path p) {
    if (!Files.exists(p)) {
      throw new IllegalArgumentException("path does not exist at " + p);
    }
    if (!Files.isReadable(p)) {
      throw new IllegalArgumentException("path is not accessible at " + p);
    }
    if (!Files.isDirectory(p)) {
      throw new IllegalArgumentException("path is not a directory at " + p);
    }
  }

  static Level level(String verbosity) {
    return switch (verbosity) {
      case "ERROR" -> Level.ERROR;
      case "WARNING" -> Level.WARN;
      case "INFO" -> Level.INFO;
      case "DEBUG" -> Level.DEBUG;
      default -> throw new IllegalArgumentException("invalid verbosity level " + verbosity);
    };
  }

  ServerConfig config() {
    checkAddress("--tftp", tftp);
    checkAddress("--http", http);
    if (scripts == null || scripts.toString().isEmpty()) {
      throw new IllegalArgumentException("--scripts is required");
    }
    checkDir(scripts);
    Optional<Path> extraDir = Optional.ofNullable(extra).filter(p -> !p.toString().isEmpty());
    extraDir.ifPresent(PixieCommand::checkDir);
    level(verbosity);
    return ServerConfig.builder(data)
        .tftp(Optional.of(HostPort.parse(tftp, 69)))
        .http(HostPort.parse(http, 80))
        .scriptsDir(Optional.of(scripts))
        .extraDir(extraDir)
        .netbootXyz(
            netbootXyz.equalsIgnoreCase("off")
                ? Optional.empty()
                : Optional.of(ServeCommand.checkedUrl(netbootXyz)))
        .build();
  }

  @Override
  public Integer call() throws Exception {
    ServerConfig cfg;
    try {
      cfg = config();
    } catch (IllegalArgumentException e) {
      System.out.println(e.getMessage());
      return 1;
    }
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(level(verbosity));
    return ServeCommand.run(cfg, "chainboot pixie");
  }
}
