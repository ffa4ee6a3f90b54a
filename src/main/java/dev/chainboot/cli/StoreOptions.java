package dev.chainboot.cli;

import dev.chainboot.api.ApiException;
import dev.chainboot.api.Control;
import dev.chainboot.api.LocalControl;
import dev.chainboot.auth.TokenStore;
import dev.chainboot.boot.BootCore;
import dev.chainboot.boot.BootStore;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.config.ConfigFile;
import dev.chainboot.firmware.FirmwareCatalog;
import dev.chainboot.store.Store;
import dev.chainboot.store.StoreException;
import dev.chainboot.store.Stores;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Options every control command shares ({@code --data}, {@code --json}) and the plumbing to run
 * one: against the data directory's store in this process ({@link LocalControl}, safe while {@code
 * serve} runs on it), or, with {@code chainboot --server URL --token T} (or env CHAINBOOT_SERVER,
 * CHAINBOOT_TOKEN), against that server's API ({@link RemoteControl}). Either way the command
 * prints the same; errors map to exit codes (1: unknown machine or profile, a conflict, no server;
 * 2: invalid input).
 */
public final class StoreOptions {

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description = "Data directory (default: ${DEFAULT-VALUE}, the same as serve).")
  Path data = Path.of("chainboot-data");

  @Option(names = "--json", description = "Print JSON instead of a table.")
  boolean json;

  /** The configuration file a local Zero-OS import reads its runmodes from (its --config). */
  Path config;

  @Option(
      names = "--db",
      paramLabel = "URL",
      description =
          "Database: postgresql://USER@HOST:PORT/DB, or sqlite (the default: DATA/chainboot.db);"
              + " the same as serve.")
  String db;

  @Option(
      names = "--db-password-file",
      paramLabel = "FILE",
      description = "File whose first line is the PostgreSQL password.")
  Path dbPasswordFile;

  /** An error to report with an exit code. */
  public static final class CliError extends RuntimeException {
    final int code;

    CliError(int code, String message) {
      super(message);
      this.code = code;
    }

    static CliError invalid(String message) {
      return new CliError(2, message);
    }

    static CliError notFound(String message) {
      return new CliError(1, message);
    }
  }

  interface Action {
    void run(Control control) throws Exception;
  }

  int run(String command, Action action) {
    try (Control control = open()) {
      action.run(control);
      return 0;
    } catch (ApiException e) {
      System.err.println("chainboot " + command + ": " + e.getMessage());
      return e.exitCode();
    } catch (BootStore.UnavailableException e) {
      System.err.println("chainboot " + command + ": " + e.getMessage());
      return 1;
    } catch (CliError e) {
      System.err.println("chainboot " + command + ": " + e.getMessage());
      return e.code;
    } catch (IllegalArgumentException e) {
      System.err.println("chainboot " + command + ": " + e.getMessage());
      return 2;
    } catch (StoreException e) {
      System.err.println("chainboot " + command + ": " + e.getMessage());
      return 1;
    } catch (Exception e) {
      System.err.println("chainboot " + command + ": " + e);
      return 1;
    }
  }

  /** Whether this command runs against a remote server. */
  boolean remote() {
    return main().flatMap(Main::server).isPresent();
  }

  private Optional<Main> main() {
    if (mixee == null) {
      return Optional.empty();
    }
    return mixee.root().userObject() instanceof Main m ? Optional.of(m) : Optional.empty();
  }

  private Control open() {
    Optional<Main> main = main();
    if (main.flatMap(Main::server).isPresent()) {
      Main m = main.get();
      if (mixee.commandLine().getParseResult().hasMatchedOption("--data")) {
        throw CliError.invalid("give --data (this machine's store) or --server, not both");
      }
      return new RemoteControl(m.server().get(), m.token, Optional.ofNullable(m.cacert));
    }
    Store store =
        Stores.open(
            Optional.ofNullable(db).filter(d -> !d.isBlank()),
            data,
            Optional.ofNullable(dbPasswordFile));
    Path cfg = config != null ? config : data.resolve("chainboot.yaml");
    return new LocalControl(
            store,
            store instanceof TokenStore tokens ? Optional.of(tokens) : Optional.empty(),
            new BootCore(store, e -> {}),
            FirmwareCatalog::embedded,
            () -> ConfigFile.load(cfg).zeroOsRunmodes().keySet(),
            "http://127.0.0.1:8080",
            id -> {})
        .withZeroOsKernels(
            new dev.chainboot.compat.zeroos.ZeroOsKernels(
                data.resolve("kernels"),
                () -> ConfigFile.load(cfg).zeroOsRunmodes(),
                dev.chainboot.compat.zeroos.ZeroOsKernels.DEFAULT_MAX_BYTES))
        .onClose(store::close);
  }

  /** Parses a MAC or exits 2. */
  static MacAddress mac(String text) {
    return MacAddress.parse(text)
        .orElseThrow(
            () -> CliError.invalid("invalid MAC address: " + text + " (e.g. 52:54:00:12:34:56)"));
  }
}
