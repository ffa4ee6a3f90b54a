package dev.chainboot.cli;

import dev.chainboot.config.HostPort;
import dev.chainboot.config.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code chainboot pxesrv}: a drop-in for pxe_srv's {@code pxesrv [-p PORT] [-o ADDR]} with its
 * environment ({@code PXESRV_ROOT} required, {@code PXESRV_LOG} default {@code
 * /var/log/pxesrv.log}): HTTP only, on 0.0.0.0:4567, the root's {@code /redirect}, {@code
 * /grub/clear/}, {@code /pxelinux.cfg/} and files, on chainboot's boot core.
 */
@Command(
    name = "pxesrv",
    mixinStandardHelpOptions = true,
    description =
        "Drop-in for pxe_srv (env PXESRV_ROOT, PXESRV_LOG; -p PORT, -o ADDR): HTTP with"
            + " pxe_srv's routes and files, on chainboot's boot core.")
public final class PxeSrvCommand implements Callable<Integer> {

  /** pxe_srv's (Sinatra's) port. */
  static final int PORT = 4567;

  @Option(
      names = {"-p", "--port"},
      paramLabel = "PORT",
      description = "HTTP port (default: ${DEFAULT-VALUE}).")
  int port = PORT;

  @Option(
      names = {"-o", "--bind"},
      paramLabel = "ADDR",
      description = "Address to listen on (default: ${DEFAULT-VALUE}, as pxe_srv).")
  String bind = "0.0.0.0";

  @Option(
      names = "-e",
      paramLabel = "ENV",
      description = "Sinatra's environment: accepted and ignored.")
  String sinatraEnvironment;

  @Option(
      names = "--root",
      hidden = true,
      defaultValue = "${env:PXESRV_ROOT}",
      description = "The document root (env PXESRV_ROOT).")
  String root;

  @Option(
      names = "--log",
      hidden = true,
      defaultValue = "${env:PXESRV_LOG:-/var/log/pxesrv.log}",
      description = "The access log (env PXESRV_LOG).")
  Path logFile;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      defaultValue = "${env:CHAINBOOT_DATA:-chainboot-data}",
      description = "chainboot's data directory (env CHAINBOOT_DATA; default: ${DEFAULT-VALUE}).")
  Path data;

  @Override
  public Integer call() throws Exception {
    if (root == null || root.isEmpty() || !Files.isDirectory(Path.of(root))) {
      System.err.println("Make sure to set $PXESRV_ROOT");
      return 1;
    }
    ServerConfig cfg;
    try {
      cfg =
          ServerConfig.builder(data)
              .tftp(Optional.empty())
              .http(
                  HostPort.parse(
                      bind.contains(":") ? "[" + bind + "]:" + port : bind + ":" + port, PORT))
              .pxesrvRoot(Optional.of(Path.of(root)))
              .pxesrvLog(Optional.of(logFile))
              .build();
    } catch (IllegalArgumentException e) {
      System.err.println("chainboot pxesrv: " + e.getMessage());
      return 2;
    }
    Path r = Path.of(root);
    System.out.println("pxesrv_root=" + r + "\npxesrv_log=" + logFile);
    System.out.println(
        "pxesrv_default_response="
            + r.resolve("default")
            + "\npxesrv_once_path="
            + r.resolve("once")
            + "\npxesrv_static_path="
            + r.resolve("static"));
    System.out.flush();
    return ServeCommand.run(cfg, "chainboot pxesrv");
  }
}
