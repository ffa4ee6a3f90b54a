package dev.chainboot.cli;

import dev.chainboot.api.JsonViews;
import dev.chainboot.compat.zeroos.ZeroOsKernels;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code chainboot zos kernel list | upload FILE [--name NAME] | switch RUNMODE KERNEL | delete
 * NAME}: Zero-OS runmode kernels in DATA/kernels (locally, or on a server with --server).
 */
@Command(
    name = "zos",
    mixinStandardHelpOptions = true,
    description = "Zero-OS bootstrap: the runmodes' kernels.",
    subcommands = {ZosCommand.Kernel.class})
public final class ZosCommand implements Runnable {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(
      name = "kernel",
      mixinStandardHelpOptions = true,
      description =
          "Kernels in DATA/kernels and which one each runmode boots (DATA/kernels/net/RUNMODE.efi,"
              + " a link switched atomically).",
      subcommands = {
        Kernel.ListCmd.class,
        Kernel.Upload.class,
        Kernel.Switch.class,
        Kernel.Delete.class
      })
  static final class Kernel implements Runnable {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().usage(System.out);
    }

    @Command(
        name = "list",
        mixinStandardHelpOptions = true,
        description = "List the runmodes with their kernel, then the kernels.")
    static final class ListCmd implements Callable<Integer> {
      @Mixin StoreOptions opts;

      @Override
      public Integer call() {
        return opts.run(
            "zos kernel list",
            control -> {
              var modes = control.zeroOsRunmodes();
              var kernels = control.zeroOsKernels();
              if (opts.json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("runmodes", modes.stream().map(JsonViews::zeroOsRunmode).toList());
                o.put("kernels", kernels.stream().map(JsonViews::zeroOsKernel).toList());
                Json.print(o);
                return;
              }
              Table r = new Table("RUNMODE", "NAME", "KERNEL");
              for (ZeroOsKernels.Runmode m : modes) {
                r.row(m.runmode(), m.pretty(), m.kernel().orElse(null));
              }
              r.print(System.out);
              System.out.println();
              Table k = new Table("KERNEL", "SIZE", "MODIFIED", "RUNMODES");
              for (ZeroOsKernels.Kernel x : kernels) {
                k.row(x.name(), x.size(), x.modified(), String.join(",", x.runmodes()));
              }
              k.print(System.out);
            });
      }
    }

    @Command(
        name = "upload",
        mixinStandardHelpOptions = true,
        description =
            "Store FILE as a new kernel (streamed, then renamed into place; an existing name is"
                + " refused: kernels are versions).")
    static final class Upload implements Callable<Integer> {
      @Mixin StoreOptions opts;

      @Parameters(paramLabel = "FILE", description = "The kernel, e.g. zero-os-v3.4-amd64.efi.")
      Path file;

      @Option(
          names = "--name",
          paramLabel = "NAME",
          description = "Its name in DATA/kernels (default: FILE's name).")
      String name;

      @Override
      public Integer call() {
        return opts.run(
            "zos kernel upload",
            control -> {
              String n = name != null ? name : file.getFileName().toString();
              ZeroOsKernels.Uploaded u;
              try (InputStream in = Files.newInputStream(file)) {
                u = control.uploadZeroOsKernel(n, in, Files.size(file));
              } catch (java.io.IOException e) {
                throw StoreOptions.CliError.invalid("cannot read " + file + ": " + e.getMessage());
              }
              if (opts.json) {
                Map<String, Object> o = JsonViews.zeroOsKernel(u.kernel());
                o.put("sha256", u.sha256());
                Json.print(o);
                return;
              }
              System.out.println(
                  "kernel "
                      + n
                      + " stored ("
                      + u.kernel().size()
                      + " bytes, sha256 "
                      + u.sha256()
                      + ")");
            });
      }
    }

    @Command(
        name = "switch",
        mixinStandardHelpOptions = true,
        description = "Make RUNMODE boot KERNEL (its link is replaced atomically).")
    static final class Switch implements Callable<Integer> {
      @Mixin StoreOptions opts;

      @Parameters(index = "0", paramLabel = "RUNMODE")
      String runmode;

      @Parameters(index = "1", paramLabel = "KERNEL")
      String kernel;

      @Override
      public Integer call() {
        return opts.run(
            "zos kernel switch",
            control -> {
              ZeroOsKernels.Runmode r = control.switchZeroOsRunmode(runmode, kernel);
              if (opts.json) {
                Json.print(JsonViews.zeroOsRunmode(r));
                return;
              }
              System.out.println(
                  "runmode " + r.runmode() + " boots " + r.kernel().orElse("(nothing)"));
            });
      }
    }

    @Command(
        name = "delete",
        mixinStandardHelpOptions = true,
        description = "Remove a kernel no runmode boots.")
    static final class Delete implements Callable<Integer> {
      @Mixin StoreOptions opts;

      @Parameters(paramLabel = "KERNEL")
      String kernel;

      @Override
      public Integer call() {
        return opts.run(
            "zos kernel delete",
            control -> {
              control.deleteZeroOsKernel(kernel);
              System.out.println("kernel " + kernel + " deleted");
            });
      }
    }
  }
}
