package dev.chainboot.cli;

import dev.chainboot.api.Control;
import dev.chainboot.api.JsonViews;
import dev.chainboot.compat.ImportReport;
import dev.chainboot.compat.pixie.PixieLayout;
import dev.chainboot.compat.pxesrv.PxeSrvLayout;
import dev.chainboot.compat.zeroos.ZeroOsProvisionDb;
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

    /** Reads the source here (on this machine) and has {@code control} apply it. */
    abstract ImportReport apply(Control control) throws Exception;

    @Override
    public Integer call() {
      return opts.run(
          "import " + name(),
          control -> {
            ImportReport r;
            try {
              r = apply(control);
            } catch (java.io.IOException | java.sql.SQLException e) {
              throw new IllegalArgumentException("cannot read the source: " + e.getMessage(), e);
            }
            if (opts.json) {
              Json.print(JsonViews.importReport(r));
              return;
            }
            r.lines().forEach(System.out::println);
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
    ImportReport apply(Control control) throws Exception {
      return control.importPxeSrv(PxeSrvLayout.read(dir), dryRun);
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
    ImportReport apply(Control control) throws Exception {
      return control.importPixie(PixieLayout.read(dir), dryRun);
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
        description =
            "Configuration file with the runmodes (default: DATA/chainboot.yaml; with --server,"
                + " the server's).")
    Path config;

    @Override
    String name() {
      return "zeroos";
    }

    @Override
    ImportReport apply(Control control) throws Exception {
      return control.importZeroOs(ZeroOsProvisionDb.readClients(file), dryRun);
    }

    @Override
    public Integer call() {
      if (config != null && opts.remote()) {
        System.err.println(
            "chainboot import zeroos: --config is for a local import; a server checks the rows"
                + " against its own runmodes");
        return 2;
      }
      opts.config = config;
      return super.call();
    }
  }
}
