package dev.chainboot.boot;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * What the boot core needs from storage: the port {@link BootCore} decides through. Package {@code
 * store} implements it (SQLite today); the core never sees how. Every method is a complete
 * transaction, and several processes (the server, CLI commands) may share one store.
 */
public interface BootStore {

  /**
   * What resolution needs about one machine, read at once: the machine (if known), its once and
   * static profiles, and the version of the shared configuration (profiles, groups, default), which
   * changes whenever any process changes that configuration.
   */
  record BootView(
      Optional<Machine> machine,
      Optional<String> onceProfile,
      Optional<String> staticProfile,
      long configVersion) {

    /** A view of a machine with no assignments (just registered, or not stored at all). */
    public static BootView unassigned(Optional<Machine> machine, long configVersion) {
      return new BootView(machine, Optional.empty(), Optional.empty(), configVersion);
    }
  }

  /**
   * The store cannot be reached now (its database is down, restarting or out of connections); the
   * same request may work a little later. Not a boot error: boot endpoints answer it with a script
   * that tries again, the API with 503.
   */
  final class UnavailableException extends RuntimeException {
    public UnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  BootView bootView(MacAddress mac);

  /** The current configuration version (see {@link BootView#configVersion()}). */
  long configVersion();

  /** The machine last seen at (or configured with) this IP address. */
  Optional<Machine> machineByIp(String ip);

  /** Adds a machine first seen in a boot request, unless it exists; true if added. */
  boolean registerMachine(Machine m);

  /** Updates what a machine said about itself (IP, UUID, ...; not its labels). */
  void updateSeen(Machine m);

  /**
   * Atomically takes the machine's once-assignment: of any number of concurrent callers, in any
   * number of processes, exactly one gets it.
   */
  Optional<String> consumeOnce(MacAddress mac);

  /**
   * Takes the machine's once-assignment like {@link #consumeOnce(MacAddress)} and, where the store
   * can, stores the event of the boot it decides in the same transaction, so that no crash can
   * leave a once-assignment consumed without its event.
   *
   * @param decide given the profile taken, the event of the boot (called at most once, possibly
   *     inside the store's transaction: keep it short, it must not use the store)
   * @return the event, with its store id when it was stored here (id 0: the caller still has to
   *     record it), or empty if there was no once-assignment to take
   */
  default Optional<BootEvent> consumeOnce(MacAddress mac, Function<String, BootEvent> decide) {
    return consumeOnce(mac).map(decide);
  }

  List<Profile> profiles();

  List<Group> groups();

  Optional<String> defaultProfile();
}
