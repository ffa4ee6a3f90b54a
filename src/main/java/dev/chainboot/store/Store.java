package dev.chainboot.store;

import dev.chainboot.boot.Assignment;
import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.BootStore;
import dev.chainboot.boot.Group;
import dev.chainboot.boot.InstallHold;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Machine;
import dev.chainboot.boot.Profile;
import java.util.List;
import java.util.Optional;

/**
 * Where chainboot keeps machines, profiles, assignments, groups and boot events: the boot core's
 * port ({@link BootStore}) plus what operators and imports change and read. Several processes (the
 * server and CLI commands) may use one store at once; every method is a complete transaction.
 * Implementations: {@link SqliteStore}; each must pass the store contract tests.
 */
public interface Store extends BootStore, AutoCloseable {

  // machines
  Optional<Machine> machine(MacAddress mac);

  List<Machine> machines();

  /**
   * A page of the machines {@code q} matches, by MAC, with their assignments and the count of all
   * that match. SQL stores page and search in the database; this default reads every machine.
   */
  default MachinePage machinePage(MachineQuery q) {
    List<Machine> all =
        machines().stream()
            .filter(q::matches)
            .sorted(java.util.Comparator.comparingLong(m -> m.mac().value()))
            .toList();
    List<MachinePage.Row> rows = new java.util.ArrayList<>();
    long end = Math.min(all.size(), (long) q.offset() + q.limit());
    for (int i = q.offset(); i < end; i++) {
      Machine m = all.get(i);
      rows.add(
          new MachinePage.Row(
              m,
              assignment(m.mac(), Assignment.Kind.ONCE),
              assignment(m.mac(), Assignment.Kind.STATIC)));
    }
    return new MachinePage(rows, all.size());
  }

  /** Creates or replaces a machine (operator's add). */
  void putMachine(Machine m);

  /** Removes a machine and its assignments; false if there was none. */
  boolean deleteMachine(MacAddress mac);

  // profiles
  Optional<Profile> profile(String name);

  void putProfile(Profile p);

  /**
   * @return false if there was none
   * @throws StoreException if an assignment, group, default or menu still uses it
   */
  boolean deleteProfile(String name);

  // assignments
  /**
   * Sets the machine's once or static profile, replacing the previous one of that kind (a new
   * once-assignment also ends an install held until done: see {@link #holdOnce}).
   */
  void assign(Assignment a);

  Optional<String> assignment(MacAddress mac, Assignment.Kind kind);

  List<Assignment> assignments();

  /**
   * Removes the machine's assignments (only those naming {@code profile}, if given), and with its
   * once-assignment an install held until done.
   *
   * @return how many were removed
   */
  int clearAssignments(MacAddress mac, Optional<String> profile);

  void setDefaultProfile(Optional<String> profile);

  // groups
  void putGroup(Group g);

  boolean deleteGroup(String name);

  // installs held until done
  /**
   * Sets the machine's once-assignment to {@code profile}, held until its installer calls back
   * ({@code boot once --until-done}) for at most {@code maxBoots} boots, replacing any
   * once-assignment and earlier hold (and spending their callback tokens).
   */
  void holdOnce(MacAddress mac, String profile, int maxBoots);

  /** The machine's install held until done, or how its last one ended. */
  Optional<InstallHold> installHold(MacAddress mac);

  /** Every machine's, by MAC. */
  List<InstallHold> installHolds();

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

  /** The page of events {@code filter} asks for, oldest first. */
  List<BootEvent> findEvents(EventFilter filter);

  /**
   * Runs {@code op} as one transaction: the store's reads and writes it makes on this thread see
   * one state and are kept or undone together (an exception undoes them), and no other writer, in
   * this process or another, comes between. For read-check-write sequences such as optimistic
   * concurrency (If-Match). Nested calls join the outer transaction.
   */
  <T> T atomically(java.util.function.Supplier<T> op);

  @Override
  void close();

  /**
   * A number that changes whenever a machine or an assignment changes (whoever changes it), for
   * views that keep a copy; empty if this store keeps none.
   */
  default java.util.OptionalLong machineVersion() {
    return java.util.OptionalLong.empty();
  }
}
