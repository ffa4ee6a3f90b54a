package dev.chainboot.cli;

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
      CaCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    return cl;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
