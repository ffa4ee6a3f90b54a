package dev.chainboot.cli;

import dev.chainboot.api.Control;
import dev.chainboot.api.JsonViews;
import dev.chainboot.boot.Assignment;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Machine;
import dev.chainboot.boot.Preview;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code chainboot boot once|static|clear MACHINE PROFILE}, {@code boot default PROFILE}, {@code
 * boot list}, {@code boot preview MACHINE}.
 */
@Command(
    name = "boot",
    mixinStandardHelpOptions = true,
    description = "Decide what machines boot: once (next boot only), static, clear, default.",
    subcommands = {
      BootCommand.Once.class,
      BootCommand.Static.class,
      BootCommand.Clear.class,
      BootCommand.Default.class,
      BootCommand.ListCmd.class,
      BootCommand.PreviewCmd.class
    })
public final class BootCommand implements Runnable {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  abstract static class Assign implements Callable<Integer> {
    @Mixin StoreOptions opts;

    @Parameters(
        index = "0",
        paramLabel = "MACHINE",
        description = "MAC (a new one is registered: pre-provisioning) or IP address")
    String machine;

    @Parameters(index = "1", paramLabel = "PROFILE")
    String profile;

    abstract Assignment.Kind kind();

    @Override
    public Integer call() {
      String cmd = "boot " + kind().name().toLowerCase(java.util.Locale.ROOT);
      return opts.run(
          cmd,
          control -> {
            Machine m = control.assign(machine, kind(), profile).machine();
            System.out.println(
                m.mac()
                    + ": "
                    + (kind() == Assignment.Kind.ONCE ? "next boot only" : "every boot")
                    + " -> "
                    + profile);
          });
    }
  }

  @Command(
      name = "once",
      mixinStandardHelpOptions = true,
      description =
          "Boot PROFILE on MACHINE's next boot only (consumed by the first script fetched).")
  static final class Once extends Assign {
    @Override
    Assignment.Kind kind() {
      return Assignment.Kind.ONCE;
    }
  }

  @Command(
      name = "static",
      mixinStandardHelpOptions = true,
      description = "Boot PROFILE on every boot of MACHINE.")
  static final class Static extends Assign {
    @Override
    Assignment.Kind kind() {
      return Assignment.Kind.STATIC;
    }
  }

  @Command(
      name = "clear",
      mixinStandardHelpOptions = true,
      description =
          "Remove MACHINE's once and static assignments (only those naming PROFILE, if given).")
  static final class Clear implements Callable<Integer> {
    @Mixin StoreOptions opts;

    @Parameters(index = "0", paramLabel = "MACHINE", description = "MAC or IP address")
    String machine;

    @Parameters(index = "1", paramLabel = "PROFILE", arity = "0..1")
    String profile;

    @Override
    public Integer call() {
      return opts.run(
          "boot clear",
          control -> {
            Machine m = control.machine(machine).machine();
            int n = control.clearAssignments(m.mac().colon(), Optional.ofNullable(profile));
            System.out.println(
                m.mac() + ": " + n + " assignment" + (n == 1 ? "" : "s") + " cleared");
          });
    }
  }

  @Command(
      name = "default",
      mixinStandardHelpOptions = true,
      description = "Boot PROFILE on machines nothing else matches (--none: no default).")
  static final class Default implements Callable<Integer> {
    @Mixin StoreOptions opts;

    @Parameters(paramLabel = "PROFILE", arity = "0..1")
    String profile;

    @Option(names = "--none", description = "Remove the default.")
    boolean none;

    @Override
    public Integer call() {
      return opts.run(
          "boot default",
          control -> {
            if (none == (profile != null)) {
              throw StoreOptions.CliError.invalid("give either PROFILE or --none");
            }
            if (none) {
              control.setDefaultProfile(Optional.empty(), Control.Expect.ANY);
              System.out.println("no default profile");
              return;
            }
            control.setDefaultProfile(Optional.of(profile), Control.Expect.ANY);
            System.out.println("default -> " + profile);
          });
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List assignments and the default.")
  static final class ListCmd implements Callable<Integer> {
    @Mixin StoreOptions opts;

    @Override
    public Integer call() {
      return opts.run(
          "boot list",
          control -> {
            Table t = new Table("MACHINE", "KIND", "PROFILE");
            for (Assignment a : control.assignments()) {
              t.row(a.mac(), a.kind().name().toLowerCase(java.util.Locale.ROOT), a.profile());
            }
            t.row("*", "default", control.defaultProfile().orElse(null));
            t.print(System.out);
          });
    }
  }

  @Command(
      name = "preview",
      mixinStandardHelpOptions = true,
      description =
          "What MACHINE would boot now, and why: the decision and the iPXE script, without"
              + " consuming a once-assignment, recording an event or registering the machine.")
  static final class PreviewCmd implements Callable<Integer> {
    @Mixin StoreOptions opts;

    @Parameters(paramLabel = "MACHINE", description = "MAC (known or not) or IP address")
    String machine;

    @Option(
        names = "--base-url",
        paramLabel = "URL",
        description =
            "The boot server URL the script links back to (default: the server's boot listener;"
                + " locally http://127.0.0.1:8080).")
    String baseUrl;

    @Override
    public Integer call() {
      return opts.run(
          "boot preview",
          control -> {
            Preview p = control.preview(machine, Optional.ofNullable(baseUrl));
            if (opts.json) {
              Json.print(JsonViews.preview(p));
              return;
            }
            String match = p.match().name().toLowerCase(java.util.Locale.ROOT);
            System.out.println(
                "machine:  "
                    + p.mac().map(MacAddress::colon).orElse("-")
                    + (p.known() ? "" : " (unknown: its first boot registers it)"));
            System.out.println(
                "match:    " + match + (p.onceWouldBeConsumed() ? " (would be consumed)" : ""));
            System.out.println("reason:   " + p.reason());
            System.out.println("profile:  " + p.profile().orElse("-"));
            System.out.print("script:\n" + p.script() + (p.script().endsWith("\n") ? "" : "\n"));
          });
    }
  }
}
