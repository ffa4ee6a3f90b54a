package dev.chainboot.cli;

import com.samskivert.mustache.Mustache;
import dev.chainboot.boot.FirmwareSettings;
import dev.chainboot.boot.Profile;
import dev.chainboot.ipxe.IpxeSafe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
          store -> {
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
              url(k.kernel);
              k.initrds.forEach(ProfileCommand::url);
              if (k.cmdline != null) {
                checkTemplate(k.cmdline);
                if (!k.cmdline.contains("{{")) {
                  IpxeSafe.cmdline(k.cmdline);
                }
              }
              p = Profile.kernel(name, k.kernel, k.initrds, k.cmdline);
            } else if (kind.chain != null) {
              url(kind.chain);
              p = Profile.chain(name, kind.chain);
            } else if (kind.script != null) {
              String text;
              try {
                text = Files.readString(kind.script, StandardCharsets.UTF_8);
              } catch (java.io.IOException e) {
                throw StoreOptions.CliError.notFound("cannot read " + kind.script + ": " + e);
              }
              checkTemplate(text);
              p = Profile.script(name, text);
            } else if (kind.localDisk) {
              p = Profile.localDisk(name);
            } else {
              for (String entry : kind.menu) {
                if (entry.equals(name)) {
                  throw StoreOptions.CliError.invalid("a menu cannot contain itself");
                }
                Optional<Profile> e = store.profile(entry);
                if (e.isEmpty()) {
                  throw StoreOptions.CliError.notFound("unknown profile " + entry);
                }
                if (e.get().kind() == Profile.Kind.MENU) {
                  throw StoreOptions.CliError.invalid("menus cannot be nested: " + entry);
                }
              }
              p = Profile.menu(name, kind.menu);
            }
            try {
              p = p.withLoader(l);
            } catch (IllegalArgumentException e) {
              throw StoreOptions.CliError.invalid(e.getMessage());
            }
            store.putProfile(p);
            System.out.println("profile " + name + " saved");
          });
    }
  }

  /** A URL as given: validated now unless it holds template variables (checked at boot). */
  static void url(String u) {
    checkTemplate(u);
    if (!u.contains("{{")) {
      IpxeSafe.url(u);
    }
  }

  static void checkTemplate(String t) {
    try {
      Mustache.compiler().compile(t);
    } catch (RuntimeException e) {
      throw StoreOptions.CliError.invalid("bad template: " + e.getMessage());
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List profiles.")
  static final class ListCmd implements Callable<Integer> {
    @Mixin StoreOptions opts;

    @Override
    public Integer call() {
      return opts.run(
          "profile list",
          store -> {
            List<Profile> all = store.profiles();
            if (opts.json) {
              Json.print(all.stream().map(ProfileCommand::json).toList());
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
    return p.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
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

  static Map<String, Object> json(Profile p) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("name", p.name());
    o.put("kind", kind(p));
    p.kernel().ifPresent(x -> o.put("kernel", x));
    if (p.kind() == Profile.Kind.KERNEL) {
      o.put("initrds", p.initrds());
    }
    p.cmdline().ifPresent(x -> o.put("cmdline", x));
    p.chainUrl().ifPresent(x -> o.put("chain", x));
    p.script().ifPresent(x -> o.put("script", x));
    if (p.kind() == Profile.Kind.MENU) {
      o.put("menu", p.menu());
    }
    p.loader().ifPresent(x -> o.put("loader", x.text()));
    return o;
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
          store -> {
            Profile p =
                store
                    .profile(name)
                    .orElseThrow(() -> StoreOptions.CliError.notFound("unknown profile " + name));
            if (opts.json) {
              Json.print(json(p));
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
          store -> {
            if (!store.deleteProfile(name)) {
              throw StoreOptions.CliError.notFound("unknown profile " + name);
            }
            System.out.println("profile " + name + " removed");
          });
    }
  }
}
