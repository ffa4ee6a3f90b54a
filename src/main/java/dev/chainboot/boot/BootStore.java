package dev.chainboot.boot;

import java.util.List;
import java.util.Optional;

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

  List<Profile> profiles();

  List<Group> groups();

  Optional<String> defaultProfile();
}
