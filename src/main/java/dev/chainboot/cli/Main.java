package dev.chainboot.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Entry point of the chainboot jar: a picocli command with one subcommand per job. */
@Command(
    name = "chainboot",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Network-boot control plane: TFTP, proxyDHCP, HTTP iPXE scripts and boot media.",
    subcommands = {
      ServeCommand.class,
      MachineCommand.class,
      ProfileCommand.class,
      BootCommand.class,
      GroupCommand.class,
      EventsCommand.class,
      TokenCommand.class,
      ImportCommand.class,
      MediaCommand.class,
      DhcpConfigCommand.class,
      DoctorCommand.class,
      CaCommand.class,
      ConfigCommand.class,
      DbCommand.class,
      IpxeCommand.class,
      PixieCommand.class,
      PxeSrvCommand.class,
      ZosCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--server",
      paramLabel = "URL",
      defaultValue = "${env:CHAINBOOT_SERVER}",
      description =
          "Drive this chainboot server's admin API (https://host:9090) instead of a local data"
              + " directory (env CHAINBOOT_SERVER).")
  String server;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      defaultValue = "${env:CHAINBOOT_TOKEN}",
      description = "API token for --server (env CHAINBOOT_TOKEN, which keeps it out of ps).")
  String token;

  @Option(
      names = "--cacert",
      paramLabel = "FILE",
      defaultValue = "${env:CHAINBOOT_CACERT}",
      description =
          "PEM certificate(s) to trust for an https --server (a self-signed or private-CA"
              + " certificate; env CHAINBOOT_CACERT).")
  Path cacert;

  /** The server to drive, if one was given. */
  Optional<String> server() {
    return Optional.ofNullable(server).filter(s -> !s.isBlank());
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** The command line, with settings from the environment (and no configuration file named). */
  public static CommandLine commandLine() {
    return commandLine(List.of(), System.getenv());
  }

  /**
   * The command line for {@code args}: options not given take {@code CHAINBOOT_*} variables of
   * {@code env}, then the configuration file (see {@link ConfigDefaults}).
   */
  public static CommandLine commandLine(List<String> args, Map<String, String> env) {
    CommandLine cl = new CommandLine(new Main());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    CommandLine.Model.CommandSpec serve = cl.getSubcommands().get("serve").getCommandSpec();
    cl.setDefaultValueProvider(ConfigDefaults.forArgs(args, env, ConfigDefaults.keysOf(serve)));
    return cl;
  }

  public static void main(String[] args) {
    System.exit(commandLine(List.of(args), System.getenv()).execute(args));
  }
}
