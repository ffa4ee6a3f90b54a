package dev.chainboot.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chainboot.boot.Arch;
import dev.chainboot.boot.Assignment;
import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.BootStore;
import dev.chainboot.boot.BootStore.BootView;
import dev.chainboot.boot.FirmwareSettings;
import dev.chainboot.boot.Group;
import dev.chainboot.boot.InstallHold;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Machine;
import dev.chainboot.boot.Platform;
import dev.chainboot.boot.Profile;
import dev.chainboot.testing.StoreProcess;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ThrowingRunnable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every {@link Store} must do. An implementation's test extends this and says how to make a
 * fresh empty store, how to open another handle on it and (unless it lives in one JVM) how another
 * process opens it: {@link #storeProcessSpec()}, understood by {@link StoreProcess#open} (a new
 * kind of store adds a case there).
 *
 * <p>Where the SQL decides (orders, foreign keys, what counts as a configuration change), the
 * contract says what SqliteStore does, so that a second implementation agrees with it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class StoreContract {

  /** A fresh, empty store, used by one test. */
  protected abstract Store newStore();

  /** Another handle on the store {@link #newStore()} made (as a second process would open it). */
  protected abstract Store openAgain();

  /**
   * How long a change made through another handle or process may take to reach this handle's boot
   * views. Zero (the default) means at once: the next call sees it. A store that learns of others'
   * changes asynchronously (PostgreSQL's NOTIFY) says how long it may take; its own changes are
   * always seen at once.
   */
  protected Duration propagation() {
    return Duration.ZERO;
  }

  /** Checks at once, or (for a store with a {@link #propagation()}) until it holds, within it. */
  void seen(ThrowingRunnable check) {
    if (propagation().isZero()) {
      try {
        check.run();
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new AssertionError(t);
      }
    } else {
      Awaitility.await()
          .atMost(propagation())
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(1))
          .untilAsserted(check);
    }
  }

  /** Whether other processes can use this store; if not, those tests are skipped. */
  protected boolean supportsOtherProcesses() {
    return true;
  }

  /** The arguments {@link StoreProcess#open} opens this test's store with, e.g. sqlite DIR. */
  protected List<String> storeProcessSpec() {
    throw new UnsupportedOperationException(
        getClass().getSimpleName()
            + " says it supports other processes but not how they open the store");
  }

  static final MacAddress A = mac("52:54:00:00:00:0a");
  static final MacAddress B = mac("52:54:00:00:00:0b");
  static final MacAddress C = mac("52:54:00:00:00:0c");

  protected Store store;
  private final List<Store> handles = new ArrayList<>();

  @BeforeEach
  void createStore() {
    store = newStore();
  }

  @AfterEach
  void closeStores() {
    handles.forEach(Store::close);
    store.close();
  }

  /** Another handle, closed after the test. */
  Store another() {
    Store s = openAgain();
    handles.add(s);
    return s;
  }

  void assumeOtherProcesses() {
    Assumptions.assumeTrue(
        supportsOtherProcesses(),
        () ->
            getClass().getSimpleName()
                + ": this store lives in one JVM, no other process can open it");
  }

  static MacAddress mac(String s) {
    return MacAddress.parse(s).orElseThrow();
  }

  // ---------------------------------------------------------------- the machine list, paged

  static Machine listed(int i, String host, Map<String, String> labels) {
    return new Machine(
        mac(String.format("52:54:00:aa:%02x:%02x", i / 256, i % 256)),
        Optional.of("10.9." + (i / 256) + "." + (i % 256)),
        Optional.empty(),
        Optional.empty(),
        Optional.ofNullable(host),
        Optional.empty(),
        Optional.empty(),
        labels);
  }

  @Test
  void theMachineListIsPagedAndSearchedInTheStore() {
    store.putProfile(chain("pl"));
    List<Machine> all = new ArrayList<>();
    for (int i = 0; i < 230; i++) {
      Map<String, String> labels =
          i == 5
              ? Map.of("Rack", "R%_1!", "role", "db")
              : Map.of("rack", "r" + (i % 7), "role", i % 2 == 0 ? "worker" : "db");
      Machine m = listed(229 - i, i % 10 == 0 ? "Node-" + i : null, labels);
      store.putMachine(m);
      all.add(m);
    }
    store.assign(new Assignment(listed(0, null, Map.of()).mac(), Assignment.Kind.ONCE, "pl"));
    store.assign(new Assignment(listed(0, null, Map.of()).mac(), Assignment.Kind.STATIC, "pl"));
    List<Machine> byMac =
        all.stream().sorted(java.util.Comparator.comparingLong(m -> m.mac().value())).toList();

    MachinePage first = store.machinePage(new MachineQuery("", 0, 50));
    assertThat(first.total()).isEqualTo(230);
    assertThat(first.machines()).isEqualTo(byMac.subList(0, 50));
    assertThat(first.rows().get(0).once()).contains("pl");
    assertThat(first.rows().get(0).staticProfile()).contains("pl");
    assertThat(first.rows().get(1).once()).isEmpty();
    MachinePage last = store.machinePage(new MachineQuery("", 200, 50));
    assertThat(last.machines()).isEqualTo(byMac.subList(200, 230));
    assertThat(store.machinePage(new MachineQuery("", 400, 50)).rows()).isEmpty();
    assertThat(store.machinePage(new MachineQuery("", 400, 50)).total()).isEqualTo(230);

    // each search finds exactly what the rule says, in MAC order
    for (String search :
        List.of(
            "52:54:00:aa:00:0",
            "52-54-00-AA-00-1",
            "10.9.0.1",
            "node-1",
            "NODE-20",
            "rack=r3",
            "ROLE=DB",
            "rack=r%_1!",
            "%",
            "_",
            "!",
            "r%",
            "nothing-like-this")) {
      MachineQuery q = new MachineQuery(search, 0, 1000);
      List<Machine> expected = byMac.stream().filter(q::matches).toList();
      MachinePage got = store.machinePage(q);
      assertThat(got.machines()).as(search).isEqualTo(expected);
      assertThat(got.total()).as(search).isEqualTo(expected.size());
    }
    assertThat(store.machinePage(new MachineQuery("rack=r%_1!", 0, 10)).total()).isEqualTo(1);
    assertThat(store.machinePage(new MachineQuery("%", 0, 10)).total()).isEqualTo(1);
    assertThat(store.machinePage(new MachineQuery("rack=r3", 0, 10)).total()).isEqualTo(33);
    MachinePage pastTheEnd = store.machinePage(new MachineQuery("rack=r3", 100, 10));
    assertThat(pastTheEnd.rows()).isEmpty();
    assertThat(pastTheEnd.total()).isEqualTo(33);
    MachinePage searchedPage = store.machinePage(new MachineQuery("role=worker", 10, 20));
    assertThat(searchedPage.total()).isEqualTo(115);
    assertThat(searchedPage.machines())
        .isEqualTo(
            byMac.stream()
                .filter(new MachineQuery("role=worker", 0, 1)::matches)
                .toList()
                .subList(10, 30));
  }

  static Machine full(MacAddress mac, String ip) {
    return new Machine(
        mac,
        Optional.of(ip),
        Optional.of("4c4c4544-0042-3510-8052-b4c04f"),
        Optional.of("SN-é 1"),
        Optional.of("node-" + mac.hexraw()),
        Optional.of(Arch.X86_64),
        Optional.of(Platform.PCBIOS),
        Map.of("rack", "r1", "role", "db"));
  }

  static Machine withIp(MacAddress mac, String ip) {
    return new Machine(
        mac,
        Optional.of(ip),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Map.of());
  }

  static Profile chain(String name) {
    return Profile.chain(name, "http://example.invalid/" + name + ".ipxe");
  }

  void chains(String... names) {
    for (String n : names) {
      store.putProfile(chain(n));
    }
  }

  static Group group(String name, String profile) {
    return new Group(name, profile, Map.of(), Optional.empty(), Optional.empty());
  }

  /** Everything the store holds but events, to show that something changed nothing. */
  record Snapshot(
      List<Machine> machines,
      List<Profile> profiles,
      List<Assignment> assignments,
      List<Group> groups,
      Optional<String> defaultProfile,
      long configVersion) {}

  static Snapshot snapshot(Store s) {
    return new Snapshot(
        s.machines(),
        s.profiles(),
        s.assignments(),
        s.groups(),
        s.defaultProfile(),
        s.configVersion());
  }

  /** A named step for parameterized tests (its name is what the report shows). */
  record Step(String name, Consumer<Store> run) {
    @Override
    public String toString() {
      return name;
    }
  }

  // ------------------------------------------------------------------------------ machines

  @Test
  void putMachineCreatesAndThenReplacesEveryField() {
    assertThat(store.machine(A)).isEmpty();
    Machine first = full(A, "10.0.0.1");
    store.putMachine(first);
    assertThat(store.machine(A)).contains(first);

    Machine second =
        new Machine(
            A,
            Optional.of("fe80::1"),
            Optional.empty(),
            Optional.of("SN2"),
            Optional.empty(),
            Optional.of(Arch.ARM64),
            Optional.of(Platform.EFI),
            Map.of("zone", "z ü"));
    store.putMachine(second);
    assertThat(store.machine(A)).contains(second);
    assertThat(store.machines()).containsExactly(second);
  }

  @Test
  void machinesAreListedByMac() {
    List<String> macs =
        List.of(
            "52:54:00:00:00:10",
            "02:00:00:00:00:01",
            "fe:00:00:00:00:00",
            "52:54:00:00:00:09",
            "52:54:00:00:01:00");
    macs.forEach(m -> store.putMachine(Machine.of(mac(m))));
    assertThat(store.machines())
        .extracting(m -> m.mac().colon())
        .containsExactly(
            "02:00:00:00:00:01",
            "52:54:00:00:00:09",
            "52:54:00:00:00:10",
            "52:54:00:00:01:00",
            "fe:00:00:00:00:00");
  }

  @Test
  void registerMachineAddsAMachineOnlyIfItIsAbsent() {
    Machine seen = withIp(A, "10.0.0.1");
    assertThat(store.registerMachine(seen)).isTrue();
    assertThat(store.machine(A)).contains(seen);
    assertThat(store.registerMachine(full(A, "10.0.0.2"))).isFalse();
    assertThat(store.machine(A)).contains(seen);

    Machine operators = full(B, "10.0.0.3");
    store.putMachine(operators);
    assertThat(store.registerMachine(withIp(B, "10.0.0.4"))).isFalse();
    assertThat(store.machine(B)).contains(operators);
  }

  @Test
  void updateSeenReplacesWhatTheMachineSaidButKeepsItsLabels() {
    Machine operators = withIp(A, "10.0.0.1").withLabels(Map.of("rack", "r1"));
    store.putMachine(operators);
    Machine said =
        new Machine(
            A,
            Optional.of("10.0.0.2"),
            Optional.of("uuid-2"),
            Optional.of("SN2"),
            Optional.of("node2"),
            Optional.of(Arch.ARM64),
            Optional.of(Platform.EFI),
            Map.of("rack", "r9", "extra", "x"));
    store.updateSeen(said);
    assertThat(store.machine(A)).contains(said.withLabels(Map.of("rack", "r1")));

    store.updateSeen(withIp(A, "10.0.0.3")); // says less this time: the rest is cleared
    assertThat(store.machine(A)).contains(withIp(A, "10.0.0.3").withLabels(Map.of("rack", "r1")));

    store.updateSeen(withIp(B, "10.0.0.4")); // unknown: not added
    assertThat(store.machine(B)).isEmpty();
    assertThat(store.machines()).hasSize(1);
  }

  @Test
  void machineByIpPicksTheMachineMostRecentlySeenThere() throws Exception {
    String ip = "10.0.0.9";
    store.putMachine(withIp(C, "10.0.0.1")); // configured, never seen
    store.putMachine(withIp(mac("52:54:00:00:00:01"), ip)); // configured there, never seen
    assertThat(store.machineByIp(ip)).map(Machine::mac).contains(mac("52:54:00:00:00:01"));

    store.registerMachine(withIp(A, ip));
    Thread.sleep(5); // distinct milliseconds
    store.registerMachine(withIp(B, ip));
    assertThat(store.machineByIp(ip)).map(Machine::mac).as("seen last").contains(B);
    Thread.sleep(5);
    store.updateSeen(withIp(A, ip));
    assertThat(store.machineByIp(ip)).map(Machine::mac).as("seen again").contains(A);

    assertThat(store.machineByIp("10.0.0.1")).map(Machine::mac).contains(C);
    assertThat(store.machineByIp("10.0.0.99")).isEmpty();
    store.updateSeen(withIp(A, "10.0.0.10")); // A moves away
    assertThat(store.machineByIp(ip)).map(Machine::mac).contains(B);
    assertThat(store.machineByIp("10.0.0.10")).map(Machine::mac).contains(A);
  }

  @Test
  void deleteMachineDeletesItsAssignments() {
    chains("p", "q");
    store.putMachine(Machine.of(A));
    store.putMachine(Machine.of(B));
    store.assign(new Assignment(A, Assignment.Kind.ONCE, "p"));
    store.assign(new Assignment(A, Assignment.Kind.STATIC, "q"));
    store.assign(new Assignment(B, Assignment.Kind.STATIC, "p"));
    assertThat(store.assignments()).hasSize(3);

    assertThat(store.deleteMachine(A)).isTrue();
    assertThat(store.machine(A)).isEmpty();
    assertThat(store.assignments()).containsExactly(new Assignment(B, Assignment.Kind.STATIC, "p"));
    assertThat(store.deleteMachine(A)).isFalse();

    store.putMachine(Machine.of(A)); // back, with nothing assigned
    assertThat(store.assignment(A, Assignment.Kind.ONCE)).isEmpty();
    assertThat(store.assignment(A, Assignment.Kind.STATIC)).isEmpty();
    assertThat(store.profiles()).hasSize(2); // profiles are not the machine's
  }

  // ------------------------------------------------------------------------------ profiles

  static Stream<Profile> everyKindOfProfile() {
    return Stream.of(
        Profile.kernel(
            "kernel",
            "http://10.0.0.1/{{mac_hexhyp}}/vmlinuz",
            List.of("http://10.0.0.1/z.img", "http://10.0.0.1/a.img", "tftp://10.0.0.1/m.img"),
            "console=ttyS0,115200n8  quiet rack={{labels.rack}} é"),
        Profile.kernel("kernel-bare", "http://10.0.0.1/vmlinuz", List.of(), null),
        Profile.kernel("kernel-empty-cmdline", "http://10.0.0.1/vmlinuz", List.of(), ""),
        Profile.chain("chain", "https://boot.example/{{mac}}.ipxe?x=1&y=2"),
        Profile.script("script", "#!ipxe\n# comment\nset a \"b c\"\n\tchain ${a} || shell\n\n"),
        Profile.localDisk("local-disk"),
        Profile.menu("menu", List.of("zz", "aa", "not-a-profile-yet", "mm")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyKindOfProfile")
  void everyKindOfProfileComesBackExactly(Profile p) {
    store.putProfile(p);
    assertThat(store.profile(p.name())).contains(p);
    assertThat(store.profiles()).containsExactly(p);
  }

  @Test
  void putProfileReplacesEveryFieldEvenTheKind() {
    Profile k = Profile.kernel("p", "http://10.0.0.1/k", List.of("http://10.0.0.1/i"), "quiet");
    store.putProfile(k);
    Profile c = chain("p");
    store.putProfile(c);
    assertThat(store.profile("p")).contains(c);
    Profile m = Profile.menu("p", List.of("a"));
    store.putProfile(m);
    assertThat(store.profiles()).containsExactly(m);
    assertThat(store.profile("q")).isEmpty();
  }

  @Test
  void profilesAreListedByNameInBinaryOrder() {
    List<String> names = List.of("b", "a_1", "B", "a.1", "0z", "a-1", "A", "a1");
    names.forEach(this::chains);
    assertThat(store.profiles())
        .extracting(Profile::name)
        .containsExactly("0z", "A", "B", "a-1", "a.1", "a1", "a_1", "b");
  }

  /** Each thing that can use profile p, how the refusal names it, and how to stop the use. */
  record User(String name, Consumer<Store> use, String named, Consumer<Store> stop) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<User> profileUsers() {
    return Stream.of(
        new User(
            "a once-assignment",
            s -> s.assign(new Assignment(A, Assignment.Kind.ONCE, "p")),
            "assignment of 52:54:00:00:00:0a",
            s -> s.clearAssignments(A, Optional.of("p"))),
        new User(
            "a static assignment",
            s -> s.assign(new Assignment(B, Assignment.Kind.STATIC, "p")),
            "assignment of 52:54:00:00:00:0b",
            s -> s.deleteMachine(B)),
        new User(
            "a group", s -> s.putGroup(group("g1", "p")), "group g1", s -> s.deleteGroup("g1")),
        new User(
            "the default",
            s -> s.setDefaultProfile(Optional.of("p")),
            "the default",
            s -> s.setDefaultProfile(Optional.empty())),
        new User(
            "a menu",
            s -> s.putProfile(Profile.menu("m1", List.of("q", "p"))),
            "menu m1",
            s -> s.putProfile(Profile.menu("m1", List.of("q")))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("profileUsers")
  void aProfileInUseIsNotDeletedAndTheRefusalNamesTheUser(User user) {
    chains("p", "q");
    store.putMachine(Machine.of(A));
    store.putMachine(Machine.of(B));
    user.use().accept(store);
    Snapshot before = snapshot(store);

    assertThatThrownBy(() -> store.deleteProfile("p"))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("profile p is in use by")
        .hasMessageContaining(user.named());
    assertThat(snapshot(store)).isEqualTo(before);

    user.stop().accept(store);
    assertThat(store.deleteProfile("p")).isTrue();
    assertThat(store.profile("p")).isEmpty();
  }

  @Test
  void aRefusalNamesEveryUser() {
    chains("p", "q");
    store.putMachine(Machine.of(A));
    store.putMachine(Machine.of(B));
    profileUsers().forEach(u -> u.use().accept(store));
    store.putProfile(Profile.menu("m2", List.of("p")));
    assertThatThrownBy(() -> store.deleteProfile("p"))
        .isInstanceOf(StoreException.class)
        .hasMessageContainingAll(
            "assignment of 52:54:00:00:00:0a",
            "assignment of 52:54:00:00:00:0b",
            "group g1",
            "the default",
            "menu m1",
            "menu m2");
    assertThat(store.profile("p")).isPresent();
    assertThatThrownBy(() -> store.deleteProfile("q"))
        .hasMessageContaining("menu m1")
        .hasMessageNotContaining("menu m2");
  }

  @Test
  void anUnusedProfileIsDeleted() {
    chains("p", "q");
    long v = store.configVersion();
    assertThat(store.deleteProfile("p")).isTrue();
    assertThat(store.profile("p")).isEmpty();
    assertThat(store.profiles()).extracting(Profile::name).containsExactly("q");
    long after = store.configVersion();
    assertThat(after).isGreaterThan(v);
    assertThat(store.deleteProfile("p")).isFalse();
    assertThat(store.configVersion()).isEqualTo(after);
  }

  // ------------------------------------------------------------------------------ assignments

  @Test
  void assignSetsOnceAndStaticEachReplacingOnlyItsOwnKind() {
    chains("p1", "p2", "p3");
    store.putMachine(Machine.of(A));
    assertThat(store.assignment(A, Assignment.Kind.ONCE)).isEmpty();
    assertThat(store.assignment(A, Assignment.Kind.STATIC)).isEmpty();

    store.assign(new Assignment(A, Assignment.Kind.ONCE, "p1"));
    store.assign(new Assignment(A, Assignment.Kind.STATIC, "p2"));
    assertThat(store.assignment(A, Assignment.Kind.ONCE)).contains("p1");
    assertThat(store.assignment(A, Assignment.Kind.STATIC)).contains("p2");

    store.assign(new Assignment(A, Assignment.Kind.ONCE, "p3"));
    assertThat(store.assignment(A, Assignment.Kind.ONCE)).contains("p3");
    assertThat(store.assignment(A, Assignment.Kind.STATIC)).contains("p2");
    store.assign(new Assignment(A, Assignment.Kind.STATIC, "p1"));
    assertThat(store.assignments())
        .containsExactly(
            new Assignment(A, Assignment.Kind.ONCE, "p3"),
            new Assignment(A, Assignment.Kind.STATIC, "p1"));
    assertThat(store.assignment(B, Assignment.Kind.ONCE)).isEmpty();
  }

  @Test
  void assignmentsAreListedByMacThenOnceBeforeStatic() {
    chains("p");
    for (MacAddress m : List.of(C, A, B)) {
      store.putMachine(Machine.of(m));
    }
    store.assign(new Assignment(C, Assignment.Kind.STATIC, "p"));
    store.assign(new Assignment(A, Assignment.Kind.STATIC, "p"));
    store.assign(new Assignment(B, Assignment.Kind.ONCE, "p"));
    store.assign(new Assignment(A, Assignment.Kind.ONCE, "p"));
    store.assign(new Assignment(C, Assignment.Kind.ONCE, "p"));
    assertThat(store.assignments())
        .extracting(a -> a.mac() + " " + a.kind())
        .containsExactly(A + " ONCE", A + " STATIC", B + " ONCE", C + " ONCE", C + " STATIC");
  }

  @Test
  void clearAssignmentsRemovesAllOfAMachinesOrOnlyThoseNamingAProfile() {
    chains("p", "q");
    for (MacAddress m : List.of(A, B, C)) {
      store.putMachine(Machine.of(m));
      store.assign(new Assignment(m, Assignment.Kind.ONCE, "p"));
    }
    store.assign(new Assignment(A, Assignment.Kind.STATIC, "q"));
    store.assign(new Assignment(B, Assignment.Kind.STATIC, "p"));
    store.assign(new Assignment(C, Assignment.Kind.STATIC, "q"));
    assertThat(store.assignments()).hasSize(6);

    assertThat(store.clearAssignments(A, Optional.of("q"))).isEqualTo(1);
    assertThat(store.clearAssignments(A, Optional.of("nope"))).isZero();
    assertThat(store.clearAssignments(B, Optional.of("p"))).isEqualTo(2);
    assertThat(store.assignments())
        .containsExactly(
            new Assignment(A, Assignment.Kind.ONCE, "p"),
            new Assignment(C, Assignment.Kind.ONCE, "p"),
            new Assignment(C, Assignment.Kind.STATIC, "q"));
    assertThat(store.clearAssignments(C, Optional.empty())).isEqualTo(2);
    assertThat(store.clearAssignments(C, Optional.empty())).isZero();
    assertThat(store.clearAssignments(mac("02:00:00:00:00:01"), Optional.empty())).isZero();
    assertThat(store.assignments()).containsExactly(new Assignment(A, Assignment.Kind.ONCE, "p"));
    assertThat(store.machines()).hasSize(3);
  }

  static Stream<Step> missingReferences() {
    return Stream.of(
        new Step(
            "assign to a machine that does not exist",
            s -> s.assign(new Assignment(C, Assignment.Kind.STATIC, "p"))),
        new Step(
            "assign a once profile that does not exist",
            s -> s.assign(new Assignment(A, Assignment.Kind.ONCE, "nope"))),
        new Step(
            "assign a static profile that does not exist",
            s -> s.assign(new Assignment(A, Assignment.Kind.STATIC, "nope"))),
        new Step("put a group whose profile does not exist", s -> s.putGroup(group("g", "nope"))),
        new Step(
            "set a default that does not exist", s -> s.setDefaultProfile(Optional.of("nope"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("missingReferences")
  void whatNeedsAMissingMachineOrProfileFailsAndChangesNothing(Step step) {
    chains("p");
    store.putMachine(Machine.of(A));
    store.assign(new Assignment(A, Assignment.Kind.ONCE, "p"));
    store.assign(new Assignment(A, Assignment.Kind.STATIC, "p"));
    store.putGroup(group("g", "p"));
    store.setDefaultProfile(Optional.of("p"));
    Snapshot before = snapshot(store);

    assertThatThrownBy(() -> step.run().accept(store)).isInstanceOf(RuntimeException.class);
    assertThat(snapshot(store)).isEqualTo(before);
  }

  // ------------------------------------------------------------------------------ consumeOnce

  @Test
  void consumeOnceTakesTheOnceAssignmentExactlyOnce() {
    chains("p-once", "p-static");
    store.putMachine(Machine.of(A));
    store.assign(new Assignment(A, Assignment.Kind.ONCE, "p-once"));
    store.assign(new Assignment(A, Assignment.Kind.STATIC, "p-static"));

    assertThat(store.consumeOnce(A)).contains("p-once");
    assertThat(store.consumeOnce(A)).isEmpty();
    assertThat(store.assignment(A, Assignment.Kind.ONCE)).isEmpty();
    assertThat(store.assignment(A, Assignment.Kind.STATIC)).contains("p-static");

    store.assign(new Assignment(A, Assignment.Kind.ONCE, "p-static"));
    assertThat(store.consumeOnce(A)).contains("p-static");

    assertThat(store.consumeOnce(B)).isEmpty(); // unknown machine
    assertThat(store.machine(B)).isEmpty();
  }

  @Test
  void consumeOnceHasExactlyOneWinnerAmong32Threads() throws Exception {
    int threads = 32;
    int rounds = 5;
    store.putMachine(Machine.of(A));
    IntStream.range(0, rounds).forEach(r -> chains("p" + r));
    try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      for (int round = 0; round < rounds; round++) {
        String p = "p" + round;
        store.assign(new Assignment(A, Assignment.Kind.ONCE, p));
        assertThat(store.assignment(A, Assignment.Kind.ONCE)).contains(p);
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Optional<String>>> results = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
          results.add(
              pool.submit(
                  () -> {
                    ready.countDown();
                    go.await();
                    return store.consumeOnce(A);
                  }));
        }
        assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
        go.countDown();
        List<String> won = new ArrayList<>();
        for (Future<Optional<String>> f : results) {
          f.get(20, TimeUnit.SECONDS).ifPresent(won::add);
        }
        assertThat(won).as("winners of round %d", round).containsExactly(p);
        assertThat(store.assignment(A, Assignment.Kind.ONCE)).isEmpty();
      }
    }
  }

  @Test
  void consumeOnceHasExactlyOneWinnerAcrossProcesses() throws Exception {
    assumeOtherProcesses();
    chains("p");
    store.putMachine(Machine.of(A));
    Random random = new Random();
    int ours = 0;
    int theirs = 0;
    int rounds = 0;
    try (StoreProcess.Handle other = new StoreProcess.Handle(storeProcessSpec());
        ExecutorService pool = Executors.newCachedThreadPool()) {
      // At least 8 rounds, and on until each process has won one (the start times are
      // jittered so that neither is always first).
      for (; rounds < 8 || (ours == 0 || theirs == 0) && rounds < 80; rounds++) {
        store.assign(new Assignment(A, Assignment.Kind.ONCE, "p"));
        assertThat(store.assignment(A, Assignment.Kind.ONCE)).contains("p");
        long start = StoreProcess.epochMicros() + 30_000;
        long theirDelay = random.nextInt(2_000);
        long ourDelay = random.nextInt(2_000);
        other.post("consume " + A + " 4 " + (start + theirDelay));
        int here = StoreProcess.race(store, pool, A, 4, start + ourDelay);
        String answer = other.answer();
        assertThat(answer).startsWith("won ");
        int there = Integer.parseInt(answer.substring(4));
        assertThat(here + there)
            .as(
                "winners in round %d (this process %d, the other %d;" + " delays %d/%d us)",
                rounds, here, there, ourDelay, theirDelay)
            .isEqualTo(1);
        ours += here;
        theirs += there;
        assertThat(store.assignment(A, Assignment.Kind.ONCE)).isEmpty();
      }
    }
    assertThat(ours).as("rounds won by this process of %d", rounds).isPositive();
    assertThat(theirs).as("rounds won by the other process of %d", rounds).isPositive();
  }

  // ------------------------------------------------------------------------------ default

  @Test
  void theDefaultProfileIsSetReplacedAndCleared() {
    chains("p1", "p2");
    assertThat(store.defaultProfile()).isEmpty();
    store.setDefaultProfile(Optional.of("p1"));
    assertThat(store.defaultProfile()).contains("p1");
    store.setDefaultProfile(Optional.of("p2"));
    assertThat(store.defaultProfile()).contains("p2");
    store.setDefaultProfile(Optional.empty());
    assertThat(store.defaultProfile()).isEmpty();
    store.setDefaultProfile(Optional.empty());
    assertThat(store.defaultProfile()).isEmpty();
    assertThat(store.deleteProfile("p2")).as("no longer the default").isTrue();
  }

  // ------------------------------------------------------------------------------ groups

  @Test
  void groupsComeBackWithTheirSelectorsInNameOrderAndAreReplacedAndDeleted() {
    chains("p1", "p2");
    Group all = group("all", "p1");
    Group labels =
        new Group(
            "Rack-1",
            "p1",
            Map.of("rack", "r1", "role", "db é"),
            Optional.empty(),
            Optional.empty());
    Group arch = new Group("arm", "p2", Map.of(), Optional.of(Arch.ARM64), Optional.empty());
    Group everything =
        new Group(
            "vendor",
            "p2",
            Map.of("rack", "r2"),
            Optional.of(Arch.X86_64),
            Optional.of("52-54-00"));
    for (Group g : List.of(everything, all, arch, labels)) {
      store.putGroup(g);
    }
    assertThat(store.groups()).containsExactly(labels, all, arch, everything);
    assertThat(store.groups().get(3).macPrefix()).contains("52:54:00");
    assertThat(store.groups().get(3).selector()).isEqualTo("arch=x86_64,mac=52:54:00,rack=r2");

    Group arch2 =
        new Group("arm", "p1", Map.of("k", "v"), Optional.of(Arch.ARM32), Optional.of("02"));
    store.putGroup(arch2);
    assertThat(store.groups()).containsExactly(labels, all, arch2, everything);

    assertThat(store.deleteGroup("arm")).isTrue();
    assertThat(store.deleteGroup("arm")).isFalse();
    assertThat(store.groups()).containsExactly(labels, all, everything);
  }

  @Test
  void firmwareSettingsOfGroupsAndLoadersOfProfilesComeBackAndAreReplaced() {
    Profile signed =
        Profile.kernel("signed", "http://10.0.0.1/vmlinuz", List.of(), "quiet")
            .withLoader(Optional.of(FirmwareSettings.Loader.SHIM_GRUB));
    store.putProfile(signed);
    store.putProfile(Profile.localDisk("disk"));
    assertThat(store.profile("signed")).contains(signed);
    assertThat(store.profile("disk").orElseThrow().loader()).isEmpty();
    store.putProfile(signed.withLoader(Optional.empty()));
    assertThat(store.profile("signed").orElseThrow().loader()).isEmpty();

    FirmwareSettings fw = FirmwareSettings.parse("loader=shim-grub,efi-exit=success");
    Group g = new Group("sb", "signed", Map.of(), Optional.of(Arch.X86_64), Optional.empty(), fw);
    store.putGroup(g);
    store.putGroup(group("plain", "disk"));
    assertThat(store.groups()).contains(g);
    assertThat(store.groups().stream().filter(x -> x.name().equals("sb")).findFirst().orElseThrow())
        .extracting(Group::firmware)
        .isEqualTo(fw);
    assertThat(
            store.groups().stream()
                .filter(x -> x.name().equals("plain"))
                .findFirst()
                .orElseThrow()
                .firmware()
                .isEmpty())
        .isTrue();
    Group g2 =
        new Group(
            "sb",
            "signed",
            Map.of(),
            Optional.of(Arch.X86_64),
            Optional.empty(),
            FirmwareSettings.NONE);
    store.putGroup(g2);
    assertThat(store.groups()).contains(g2);
  }

  // ------------------------------------------------------------------------------ configVersion

  /** The common starting point: profiles p and q, a group g and the default p. */
  void configured() {
    chains("p", "q");
    store.putGroup(group("g", "p"));
    store.setDefaultProfile(Optional.of("p"));
    store.putMachine(Machine.of(A));
  }

  static Stream<Step> configChanges() {
    return Stream.of(
        new Step("add a profile", s -> s.putProfile(chain("r"))),
        new Step("change a profile", s -> s.putProfile(Profile.localDisk("p"))),
        new Step("put a profile unchanged", s -> s.putProfile(chain("p"))),
        new Step("delete a profile", s -> s.deleteProfile("q")),
        new Step("add a group", s -> s.putGroup(group("h", "q"))),
        new Step("change a group", s -> s.putGroup(group("g", "q"))),
        new Step("put a group unchanged", s -> s.putGroup(group("g", "p"))),
        new Step("delete a group", s -> s.deleteGroup("g")),
        new Step("change the default", s -> s.setDefaultProfile(Optional.of("q"))),
        new Step("set the default unchanged", s -> s.setDefaultProfile(Optional.of("p"))),
        new Step("clear the default", s -> s.setDefaultProfile(Optional.empty())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configChanges")
  void configVersionIncreasesOnEveryConfigurationChange(Step change) {
    configured();
    long before = store.configVersion();
    change.run().accept(store);
    long after = store.configVersion();
    assertThat(after).isGreaterThan(before);
    assertThat(store.bootView(A).configVersion()).isEqualTo(after);
    assertThat(store.bootView(B).configVersion()).isEqualTo(after);
  }

  @Test
  void settingADefaultWhereThereWasNoneIsAConfigurationChange() {
    chains("p");
    long before = store.configVersion();
    store.setDefaultProfile(Optional.of("p"));
    assertThat(store.configVersion()).isGreaterThan(before);
  }

  static Stream<Step> notConfigChanges() {
    BootEvent event =
        new BootEvent(
            0,
            Instant.EPOCH,
            Optional.of(A),
            "10.0.0.1",
            BootEvent.Match.NONE,
            "no match",
            Optional.empty(),
            "http",
            false);
    return Stream.of(
        new Step(
            "put a machine",
            s -> {
              s.putMachine(full(B, "10.0.0.2"));
              done(s.machine(B).isPresent());
            }),
        new Step("register a machine", s -> done(s.registerMachine(Machine.of(B)))),
        new Step(
            "update what a machine said",
            s -> {
              s.updateSeen(withIp(A, "10.0.0.3"));
              done(s.machineByIp("10.0.0.3").isPresent());
            }),
        new Step("delete a machine", s -> done(s.deleteMachine(A))),
        new Step(
            "assign once",
            s -> {
              s.assign(new Assignment(A, Assignment.Kind.ONCE, "q"));
              done(s.assignment(A, Assignment.Kind.ONCE).isPresent());
            }),
        new Step(
            "assign static",
            s -> {
              s.assign(new Assignment(A, Assignment.Kind.STATIC, "q"));
              done(s.assignment(A, Assignment.Kind.STATIC).isPresent());
            }),
        new Step(
            "consume a once",
            s -> {
              s.assign(new Assignment(A, Assignment.Kind.ONCE, "q"));
              done(s.consumeOnce(A).isPresent());
            }),
        new Step(
            "clear assignments",
            s -> {
              s.assign(new Assignment(A, Assignment.Kind.STATIC, "q"));
              done(s.clearAssignments(A, Optional.empty()) == 1);
            }),
        new Step(
            "append events",
            s -> {
              s.appendEvents(List.of(event, event));
              done(s.events(Optional.empty(), 0, 10).size() == 2);
            }),
        new Step("delete a profile that does not exist", s -> done(!s.deleteProfile("nope"))),
        new Step("delete a group that does not exist", s -> done(!s.deleteGroup("nope"))),
        new Step(
            "refuse to delete a profile in use",
            s -> {
              try {
                s.deleteProfile("p");
              } catch (StoreException expected) {
                return;
              }
              throw new AssertionError("deleteProfile(p) was not refused");
            }),
        new Step(
            "fail to put a group without its profile",
            s -> {
              try {
                s.putGroup(group("g", "nope"));
              } catch (RuntimeException expected) {
                return;
              }
              throw new AssertionError("putGroup was not refused");
            }),
        new Step(
            "read everything",
            s -> {
              s.machines();
              s.profiles();
              s.groups();
              s.assignments();
              s.bootView(A);
              s.events(Optional.empty(), 0, 10);
            }));
  }

  /** A step's check that it really did what it says. */
  static void done(boolean happened) {
    if (!happened) {
      throw new AssertionError("the step did not happen");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("notConfigChanges")
  void configVersionIsUnchangedByEverythingElse(Step step) {
    configured();
    Snapshot before = snapshot(store);
    step.run().accept(store);
    assertThat(store.configVersion()).isEqualTo(before.configVersion());
    assertThat(store.bootView(A).configVersion()).isEqualTo(before.configVersion());
  }

  @Test
  void clearingADefaultThatIsNotSetIsNoChange() {
    chains("p");
    long before = store.configVersion();
    store.setDefaultProfile(Optional.empty());
    assertThat(store.configVersion()).isEqualTo(before);
  }

  // ------------------------------------------------------------------------------ bootView

  @Test
  void bootViewHasTheMachineItsOnceAndStaticAndTheConfigVersion() {
    chains("p-once", "p-static");
    Machine m = full(A, "10.0.0.1");
    store.putMachine(m);
    assertThat(store.bootView(A))
        .isEqualTo(
            new BootView(
                Optional.of(m), Optional.empty(), Optional.empty(), store.configVersion()));

    store.assign(new Assignment(A, Assignment.Kind.ONCE, "p-once"));
    store.assign(new Assignment(A, Assignment.Kind.STATIC, "p-static"));
    assertThat(store.bootView(A))
        .isEqualTo(
            new BootView(
                Optional.of(m),
                Optional.of("p-once"),
                Optional.of("p-static"),
                store.configVersion()));

    long v = store.configVersion();
    store.putProfile(Profile.localDisk("p-static"));
    assertThat(store.bootView(A).configVersion()).isGreaterThan(v).isEqualTo(store.configVersion());

    store.consumeOnce(A);
    assertThat(store.bootView(A).onceProfile()).isEmpty();
    Machine relabelled = m.withLabels(Map.of("rack", "r2"));
    store.putMachine(relabelled);
    assertThat(store.bootView(A))
        .isEqualTo(
            new BootView(
                Optional.of(relabelled),
                Optional.empty(),
                Optional.of("p-static"),
                store.configVersion()));
  }

  @Test
  void bootViewOfAnUnknownMachineIsEmptyWithTheCurrentConfigVersion() {
    store.putMachine(Machine.of(A));
    assertThat(store.bootView(B))
        .isEqualTo(
            new BootView(
                Optional.empty(), Optional.empty(), Optional.empty(), store.configVersion()));
    chains("p");
    chains("q");
    assertThat(store.bootView(B))
        .isEqualTo(
            new BootView(
                Optional.empty(), Optional.empty(), Optional.empty(), store.configVersion()));
    assertThat(store.configVersion()).isGreaterThan(0);
    store.registerMachine(Machine.of(B));
    assertThat(store.bootView(B).machine()).contains(Machine.of(B));
  }

  @Test
  void bootViewSeesEveryChangeMadeThroughAnotherHandle() {
    chains("p-once", "p-static");
    store.putMachine(Machine.of(A));
    store.assign(new Assignment(A, Assignment.Kind.STATIC, "p-static"));
    Store other = another();
    BootView first = store.bootView(A);
    assertThat(store.bootView(A)).isEqualTo(first); // cached, if the store caches
    assertThat(other.bootView(A)).isEqualTo(first);

    other.assign(new Assignment(A, Assignment.Kind.ONCE, "p-once"));
    seen(() -> assertThat(store.bootView(A).onceProfile()).contains("p-once"));
    assertThat(other.consumeOnce(A)).contains("p-once");
    seen(() -> assertThat(store.bootView(A).onceProfile()).isEmpty());

    other.putMachine(Machine.of(A).withLabels(Map.of("rack", "r7")));
    seen(
        () ->
            assertThat(store.bootView(A).machine().orElseThrow().labels())
                .containsEntry("rack", "r7"));

    long v = store.bootView(A).configVersion();
    other.putProfile(Profile.localDisk("p-static"));
    seen(
        () ->
            assertThat(store.bootView(A).configVersion())
                .isGreaterThan(v)
                .isEqualTo(other.configVersion()));
    assertThat(store.profile("p-static")).contains(Profile.localDisk("p-static"));

    other.clearAssignments(A, Optional.empty());
    seen(() -> assertThat(store.bootView(A).staticProfile()).isEmpty());
    other.deleteMachine(A);
    seen(() -> assertThat(store.bootView(A).machine()).isEmpty());
    assertThat(store.bootView(B).machine()).isEmpty();
    other.registerMachine(Machine.of(B));
    seen(() -> assertThat(store.bootView(B).machine()).isPresent());
  }

  @Test
  void bootViewSeesEveryChangeMadeByAnotherProcess() throws Exception {
    assumeOtherProcesses();
    chains("p-once", "p-static");
    store.putMachine(Machine.of(A));
    store.assign(new Assignment(A, Assignment.Kind.STATIC, "p-static"));
    BootView first = store.bootView(A);
    assertThat(store.bootView(A)).isEqualTo(first);
    try (StoreProcess.Handle other = new StoreProcess.Handle(storeProcessSpec())) {
      assertThat(other.send("once " + A + " p-once")).isEqualTo("ok");
      seen(() -> assertThat(store.bootView(A).onceProfile()).contains("p-once"));
      assertThat(other.send("static " + A + " p-once")).isEqualTo("ok");
      seen(() -> assertThat(store.bootView(A).staticProfile()).contains("p-once"));

      long v = store.bootView(A).configVersion();
      assertThat(other.send("chain p-new http://example.invalid/new")).isEqualTo("ok");
      seen(
          () ->
              assertThat(store.bootView(A).configVersion())
                  .isGreaterThan(v)
                  .isEqualTo(store.configVersion()));
      assertThat(store.bootView(B).machine()).isEmpty();
      assertThat(other.send("machine " + B)).isEqualTo("ok");
      seen(() -> assertThat(store.bootView(B).machine()).contains(Machine.of(B)));
    }
  }

  @Test
  void ownChangesAreSeenAtOnceEvenAfterTheViewWasCached() {
    chains("p-once", "p-static");
    store.putMachine(Machine.of(A));
    assertThat(store.bootView(A).staticProfile()).isEmpty();
    assertThat(store.bootView(A).staticProfile()).isEmpty(); // cached
    store.assign(new Assignment(A, Assignment.Kind.STATIC, "p-static"));
    assertThat(store.bootView(A).staticProfile()).contains("p-static");
    store.assign(new Assignment(A, Assignment.Kind.ONCE, "p-once"));
    assertThat(store.bootView(A).onceProfile()).contains("p-once");
    assertThat(store.consumeOnce(A)).contains("p-once");
    assertThat(store.bootView(A).onceProfile()).isEmpty();
    long v = store.bootView(A).configVersion();
    store.putProfile(Profile.localDisk("p-static"));
    assertThat(store.bootView(A).configVersion()).isGreaterThan(v);
    store.deleteMachine(A);
    assertThat(store.bootView(A).machine()).isEmpty();
  }

  // ------------------------------------------------------------------------------ once + event

  static BootEvent onceEvent(String profile) {
    return new BootEvent(
        0,
        Instant.parse("2031-02-03T04:05:06.789Z"),
        Optional.of(A),
        "10.0.0.7",
        BootEvent.Match.ONCE,
        "once assignment",
        Optional.of(profile),
        "http",
        true);
  }

  @Test
  void consumeOnceWithItsEventTakesItOnceAndTheEventIsStoredOrHandedBack() {
    chains("p-once");
    store.putMachine(Machine.of(A));
    assertThat(store.consumeOnce(A, StoreContract::onceEvent)).isEmpty();
    assertThat(store.events(Optional.empty(), 0, 10)).isEmpty();

    store.assign(new Assignment(A, Assignment.Kind.ONCE, "p-once"));
    Optional<BootEvent> taken = store.consumeOnce(A, StoreContract::onceEvent);
    assertThat(taken).isPresent();
    BootEvent e = taken.get();
    assertThat(withId(e, 0)).isEqualTo(onceEvent("p-once"));
    if (e.id() != 0) { // stored with the consumption
      assertThat(store.events(Optional.empty(), 0, 10)).containsExactly(e);
    } else {
      assertThat(store.events(Optional.empty(), 0, 10)).isEmpty();
    }
    assertThat(store.consumeOnce(A, StoreContract::onceEvent)).isEmpty();
    assertThat(store.assignment(A, Assignment.Kind.ONCE)).isEmpty();
  }

  @Test
  void consumeOnceWithItsEventHasExactlyOneWinnerAmong16ThreadsOnTwoHandles() throws Exception {
    chains("p");
    store.putMachine(Machine.of(A));
    Store other = another();
    try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
      for (int round = 0; round < 5; round++) {
        store.assign(new Assignment(A, Assignment.Kind.ONCE, "p"));
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Optional<BootEvent>>> results = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
          Store s = i % 2 == 0 ? store : other;
          results.add(
              pool.submit(
                  () -> {
                    go.await();
                    return s.consumeOnce(A, StoreContract::onceEvent);
                  }));
        }
        go.countDown();
        int won = 0;
        for (Future<Optional<BootEvent>> f : results) {
          won += f.get(20, TimeUnit.SECONDS).isPresent() ? 1 : 0;
        }
        assertThat(won).as("winners of round %d", round).isEqualTo(1);
      }
    }
    List<BootEvent> stored = store.events(Optional.empty(), 0, 100);
    assertThat(stored.size())
        .as("one event per round, or none where events are handed back")
        .isIn(0, 5);
  }

  // ------------------------------------------------------------------------------ events

  static BootEvent event(int i, Optional<MacAddress> mac) {
    return new BootEvent(
        0,
        Instant.parse("2031-02-03T04:05:06.789Z").plusSeconds(i),
        mac,
        "10.0.0." + (i % 250),
        BootEvent.Match.values()[i % BootEvent.Match.values().length],
        "e" + i,
        i % 3 == 0 ? Optional.empty() : Optional.of("p" + i),
        "http",
        i % 5 == 0);
  }

  static BootEvent withId(BootEvent e, long id) {
    return e.withId(id);
  }

  @Test
  void everyFieldOfAnEventComesBackAndIdsIncrease() {
    Instant t = Instant.parse("2031-02-03T04:05:06.789Z");
    List<BootEvent> in = new ArrayList<>();
    in.add(
        new BootEvent(
            999,
            t,
            Optional.of(A),
            "10.0.0.7",
            BootEvent.Match.GROUP,
            "group rack (rack=r1) é\nsecond line",
            Optional.of("no-such-profile"),
            "pxesrv",
            false));
    in.add(
        new BootEvent(
            0,
            t.plusMillis(1),
            Optional.empty(),
            "fe80::1%eth0",
            BootEvent.Match.NONE,
            "",
            Optional.empty(),
            "dhcp",
            false));
    in.add(
        new BootEvent(
            0,
            t.plusSeconds(1),
            Optional.of(B),
            "10.0.0.8",
            BootEvent.Match.ONCE,
            "once assignment",
            Optional.of("p"),
            "tftp",
            true));
    // a stage with its details, in their order (not sorted), and one with an odd value
    Map<String, String> detail = new java.util.LinkedHashMap<>();
    detail.put("file", "snponly.efi");
    detail.put("blksize", "1468");
    detail.put("bytes", "1048576");
    detail.put("result", "timeout \"quoted\" é\n");
    for (BootEvent.Stage st : BootEvent.Stage.values()) {
      in.add(
          new BootEvent(
              0,
              t.plusSeconds(3),
              Optional.of(C),
              "10.0.0.9",
              st == BootEvent.Stage.SCRIPT ? BootEvent.Match.STATIC : BootEvent.Match.STAGE,
              st.label() + " summary",
              Optional.empty(),
              "tftp",
              false,
              st,
              st == BootEvent.Stage.TFTP ? detail : Map.of()));
    }
    for (BootEvent.Match m : BootEvent.Match.values()) {
      in.add(
          new BootEvent(
              0,
              t.plusSeconds(2),
              Optional.of(C),
              "10.0.0.9",
              m,
              m.name(),
              Optional.of("p"),
              "http",
              m == BootEvent.Match.ONCE));
    }
    store.appendEvents(in);
    store.appendEvents(List.of());

    List<BootEvent> out = store.events(Optional.empty(), 0, 1000);
    assertThat(out).hasSize(in.size());
    assertThat(out.get(0).id()).isPositive();
    for (int i = 0; i < in.size(); i++) {
      assertThat(out.get(i)).isEqualTo(withId(in.get(i), out.get(i).id()));
      assertThat(List.copyOf(out.get(i).detail().keySet()))
          .as("detail order")
          .isEqualTo(List.copyOf(in.get(i).detail().keySet()));
      if (i > 0) {
        assertThat(out.get(i).id()).isGreaterThan(out.get(i - 1).id());
      }
    }
    assertThat(store.machines()).as("events need no machine").isEmpty();

    store.appendEvents(List.of(in.get(0)));
    assertThat(store.events(Optional.empty(), out.get(out.size() - 1).id(), 10))
        .singleElement()
        .satisfies(e -> assertThat(e.id()).isGreaterThan(out.get(out.size() - 1).id()));
  }

  @Test
  void eventTimesAreKeptToTheMillisecond() {
    store.appendEvents(
        List.of(
            new BootEvent(
                0,
                Instant.parse("2031-02-03T04:05:06.789654321Z"),
                Optional.of(A),
                "10.0.0.1",
                BootEvent.Match.NONE,
                "r",
                Optional.empty(),
                "http",
                false)));
    assertThat(store.recentEvents(Optional.empty(), 1))
        .singleElement()
        .satisfies(e -> assertThat(e.time()).isEqualTo(Instant.parse("2031-02-03T04:05:06.789Z")));
  }

  /** 23 events in three batches: A's, B's and ones without a MAC, interleaved. */
  List<BootEvent> appendMixedEvents() {
    List<BootEvent> all = new ArrayList<>();
    List<Optional<MacAddress>> macs = List.of(Optional.of(A), Optional.of(B), Optional.empty());
    for (int i = 0; i < 23; i++) {
      all.add(event(i, macs.get(i % 3)));
    }
    store.appendEvents(all.subList(0, 9));
    store.appendEvents(all.subList(9, 10));
    store.appendEvents(all.subList(10, 23));
    return all;
  }

  List<BootEvent> pageThrough(Optional<MacAddress> mac, int limit) {
    List<BootEvent> seen = new ArrayList<>();
    long after = 0;
    for (int pages = 0; pages < 100; pages++) {
      List<BootEvent> page = store.events(mac, after, limit);
      assertThat(page.size()).isLessThanOrEqualTo(limit);
      if (page.isEmpty()) {
        return seen;
      }
      seen.addAll(page);
      after = page.get(page.size() - 1).id();
    }
    throw new AssertionError("paging does not end");
  }

  @Test
  void eventPagesAreOldestFirstAndCoverEveryEventExactlyOnce() {
    List<BootEvent> in = appendMixedEvents();
    List<BootEvent> all = store.events(Optional.empty(), 0, 1000);
    assertThat(all)
        .extracting(BootEvent::reason)
        .containsExactlyElementsOf(in.stream().map(BootEvent::reason).toList());
    for (int limit : List.of(1, 5, 23, 50)) {
      assertThat(pageThrough(Optional.empty(), limit)).as("pages of %d", limit).isEqualTo(all);
    }
    List<BootEvent> ofA = all.stream().filter(e -> e.mac().equals(Optional.of(A))).toList();
    assertThat(ofA).hasSize(8);
    assertThat(pageThrough(Optional.of(A), 3)).isEqualTo(ofA);
    assertThat(store.events(Optional.of(A), ofA.get(2).id(), 2))
        .containsExactly(ofA.get(3), ofA.get(4));
    assertThat(store.events(Optional.of(C), 0, 10)).isEmpty();
    assertThat(store.events(Optional.empty(), all.get(22).id(), 10)).isEmpty();
    assertThat(store.events(Optional.empty(), 0, 0)).isEmpty();
  }

  @Test
  void recentEventsAreTheNewestOnesOldestFirst() {
    appendMixedEvents();
    List<BootEvent> all = store.events(Optional.empty(), 0, 1000);
    assertThat(all).hasSize(23);
    assertThat(store.recentEvents(Optional.empty(), 5)).isEqualTo(all.subList(18, 23));
    assertThat(store.recentEvents(Optional.empty(), 100)).isEqualTo(all);
    List<BootEvent> ofB = all.stream().filter(e -> e.mac().equals(Optional.of(B))).toList();
    assertThat(ofB).hasSize(8);
    assertThat(store.recentEvents(Optional.of(B), 3)).isEqualTo(ofB.subList(5, 8));
    assertThat(store.recentEvents(Optional.of(C), 3)).isEmpty();
    assertThat(store.recentEvents(Optional.empty(), 0)).isEmpty();
  }

  // ------------------------------------------------------------------------------ install holds

  static final Supplier<String> NO_TOKEN =
      () -> {
        throw new AssertionError("a token was asked for an ordinary once-assignment");
      };

  @Test
  void anOrdinaryOnceIsConsumedByTakeOnceWithoutAToken() {
    chains("p");
    store.putMachine(Machine.of(A));
    store.assign(new Assignment(A, Assignment.Kind.ONCE, "p"));
    assertThat(store.takeOnce(A, NO_TOKEN)).contains(new BootStore.Consumed("p"));
    assertThat(store.takeOnce(A, NO_TOKEN)).isEmpty();
    assertThat(store.assignment(A, Assignment.Kind.ONCE)).isEmpty();
    assertThat(store.installHold(A)).isEmpty();
    assertThat(store.takeOnce(B, NO_TOKEN)).isEmpty(); // unknown machine
  }

  @Test
  void aHeldOnceStaysCountsItsBootsAndEndsWithItsCallbackOnce() {
    chains("install", "disk");
    store.putMachine(Machine.of(A));
    store.assign(new Assignment(A, Assignment.Kind.STATIC, "disk"));
    store.holdOnce(A, "install", 3);
    assertThat(store.installHold(A))
        .get()
        .satisfies(
            h -> {
              assertThat(h.state()).isEqualTo(InstallHold.State.HOLDING);
              assertThat(h.boots()).isZero();
              assertThat(h.maxBoots()).isEqualTo(3);
              assertThat(h.profile()).isEqualTo("install");
            });
    assertThat(store.bootView(A).onceProfile()).contains("install");

    assertThat(store.takeOnce(A, () -> "h1")).contains(new BootStore.Held("install", 1, 3));
    assertThat(store.takeOnce(A, () -> "h2")).contains(new BootStore.Held("install", 2, 3));
    assertThat(store.assignment(A, Assignment.Kind.ONCE)).contains("install");
    assertThat(store.installHold(A).orElseThrow().boots()).isEqualTo(2);

    // boot 1's URL ends it (the installer of any held boot may call back) ...
    assertThat(store.confirmInstall("h1")).isEqualTo(new BootStore.Confirmed(A, "install", 2));
    assertThat(store.assignment(A, Assignment.Kind.ONCE)).isEmpty();
    assertThat(store.assignment(A, Assignment.Kind.STATIC)).contains("disk");
    assertThat(store.bootView(A).onceProfile()).isEmpty();
    assertThat(store.installHold(A).orElseThrow().state()).isEqualTo(InstallHold.State.DONE);
    // ... once: every URL of the install is spent
    assertThat(store.confirmInstall("h1"))
        .isInstanceOf(BootStore.Refused.class)
        .extracting(r -> ((BootStore.Refused) r).mac())
        .isEqualTo(Optional.of(A));
    assertThat(store.confirmInstall("h2")).isInstanceOf(BootStore.Refused.class);
    assertThat(store.confirmInstall("nope"))
        .isEqualTo(new BootStore.Refused(Optional.empty(), "no such callback"));
    assertThat(store.takeOnce(A, NO_TOKEN)).isEmpty();
  }

  @Test
  void aHeldOnceBootedPastItsMaximumIsAnInstallLoop() {
    chains("install");
    store.putMachine(Machine.of(A));
    store.holdOnce(A, "install", 2);
    assertThat(store.takeOnce(A, () -> "h1")).contains(new BootStore.Held("install", 1, 2));
    assertThat(store.takeOnce(A, () -> "h2")).contains(new BootStore.Held("install", 2, 2));
    assertThat(store.takeOnce(A, NO_TOKEN)).contains(new BootStore.Loop("install", 2));
    assertThat(store.assignment(A, Assignment.Kind.ONCE)).isEmpty();
    assertThat(store.installHold(A).orElseThrow().state()).isEqualTo(InstallHold.State.LOOP);
    assertThat(store.takeOnce(A, NO_TOKEN)).isEmpty();
    // a late callback does not undo the flag
    assertThat(store.confirmInstall("h2")).isInstanceOf(BootStore.Refused.class);
    assertThat(store.installHold(A).orElseThrow().state()).isEqualTo(InstallHold.State.LOOP);
    assertThat(store.installHolds()).extracting(InstallHold::mac).containsExactly(A);
  }

  /** takeOnce with the boot's event, as the boot core calls it; the event as onceEvent's. */
  private Optional<BootEvent> takeWithEvent(Store s, MacAddress mac, Supplier<String> token) {
    return s.takeOnce(
        mac,
        token,
        t -> {
          BootEvent e = onceEvent(t.profile());
          return new BootEvent(
              0,
              e.time(),
              Optional.of(mac),
              e.clientIp(),
              e.match(),
              t.getClass().getSimpleName(),
              e.profile(),
              e.protocol(),
              !(t instanceof BootStore.Held));
        });
  }

  @Test
  void takeOnceWithItsEventDecidesFromWhatWasTakenAndStoresTheEventWithIt() {
    chains("p", "install");
    for (MacAddress m : List.of(A, B, C)) {
      store.putMachine(Machine.of(m));
    }
    store.assign(new Assignment(A, Assignment.Kind.ONCE, "p"));
    store.holdOnce(B, "install", 1);
    assertThat(takeWithEvent(store, C, NO_TOKEN)).as("nothing to take").isEmpty();

    Optional<BootEvent> a = takeWithEvent(store, A, NO_TOKEN);
    assertThat(a).get().extracting(BootEvent::reason).isEqualTo("Consumed");
    Optional<BootEvent> b1 = takeWithEvent(store, B, () -> "b1");
    assertThat(b1).get().extracting(BootEvent::reason).isEqualTo("Held");
    Optional<BootEvent> b2 = takeWithEvent(store, B, NO_TOKEN);
    assertThat(b2).get().extracting(BootEvent::reason).isEqualTo("Loop");
    assertThat(takeWithEvent(store, A, NO_TOKEN)).isEmpty();
    assertThat(takeWithEvent(store, B, NO_TOKEN)).isEmpty();

    assertThat(store.assignment(A, Assignment.Kind.ONCE)).isEmpty();
    assertThat(store.assignment(B, Assignment.Kind.ONCE)).isEmpty();
    assertThat(store.installHold(B).orElseThrow().state()).isEqualTo(InstallHold.State.LOOP);
    assertThat(store.confirmInstall("b1"))
        .as("the loop spent the held boot's URL")
        .isInstanceOf(BootStore.Refused.class);
    List<BootEvent> taken = List.of(a.get(), b1.get(), b2.get());
    if (taken.get(0).id() != 0) { // stored with the consumption, in order
      assertThat(store.events(Optional.empty(), 0, 10)).containsExactlyElementsOf(taken);
    } else {
      assertThat(store.events(Optional.empty(), 0, 10)).isEmpty();
    }
  }

  @Test
  void takeOnceWithItsEventUnderConcurrencyGivesEachOnceToOneAndCountsEveryHeldBoot()
      throws Exception {
    chains("p", "install");
    Store other = another();
    List<MacAddress> macs = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      MacAddress m = MacAddress.parse(String.format("52:54:00:cc:00:%02x", i)).orElseThrow();
      macs.add(m);
      store.putMachine(Machine.of(m));
      store.assign(new Assignment(m, Assignment.Kind.ONCE, "p"));
    }
    store.putMachine(Machine.of(A));
    store.holdOnce(A, "install", 100);
    AtomicInteger tokens = new AtomicInteger();
    try (ExecutorService pool = Executors.newFixedThreadPool(32)) {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Optional<BootEvent>>> ordinary = new ArrayList<>();
      List<Future<Optional<BootEvent>>> held = new ArrayList<>();
      for (int round = 0; round < 4; round++) {
        for (int i = 0; i < macs.size(); i++) {
          Store s = (i + round) % 2 == 0 ? store : other;
          MacAddress m = macs.get(i);
          ordinary.add(
              pool.submit(
                  () -> {
                    go.await();
                    return takeWithEvent(s, m, NO_TOKEN);
                  }));
        }
        for (int i = 0; i < 5; i++) {
          Store s = i % 2 == 0 ? store : other;
          held.add(
              pool.submit(
                  () -> {
                    go.await();
                    return takeWithEvent(s, A, () -> "t" + tokens.incrementAndGet());
                  }));
        }
      }
      go.countDown();
      Map<MacAddress, Integer> won = new HashMap<>();
      for (Future<Optional<BootEvent>> f : ordinary) {
        f.get(30, TimeUnit.SECONDS)
            .ifPresent(e -> won.merge(e.mac().orElseThrow(), 1, Integer::sum));
      }
      assertThat(won)
          .as("winners per machine")
          .hasSize(macs.size())
          .allSatisfy((m, n) -> assertThat(n).isEqualTo(1));
      int heldBoots = 0;
      for (Future<Optional<BootEvent>> f : held) {
        assertThat(f.get(30, TimeUnit.SECONDS)).as("a held once stays for every boot").isPresent();
        heldBoots++;
      }
      assertThat(store.installHold(A).orElseThrow().boots()).isEqualTo(heldBoots).isEqualTo(20);
    }
    for (MacAddress m : macs) {
      assertThat(store.assignment(m, Assignment.Kind.ONCE)).isEmpty();
    }
    List<BootEvent> stored = store.events(Optional.empty(), 0, 1000);
    assertThat(stored.size())
        .as("an event per win, or none where events are handed back")
        .isIn(0, 60);
  }

  @Test
  void aNewOnceOrClearingEndsAHoldAndSpendsItsUrls() {
    chains("install", "other");
    store.putMachine(Machine.of(A));
    store.putMachine(Machine.of(B));
    store.holdOnce(A, "install", 3);
    assertThat(store.takeOnce(A, () -> "a1")).isPresent();
    store.assign(new Assignment(A, Assignment.Kind.ONCE, "other")); // an ordinary once
    assertThat(store.installHold(A)).isEmpty();
    assertThat(store.confirmInstall("a1")).isInstanceOf(BootStore.Refused.class);
    assertThat(store.takeOnce(A, NO_TOKEN)).contains(new BootStore.Consumed("other"));

    store.holdOnce(B, "install", 3);
    assertThat(store.takeOnce(B, () -> "b1")).isPresent();
    assertThat(store.clearAssignments(B, Optional.of("other"))).isZero(); // not its once
    assertThat(store.installHold(B)).isPresent();
    assertThat(store.clearAssignments(B, Optional.empty())).isEqualTo(1);
    assertThat(store.installHold(B)).isEmpty();
    assertThat(store.confirmInstall("b1")).isInstanceOf(BootStore.Refused.class);

    store.holdOnce(B, "install", 3);
    assertThat(store.takeOnce(B, () -> "b2")).isPresent();
    assertThat(store.deleteMachine(B)).isTrue();
    assertThat(store.installHolds()).isEmpty();
    assertThat(store.confirmInstall("b2"))
        .isEqualTo(new BootStore.Refused(Optional.empty(), "no such callback"));
  }

  @Test
  void aCallbackHasExactlyOneWinnerAmong16Threads() throws Exception {
    chains("install");
    store.putMachine(Machine.of(A));
    store.holdOnce(A, "install", 3);
    assertThat(store.takeOnce(A, () -> "t")).isPresent();
    int threads = 16;
    try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<BootStore.CallbackResult>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  return store.confirmInstall("t");
                }));
      }
      go.countDown();
      int won = 0;
      for (Future<BootStore.CallbackResult> f : results) {
        if (f.get(20, TimeUnit.SECONDS) instanceof BootStore.Confirmed) {
          won++;
        }
      }
      assertThat(won).isEqualTo(1);
    }
  }

  @Test
  void concurrentBootsOfAHeldInstallEachCountOnce() throws Exception {
    chains("install");
    store.putMachine(Machine.of(A));
    store.holdOnce(A, "install", 3);
    int threads = 8;
    try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Optional<BootStore.OnceTaken>>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        String token = "c" + i;
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  return store.takeOnce(A, () -> token);
                }));
      }
      go.countDown();
      List<BootStore.OnceTaken> taken = new ArrayList<>();
      for (Future<Optional<BootStore.OnceTaken>> f : results) {
        f.get(20, TimeUnit.SECONDS).ifPresent(taken::add);
      }
      assertThat(taken)
          .containsExactlyInAnyOrder(
              new BootStore.Held("install", 1, 3),
              new BootStore.Held("install", 2, 3),
              new BootStore.Held("install", 3, 3),
              new BootStore.Loop("install", 3));
    }
  }

  @Test
  void findEventsFiltersByMachineProfileMatchAndTimeAndPagesBothWays() {
    appendMixedEvents();
    List<BootEvent> all = store.events(Optional.empty(), 0, 1000);
    java.util.function.Function<EventFilter, List<BootEvent>> expect =
        f -> all.stream().filter(f::matches).toList();
    EventFilter base = EventFilter.newest(1000);
    List<EventFilter> filters =
        List.of(
            base,
            base.withMac(Optional.of(A)),
            new EventFilter(
                Optional.empty(),
                Optional.of("p4"),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                java.util.OptionalLong.empty(),
                java.util.OptionalLong.empty(),
                1000),
            new EventFilter(
                Optional.of(B),
                Optional.empty(),
                Optional.of(BootEvent.Match.ONCE),
                Optional.empty(),
                Optional.empty(),
                java.util.OptionalLong.empty(),
                java.util.OptionalLong.empty(),
                1000),
            new EventFilter(
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.of(all.get(5).time()),
                Optional.of(all.get(15).time()),
                java.util.OptionalLong.empty(),
                java.util.OptionalLong.empty(),
                1000));
    for (EventFilter f : filters) {
      List<BootEvent> want = expect.apply(f);
      assertThat(store.findEvents(f)).as(f.toString()).isEqualTo(want);
      // Reading back from the newest, 2 at a time, then forward from the oldest: the same.
      List<BootEvent> back = new ArrayList<>();
      List<BootEvent> page = store.findEvents(f.withLimit(2));
      while (!page.isEmpty()) {
        assertThat(page.size()).isLessThanOrEqualTo(2);
        back.addAll(0, page);
        page = store.findEvents(f.withLimit(2).withBefore(page.get(0).id()));
      }
      assertThat(back).isEqualTo(want);
      List<BootEvent> forward = new ArrayList<>();
      page = store.findEvents(f.withLimit(3).withAfter(0));
      while (!page.isEmpty()) {
        forward.addAll(page);
        page = store.findEvents(f.withLimit(3).withAfter(page.get(page.size() - 1).id()));
      }
      assertThat(forward).isEqualTo(want);
    }
    assertThat(expect.apply(filters.get(4))).hasSize(10);
    assertThat(store.findEvents(EventFilter.newest(3))).isEqualTo(all.subList(20, 23));
  }

  @Test
  void atomicallyKeepsOtherWritersOutOfAReadCheckWrite() throws Exception {
    chains("p");
    store.putMachine(Machine.of(A).withLabels(Map.of("n", "0")));
    int threads = 8;
    int rounds = 25;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < rounds; i++) {
                    store.atomically(
                        () -> {
                          Machine m = store.machine(A).orElseThrow();
                          int n = Integer.parseInt(m.labels().get("n"));
                          store.putMachine(m.withLabels(Map.of("n", Integer.toString(n + 1))));
                          return null;
                        });
                  }
                }));
      }
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(store.machine(A).orElseThrow().labels().get("n"))
        .as("no increment lost")
        .isEqualTo(Integer.toString(threads * rounds));
    assertThat(store.atomically(() -> store.atomically(() -> "nested joins")))
        .isEqualTo("nested joins");
  }

  @Test
  void aReaderFollowingEventsByIdMissesNoneWhileSeveralHandlesAppend() throws Exception {
    int writers = 4;
    int batches = 60;
    List<Store> handles = List.of(store, another(), another());
    List<Long> seenIds = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(writers + 1)) {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        Store s = handles.get(w % handles.size());
        int writer = w;
        done.add(
            pool.submit(
                () -> {
                  go.await();
                  for (int b = 0; b < batches; b++) {
                    List<BootEvent> batch = new ArrayList<>();
                    for (int i = 0; i < 1 + (b % 3); i++) {
                      batch.add(event(writer * 1000 + b * 10 + i, Optional.of(A)));
                    }
                    s.appendEvents(batch);
                  }
                  return null;
                }));
      }
      Store reader = handles.get(1);
      go.countDown();
      long after = 0;
      while (!done.stream().allMatch(Future::isDone)) {
        for (BootEvent e : reader.events(Optional.empty(), after, 7)) {
          seenIds.add(e.id());
          after = e.id();
        }
      }
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
      for (List<BootEvent> page; !(page = reader.events(Optional.empty(), after, 50)).isEmpty(); ) {
        for (BootEvent e : page) {
          seenIds.add(e.id());
          after = e.id();
        }
      }
    }
    List<Long> all =
        store.events(Optional.empty(), 0, 100_000).stream().map(BootEvent::id).toList();
    assertThat(all).hasSize(writers * (batches / 3) * 6);
    assertThat(seenIds).as("ids read while appending, then to the end").isEqualTo(all);
  }

  // ------------------------------------------------------------------------------ close

  @Test
  void whatWasCommittedOutlivesCloseAndAClosedHandleIsUnusable() {
    chains("p");
    store.putMachine(full(A, "10.0.0.1"));
    store.assign(new Assignment(A, Assignment.Kind.STATIC, "p"));
    store.appendEvents(List.of(event(1, Optional.of(A))));
    Snapshot before = snapshot(store);

    store.close();
    store.close(); // twice is harmless
    assertThatThrownBy(() -> store.machines()).isInstanceOf(RuntimeException.class);
    assertThatThrownBy(() -> store.putProfile(chain("q"))).isInstanceOf(RuntimeException.class);

    Store again = another();
    assertThat(snapshot(again)).isEqualTo(before);
    assertThat(again.events(Optional.empty(), 0, 10)).hasSize(1);
  }
}
