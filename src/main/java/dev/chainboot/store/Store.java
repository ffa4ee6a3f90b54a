package dev.chainboot.store;

import dev.chainboot.boot.Assignment;
import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.Group;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Machine;
import dev.chainboot.boot.Profile;
import java.util.List;
import java.util.Optional;

/**
 * Where the boot core keeps machines, profiles, assignments, groups and boot events. Several
 * processes (the server and CLI commands) may use one store at once; every method is a
 * complete transaction. Implementations: {@link SqliteStore}; the SQL is kept portable so a
 * PostgreSQL one can follow.
 */
public interface Store extends AutoCloseable {

  /**
   * What resolution needs about one machine, read in one query: the machine (if known), its
   * once and static profiles, and the version of the shared configuration (profiles, groups,
   * default), which changes whenever any process changes that configuration.
   */
  record BootView(Optional<Machine> machine, Optional<String> once, Optional<String> fixed,
      long configVersion) {}

  BootView bootView(MacAddress mac);

  /** The current configuration version (see {@link BootView#configVersion()}). */
  long configVersion();

  // machines
  Optional<Machine> machine(MacAddress mac);

  /** The machine last seen at (or configured with) this IP address. */
  Optional<Machine> machineByIp(String ip);

  List<Machine> machines();

  /** Creates or replaces a machine (operator's add). */
  void putMachine(Machine m);

  /** Adds a machine first seen in a boot request, unless it exists; true if added. */
  boolean registerMachine(Machine m);

  /** Updates what a machine said about itself (IP, UUID, ...; not its labels). */
  void updateSeen(Machine m);

  /** Removes a machine and its assignments; false if there was none. */
  boolean deleteMachine(MacAddress mac);

  // profiles
  Optional<Profile> profile(String name);

  List<Profile> profiles();

  void putProfile(Profile p);

  /**
   * @return false if there was none
   * @throws StoreException if an assignment, group, default or menu still uses it
   */
  boolean deleteProfile(String name);

  // assignments
  /** Sets the machine's once or static profile, replacing the previous one of that kind. */
  void assign(Assignment a);

  Optional<String> assignment(MacAddress mac, Assignment.Kind kind);

  List<Assignment> assignments();

  /**
   * Removes the machine's assignments (only those naming {@code profile}, if given).
   *
   * @return how many were removed
   */
  int clearAssignments(MacAddress mac, Optional<String> profile);

  /**
   * Atomically takes the machine's once-assignment: of any number of concurrent callers, in
   * any number of processes, exactly one gets it.
   */
  Optional<String> consumeOnce(MacAddress mac);

  void setDefaultProfile(Optional<String> profile);

  Optional<String> defaultProfile();

  // groups
  List<Group> groups();

  void putGroup(Group g);

  boolean deleteGroup(String name);

  // events
  void appendEvents(List<BootEvent> events);

  /**
   * Events with id greater than {@code afterId}, oldest first, at most {@code limit}.
   *
   * @param mac only this machine's, if given
   */
  List<BootEvent> events(Optional<MacAddress> mac, long afterId, int limit);

  /** The newest {@code limit} events, oldest first. */
  List<BootEvent> recentEvents(Optional<MacAddress> mac, int limit);

  @Override
  void close();
}
