package dev.chainboot.api;

import dev.chainboot.auth.ApiToken;
import dev.chainboot.auth.Role;
import dev.chainboot.auth.Tokens;
import dev.chainboot.boot.Assignment;
import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.Group;
import dev.chainboot.boot.Machine;
import dev.chainboot.boot.Preview;
import dev.chainboot.boot.Profile;
import dev.chainboot.compat.ImportReport;
import dev.chainboot.compat.pixie.PixieLayout;
import dev.chainboot.compat.pxesrv.PxeSrvLayout;
import dev.chainboot.compat.zeroos.ZeroOsKernels;
import dev.chainboot.compat.zeroos.ZeroOsProvisionDb;
import dev.chainboot.store.EventFilter;
import java.util.List;
import java.util.Optional;

/**
 * Everything an operator can do to chainboot, once: the CLI's commands call this, against {@link
 * LocalControl} (the data directory's store, in this process) or a remote server's API (the CLI's
 * {@code RemoteControl}), and the HTTP API's endpoints call {@link LocalControl}. So the rules
 * (validation, "unknown MAC is registered by boot once", optimistic concurrency) live in one place
 * and the CLI prints the same either way.
 *
 * <p>Machines are named by MAC or IP address ({@code id}). Every failure is an {@link
 * ApiException}.
 */
public interface Control extends AutoCloseable {

  /**
   * A write's precondition: {@code If-Match} (412 when it names another version) or "create only"
   * (409 when it exists).
   */
  record Expect(Optional<String> ifMatch, boolean createOnly) {
    public static final Expect ANY = new Expect(Optional.empty(), false);
    public static final Expect CREATE = new Expect(Optional.empty(), true);

    public static Expect ifMatch(Optional<String> etag) {
      return new Expect(etag, false);
    }
  }

  // machines
  List<Machine> machines();

  /**
   * A page of the machines {@code q} matches (search, offset, limit), by MAC, with their
   * assignments and the count of all that match. This default reads every machine; a local control
   * pages in the store.
   */
  default dev.chainboot.store.MachinePage machinePage(dev.chainboot.store.MachineQuery q) {
    java.util.Map<String, String> once = new java.util.HashMap<>();
    java.util.Map<String, String> fixed = new java.util.HashMap<>();
    for (Assignment a : assignments()) {
      (a.kind() == Assignment.Kind.ONCE ? once : fixed).put(a.mac().colon(), a.profile());
    }
    List<Machine> all =
        machines().stream()
            .filter(q::matches)
            .sorted(java.util.Comparator.comparingLong(m -> m.mac().value()))
            .toList();
    int from = (int) Math.min(all.size(), q.offset());
    int to = (int) Math.min(all.size(), (long) q.offset() + q.limit());
    return new dev.chainboot.store.MachinePage(
        all.subList(from, to).stream()
            .map(
                m ->
                    new dev.chainboot.store.MachinePage.Row(
                        m,
                        Optional.ofNullable(once.get(m.mac().colon())),
                        Optional.ofNullable(fixed.get(m.mac().colon()))))
            .toList(),
        all.size());
  }

  MachineDetail machine(String id);

  /** Adds or replaces a machine's fields (not its assignments); true if it was added. */
  boolean putMachine(Machine m, Expect expect);

  void deleteMachine(String id, Expect expect);

  /**
   * A number that changes whenever a machine or an assignment changes, so that a view (the UI's
   * machine list) can keep what it read until then; empty when there is none.
   */
  default java.util.OptionalLong machinesVersion() {
    return java.util.OptionalLong.empty();
  }

  // assignments
  /**
   * Sets a machine's once or static profile. A MAC no machine has yet is registered first
   * (pre-provisioning new hardware); an unknown IP address is a 404.
   */
  MachineDetail assign(String id, Assignment.Kind kind, String profile);

  /**
   * Removes a machine's once and static assignments (only those naming {@code profile}, if given).
   * Returns how many were removed.
   */
  int clearAssignments(String id, Optional<String> profile);

  /**
   * Sets a machine's once-assignment held until its installer calls back ({@code boot once
   * --until-done}): every boot gets {@code profile} and a single-use callback URL, for at most
   * {@code maxBoots} boots. A MAC no machine has yet is registered, as {@link #assign} does.
   */
  MachineDetail holdOnce(String id, String profile, int maxBoots);

  List<Assignment> assignments();

  Optional<String> defaultProfile();

  void setDefaultProfile(Optional<String> profile, Expect expect);

  // profiles
  List<Profile> profiles();

  Profile profile(String name);

  /** Adds or replaces a profile; true if it was added. */
  boolean putProfile(Profile p, Expect expect);

  void deleteProfile(String name, Expect expect);

  // groups
  /** Groups in the order they are tried. */
  List<Group> groups();

  Group group(String name);

  boolean putGroup(Group g, Expect expect);

  void deleteGroup(String name, Expect expect);

  // events and the dry run
  List<BootEvent> events(EventFilter filter);

  /**
   * What the machine would boot now, and why, taking nothing.
   *
   * @param baseUrl the boot server's URL the script would link back to (default: the server's)
   */
  Preview preview(String id, Optional<String> baseUrl);

  // imports
  ImportReport importPxeSrv(PxeSrvLayout layout, boolean dryRun);

  ImportReport importPixie(PixieLayout layout, boolean dryRun);

  /** Zero-OS provision rows, checked against the runmodes of the side that applies them. */
  ImportReport importZeroOs(List<ZeroOsProvisionDb.Client> clients, boolean dryRun);

  // media
  byte[] media(MediaOrder order);

  // Zero-OS runmode kernels (DATA/kernels and its net/<runmode>.efi links)
  /** The kernels in the kernels directory, each with the runmodes booting it. */
  default List<ZeroOsKernels.Kernel> zeroOsKernels() {
    throw noKernels();
  }

  /** The configured runmodes and the kernel each boots now. */
  default List<ZeroOsKernels.Runmode> zeroOsRunmodes() {
    throw noKernels();
  }

  /**
   * Stores a new kernel (streamed to a temporary file, then renamed into place).
   *
   * @param declared the length the client declared, or -1
   */
  default ZeroOsKernels.Uploaded uploadZeroOsKernel(
      String name, java.io.InputStream body, long declared) {
    throw noKernels();
  }

  /** Removes a kernel no runmode boots (409 if one does). */
  default void deleteZeroOsKernel(String name) {
    throw noKernels();
  }

  /** Points a runmode's link at {@code kernel} (atomically); returns the runmode as it is now. */
  default ZeroOsKernels.Runmode switchZeroOsRunmode(String runmode, String kernel) {
    throw noKernels();
  }

  private static ApiException noKernels() {
    return new ApiException(501, Optional.empty(), "Zero-OS kernels are not managed here");
  }

  // tokens
  Tokens.Created createToken(String name, Role role);

  List<ApiToken> tokens();

  void revokeToken(String name);

  @Override
  void close();
}
