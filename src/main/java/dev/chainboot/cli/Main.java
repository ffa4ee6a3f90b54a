package dev.chainboot.cli;

import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

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
      ImportCommand.class,
      MediaCommand.class,
      DhcpConfigCommand.class,
      ConfigCommand.class,
      DbCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

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
