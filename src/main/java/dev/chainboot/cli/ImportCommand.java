package dev.chainboot.cli;

import dev.chainboot.compat.ImportPlan;
import dev.chainboot.compat.pixie.PixieImport;
import dev.chainboot.compat.pixie.PixieLayout;
import dev.chainboot.compat.pxesrv.PxeSrvImport;
import dev.chainboot.compat.pxesrv.PxeSrvLayout;
import dev.chainboot.compat.zeroos.ZeroOsImport;
import dev.chainboot.compat.zeroos.ZeroOsProvisionDb;
import dev.chainboot.config.ConfigFile;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code chainboot import pxesrv DIR | pixie DIR | zeroos FILE}: seed tools' data into the store.
 */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description =
        "Bring a pxe_srv root, a pixie scripts directory or a Zero-OS provision database"
            + " into the store (the source is only read).",
    subcommands = {
      ImportCommand.PxeSrv.class,
      ImportCommand.Pixie.class,
      ImportCommand.ZeroOs.class
    })
public final class ImportCommand implements Runnable {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  abstract static class Base implements Callable<Integer> {
    @Mixin StoreOptions opts;

    @Option(names = "--dry-run", description = "Print what would change; write nothing.")
    boolean dryRun;

    abstract String name();

    abstract void apply(ImportPlan plan) throws Exception;

    @Override
    public Integer call() {
      return opts.run(
          "import " + name(),
          store -> {
            ImportPlan plan = new ImportPlan(store, dryRun);
            try {
              apply(plan);
            } catch (java.io.IOException | java.sql.SQLException e) {
              throw new IllegalArgumentException("cannot read the source: " + e.getMessage(), e);
            }
            plan.report().forEach(System.out::println);
          });
    }
  }

  @Command(
      name = "pxesrv",
      mixinStandardHelpOptions = true,
      description =
          "Import a pxe_srv document root: default -> default profile, static/<ip> and"
              + " once/<ip> -> assignments of the machine known at that IP.")
  static final class PxeSrv extends Base {
    @Parameters(index = "0", paramLabel = "DIR")
    Path dir;

    @Override
    String name() {
      return "pxesrv";
    }

    @Override
    void apply(ImportPlan plan) throws Exception {
      PxeSrvImport.apply(PxeSrvLayout.read(dir), plan);
    }
  }

  @Command(
      name = "pixie",
      mixinStandardHelpOptions = true,
      description =
          "Import a pixie scripts directory: <mac>.ipxe -> machine, profile, static assignment.")
  static final class Pixie extends Base {
    @Parameters(index = "0", paramLabel = "DIR")
    Path dir;

    @Override
    String name() {
      return "pixie";
    }

    @Override
    void apply(ImportPlan plan) throws Exception {
      PixieImport.apply(PixieLayout.read(dir), plan);
    }
  }

  @Command(
      name = "zeroos",
      mixinStandardHelpOptions = true,
      description =
          "Import a Zero-OS bootstrap provision database (SQLite, table provision):"
              + " each client MAC -> machine with a kernel profile for its runmode.")
  static final class ZeroOs extends Base {
    @Parameters(index = "0", paramLabel = "FILE")
    Path file;

    @Option(
        names = "--config",
        paramLabel = "FILE",
        description = "Configuration file with the runmodes (default: DATA/chainboot.yaml).")
    Path config;

    @Override
    String name() {
      return "zeroos";
    }

    @Override
    void apply(ImportPlan plan) throws Exception {
      ConfigFile cfg =
          ConfigFile.load(config != null ? config : opts.data.resolve("chainboot.yaml"));
      ZeroOsImport.apply(ZeroOsProvisionDb.read(file, cfg.zeroOsRunmodes().keySet()), plan);
    }
  }
}
