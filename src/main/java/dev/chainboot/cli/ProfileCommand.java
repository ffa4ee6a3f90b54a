package dev.chainboot.cli;

import dev.chainboot.api.Control;
import dev.chainboot.api.JsonViews;
import dev.chainboot.boot.FirmwareSettings;
import dev.chainboot.boot.Profile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code chainboot profile add|list|show|rm}. */
@Command(
    name = "profile",
    mixinStandardHelpOptions = true,
    description = "Manage boot profiles (kernel+initrd, chain, script, local disk, menu).",
    subcommands = {
      ProfileCommand.Add.class,
      ProfileCommand.ListCmd.class,
      ProfileCommand.Show.class,
      ProfileCommand.Rm.class
    })
public final class ProfileCommand implements Runnable {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Exactly one kind of profile. */
  static final class Kind {
    @ArgGroup(exclusive = false, multiplicity = "1")
    KernelArgs kernel;

    @Option(
        names = "--chain",
        paramLabel = "URL",
        required = true,
        description = "Chain to this URL.")
    String chain;

    @Option(
        names = "--script",
        paramLabel = "FILE",
        required = true,
        description =
            "A raw iPXE script template (Mustache: {{mac}}, {{labels.x}}, {{base_url}}...).")
    Path script;

    @Option(
        names = "--local-disk",
        required = true,
        description = "Boot from the local disk (BIOS: sanboot 0x80; EFI: exit).")
    boolean localDisk;

    @Option(
        names = "--menu",
        paramLabel = "P1,P2",
        split = ",",
        required = true,
        description = "A menu of other profiles.")
    List<String> menu;
  }

  static final class KernelArgs {
    @Option(names = "--kernel", paramLabel = "URL", required = true)
    String kernel;

    @Option(names = "--initrd", paramLabel = "URL", description = "Repeatable.")
    List<String> initrds = new ArrayList<>();

    @Option(names = "--cmdline", paramLabel = "ARGS")
    String cmdline;
  }

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description = "Add a profile, or replace the one with this name.")
  static final class Add implements Callable<Integer> {
    @Mixin StoreOptions opts;

    @Parameters(paramLabel = "NAME")
    String name;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Kind kind;

    @Option(
        names = "--loader",
        paramLabel = "ipxe|shim-grub",
        description =
            "Boot loader chain this profile needs whatever the machine's group says: shim-grub"
                + " boots a kernel or local-disk profile through Debian's signed shim and GRUB"
                + " (Secure Boot, x86_64 UEFI); default: the group's, else iPXE.")
    String loader;

    @Override
    public Integer call() {
      return opts.run(
          "profile add",
          control -> {
            Optional<FirmwareSettings.Loader> l =
                loader == null
                    ? Optional.empty()
                    : Optional.of(
                        FirmwareSettings.Loader.parse(loader)
                            .orElseThrow(
                                () ->
                                    StoreOptions.CliError.invalid(
                                        "--loader must be ipxe or shim-grub, not " + loader)));
            Profile p;
            if (kind.kernel != null) {
              KernelArgs k = kind.kernel;
              p = Profile.kernel(name, k.kernel, k.initrds, k.cmdline);
            } else if (kind.chain != null) {
              p = Profile.chain(name, kind.chain);
            } else if (kind.script != null) {
              String text;
              try {
                text = Files.readString(kind.script, StandardCharsets.UTF_8);
              } catch (java.io.IOException e) {
                throw StoreOptions.CliError.notFound("cannot read " + kind.script + ": " + e);
              }
              p = Profile.script(name, text);
            } else if (kind.localDisk) {
              p = Profile.localDisk(name);
            } else {
              p = Profile.menu(name, kind.menu);
            }
            try {
              p = p.withLoader(l);
            } catch (IllegalArgumentException e) {
              throw StoreOptions.CliError.invalid(e.getMessage());
            }
            control.putProfile(p, Control.Expect.ANY);
            System.out.println("profile " + name + " saved");
          });
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List profiles.")
  static final class ListCmd implements Callable<Integer> {
    @Mixin StoreOptions opts;

    @Override
    public Integer call() {
      return opts.run(
          "profile list",
          control -> {
            List<Profile> all = control.profiles();
            if (opts.json) {
              Json.print(all.stream().map(JsonViews::profile).toList());
              return;
            }
            Table t = new Table("NAME", "KIND", "WHAT");
            for (Profile p : all) {
              t.row(p.name(), kind(p), summary(p));
            }
            t.print(System.out);
          });
    }
  }

  static String kind(Profile p) {
    return JsonViews.kind(p);
  }

  static String summary(Profile p) {
    return switch (p.kind()) {
          case KERNEL ->
              p.kernel().orElseThrow()
                  + (p.initrds().isEmpty() ? "" : " + " + p.initrds().size() + " initrd")
                  + p.cmdline().map(c -> " " + c).orElse("");
          case CHAIN -> p.chainUrl().orElseThrow();
          case SCRIPT -> p.script().orElseThrow().lines().count() + " lines";
          case LOCAL_DISK -> "boot from local disk";
          case MENU -> String.join(",", p.menu());
        }
        + p.loader().map(l -> " (loader " + l.text() + ")").orElse("");
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a profile.")
  static final class Show implements Callable<Integer> {
    @Mixin StoreOptions opts;

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      return opts.run(
          "profile show",
          control -> {
            Profile p = control.profile(name);
            if (opts.json) {
              Json.print(JsonViews.profile(p));
              return;
            }
            System.out.println("name:    " + p.name());
            System.out.println("kind:    " + kind(p));
            p.kernel().ifPresent(x -> System.out.println("kernel:  " + x));
            p.initrds().forEach(x -> System.out.println("initrd:  " + x));
            p.cmdline().ifPresent(x -> System.out.println("cmdline: " + x));
            p.chainUrl().ifPresent(x -> System.out.println("chain:   " + x));
            if (!p.menu().isEmpty()) {
              System.out.println("menu:    " + String.join(",", p.menu()));
            }
            p.script()
                .ifPresent(x -> System.out.print("script:\n" + x + (x.endsWith("\n") ? "" : "\n")));
          });
    }
  }

  @Command(
      name = "rm",
      mixinStandardHelpOptions = true,
      description =
          "Remove a profile (refused while an assignment, group, menu or the default uses it).")
  static final class Rm implements Callable<Integer> {
    @Mixin StoreOptions opts;

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      return opts.run(
          "profile rm",
          control -> {
            control.deleteProfile(name, Control.Expect.ANY);
            System.out.println("profile " + name + " removed");
          });
    }
  }
}
