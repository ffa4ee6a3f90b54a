package dev.chainboot.cli;

import dev.chainboot.api.Control;
import dev.chainboot.api.JsonViews;
import dev.chainboot.boot.Arch;
import dev.chainboot.boot.FirmwareSettings;
import dev.chainboot.boot.Group;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code chainboot group add|list|rm}: selectors that pick a profile for matching machines. */
@Command(
    name = "group",
    mixinStandardHelpOptions = true,
    description = "Manage groups: label/arch/MAC-prefix selectors; the most specific match wins.",
    subcommands = {GroupCommand.Add.class, GroupCommand.ListCmd.class, GroupCommand.Rm.class})
public final class GroupCommand implements Runnable {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description = "Add a group, or replace the one with this name.")
  static final class Add implements Callable<Integer> {
    @Mixin StoreOptions opts;

    @Parameters(paramLabel = "NAME")
    String name;

    @Option(names = "--profile", required = true)
    String profile;

    @Option(names = "--label", paramLabel = "K=V", description = "Required label (repeatable).")
    Map<String, String> labels = new LinkedHashMap<>();

    @Option(names = "--arch")
    String arch;

    @Option(names = "--mac-prefix", paramLabel = "PREFIX", description = "e.g. 52:54:00")
    String macPrefix;

    @Option(
        names = "--firmware",
        paramLabel = "KEY=VALUE,...",
        description =
            "Firmware settings for matching machines, whatever they boot: loader=ipxe|shim-grub,"
                + " efi-binary=snponly.efi|ipxe.efi, efi-exit=failure|success,"
                + " bios-local=sanboot|exit, dhcp-timeout=SECONDS, https=on|off"
                + " (see docs/firmware.md).")
    String firmware;

    @Override
    public Integer call() {
      return opts.run(
          "group add",
          control -> {
            Optional<Arch> a =
                Optional.ofNullable(arch)
                    .map(
                        x ->
                            Arch.parse(x)
                                .orElseThrow(
                                    () ->
                                        StoreOptions.CliError.invalid(
                                            "unknown architecture: " + x)));
            FirmwareSettings fw;
            try {
              fw = FirmwareSettings.parse(firmware);
            } catch (IllegalArgumentException e) {
              throw StoreOptions.CliError.invalid("--firmware: " + e.getMessage());
            }
            Group g = new Group(name, profile, labels, a, Optional.ofNullable(macPrefix), fw);
            control.putGroup(g, Control.Expect.ANY);
            System.out.println(
                "group "
                    + name
                    + " ("
                    + g.selector()
                    + ") -> "
                    + profile
                    + (fw.isEmpty() ? "" : " firmware " + fw.text()));
          });
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List groups in the order they are tried.")
  static final class ListCmd implements Callable<Integer> {
    @Mixin StoreOptions opts;

    @Override
    public Integer call() {
      return opts.run(
          "group list",
          control -> {
            if (opts.json) {
              Json.print(control.groups().stream().map(JsonViews::group).toList());
              return;
            }
            Table t = new Table("NAME", "SELECTOR", "PROFILE", "FIRMWARE");
            control
                .groups()
                .forEach(g -> t.row(g.name(), g.selector(), g.profile(), g.firmware().toString()));
            t.print(System.out);
          });
    }
  }

  @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove a group.")
  static final class Rm implements Callable<Integer> {
    @Mixin StoreOptions opts;

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      return opts.run(
          "group rm",
          control -> {
            control.deleteGroup(name, Control.Expect.ANY);
            System.out.println("group " + name + " removed");
          });
    }
  }
}
