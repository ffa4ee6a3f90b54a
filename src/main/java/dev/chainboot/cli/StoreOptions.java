package dev.chainboot.cli;

import dev.chainboot.boot.BootStore;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Machine;
import dev.chainboot.store.Store;
import dev.chainboot.store.StoreException;
import dev.chainboot.store.Stores;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Options every store command shares ({@code --data}, {@code --json}) and the plumbing to run one
 * against the store: it opens the data directory's store (safe while {@code serve} runs on it),
 * maps errors to exit codes (1: unknown machine or profile, or a conflict; 2: invalid input) and
 * closes the store.
 */
public final class StoreOptions {

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description = "Data directory (default: ${DEFAULT-VALUE}, the same as serve).")
  Path data = Path.of("chainboot-data");

  @Option(names = "--json", description = "Print JSON instead of a table.")
  boolean json;

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

  /** Opens the store these options name. */
  Store open() {
    return Stores.open(
        Optional.ofNullable(db).filter(d -> !d.isBlank()),
        data,
        Optional.ofNullable(dbPasswordFile));
  }

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
    void run(Store store) throws Exception;
  }

  int run(String command, Action action) {
    try (Store store = open()) {
      action.run(store);
      return 0;
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

  /** Parses a MAC or exits 2. */
  static MacAddress mac(String text) {
    return MacAddress.parse(text)
        .orElseThrow(
            () -> CliError.invalid("invalid MAC address: " + text + " (e.g. 52:54:00:12:34:56)"));
  }

  /**
   * The machine named by a MAC or an IP address.
   *
   * @throws CliError 2 if it is neither, 1 if no such machine is known
   */
  static Machine machine(Store store, String text) {
    Optional<MacAddress> mac = MacAddress.parse(text);
    if (mac.isPresent()) {
      return store
          .machine(mac.get())
          .orElseThrow(
              () ->
                  CliError.notFound(
                      "unknown machine "
                          + mac.get()
                          + " (add it with 'chainboot machine add "
                          + mac.get()
                          + "', or let it boot once)"));
    }
    if (!isIp(text)) {
      throw CliError.invalid("not a MAC or IP address: " + text);
    }
    return store
        .machineByIp(text)
        .orElseThrow(
            () ->
                CliError.notFound(
                    "no machine known at "
                        + text
                        + " (add one with 'chainboot machine add MAC --ip "
                        + text
                        + "', or let it boot once)"));
  }

  static boolean isIp(String s) {
    // Only literals reach getByName (so it never does a DNS lookup).
    if (!s.matches("(\\d{1,3}\\.){3}\\d{1,3}|[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:]{1,38}")) {
      return false;
    }
    try {
      InetAddress.getByName(s);
      return true;
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  static void requireProfile(Store store, String name) {
    if (store.profile(name).isEmpty()) {
      throw CliError.notFound("unknown profile " + name + " (see 'chainboot profile list')");
    }
  }
}
