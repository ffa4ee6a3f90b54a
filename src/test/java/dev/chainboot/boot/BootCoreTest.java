package dev.chainboot.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.boot.BootEvent.Match;
import dev.chainboot.testing.InMemoryStore;
import dev.chainboot.testing.ParsedScript;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The boot core's policy on its own: an in-memory store, a fixed clock, no disk, no network.
 * Scripts are checked as iPXE would split them ({@link ParsedScript}), events field by field.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BootCoreTest {

  static final Instant NOW = Instant.parse("2030-01-02T03:04:05.006Z");
  static final MacAddress MAC = MacAddress.parse("52:54:00:12:34:56").orElseThrow();
  static final MacAddress OTHER = MacAddress.parse("52:54:01:00:00:01").orElseThrow();
  static final String IP = "10.0.0.50";
  static final String BASE = "http://10.0.0.1:8080";

  final InMemoryStore store = new InMemoryStore();
  final List<BootEvent> events = new CopyOnWriteArrayList<>();
  final BootCore core = new BootCore(store, events::add, Clock.fixed(NOW, ZoneOffset.UTC));

  // ------------------------------------------------------------------------------ helpers

  static InetAddress ip(String literal) {
    try {
      return InetAddress.getByName(literal); // a literal: no lookup
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  static BootRequest request(Optional<MacAddress> mac, String ip) {
    return new BootRequest(
        mac,
        ip(ip),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        BootRequest.Protocol.HTTP);
  }

  static BootRequest request(MacAddress mac) {
    return request(Optional.of(mac), IP);
  }

  BootAnswer resolve(BootRequest r) {
    return core.resolve(r, BASE);
  }

  static String url(String profile) {
    return "http://example.invalid/" + profile + ".ipxe";
  }

  void chains(String... names) {
    for (String n : names) {
      store.putProfile(Profile.chain(n, url(n)));
    }
  }

  /** The URL a script chains to (it must chain exactly once). */
  static String chainedTo(String script) {
    List<ParsedScript.Command> chain = new ParsedScript(script).named("chain");
    assertThat(chain).as(script).hasSize(1);
    List<String> words = chain.get(0).words();
    return words.get(words.size() - 1);
  }

  static void assertNothingToBoot(String script, String who) {
    assertThat(script).contains("echo chainboot: nothing to boot for " + who + " ");
    ParsedScript s = new ParsedScript(script);
    // issue 13: UEFI leaves with a failure status (the firmware then tries its next device; exit
    // 0 drops some firmware into setup), BIOS with 0 as before; chain loops see chainboot-leave
    assertThat(s.commandNames()).containsOnly("echo", "sleep", "iseq", "set", "exit");
    assertThat(s.commands)
        .extracting(ParsedScript.Command::words)
        .containsSubsequence(
            List.of("iseq", "${platform}", "efi"),
            List.of("set", "chainboot-leave", "1"),
            List.of("exit", "1"),
            List.of("set", "chainboot-leave", "0"),
            List.of("exit", "0"));
  }

  static BootEvent event(Match match, String reason, String profile, boolean onceConsumed) {
    return new BootEvent(
        0,
        NOW,
        Optional.of(MAC),
        IP,
        match,
        reason,
        Optional.ofNullable(profile),
        "http",
        onceConsumed);
  }

  static Group group(String name, Map<String, String> labels, Arch arch, String macPrefix) {
    return new Group(
        name, "p-" + name, labels, Optional.ofNullable(arch), Optional.ofNullable(macPrefix));
  }

  // ------------------------------------------------------------------------------ precedence

  /** What the core must decide, for a machine labelled rack=r1. */
  record Expected(Match match, String reason, String profile) {
    static Expected of(boolean once, boolean fixed, boolean group, boolean dflt) {
      if (once) {
        return new Expected(Match.ONCE, "once assignment", "p-once");
      } else if (fixed) {
        return new Expected(Match.STATIC, "static assignment", "p-static");
      } else if (group) {
        return new Expected(Match.GROUP, "group rack (rack=r1)", "p-group");
      } else if (dflt) {
        return new Expected(Match.DEFAULT, "default", "p-default");
      }
      return new Expected(Match.NONE, "no match, no default", null);
    }
  }

  static Stream<Arguments> everyCombination() {
    return IntStream.range(0, 16)
        .mapToObj(i -> Arguments.of((i & 8) != 0, (i & 4) != 0, (i & 2) != 0, (i & 1) != 0));
  }

  @ParameterizedTest(name = "once={0} static={1} group={2} default={3}")
  @MethodSource("everyCombination")
  void onceBeatsStaticBeatsGroupBeatsDefaultAndOnceIsUsedUp(
      boolean once, boolean fixed, boolean group, boolean dflt) {
    chains("p-once", "p-static", "p-group", "p-default", "p-other");
    store.putMachine(Machine.of(MAC).withLabels(Map.of("rack", "r1")));
    store.putGroup(group("other", Map.of("rack", "r2"), null, null)); // never matches
    if (once) {
      store.assign(new Assignment(MAC, Assignment.Kind.ONCE, "p-once"));
    }
    if (fixed) {
      store.assign(new Assignment(MAC, Assignment.Kind.STATIC, "p-static"));
    }
    if (group) {
      store.putGroup(
          new Group("rack", "p-group", Map.of("rack", "r1"), Optional.empty(), Optional.empty()));
    }
    if (dflt) {
      store.setDefaultProfile(Optional.of("p-default"));
    }

    List<BootEvent> expectedEvents = new ArrayList<>();
    for (boolean first : List.of(true, false)) { // the second boot finds the once used up
      Expected e = Expected.of(once && first, fixed, group, dflt);
      BootAnswer s = resolve(request(MAC));
      if (e.profile() == null) {
        assertNothingToBoot(s.text(), MAC.colon());
        assertThat(s.profile()).isEmpty();
      } else {
        assertThat(chainedTo(s.text())).isEqualTo(url(e.profile()));
        assertThat(s.profile()).isEqualTo(e.profile());
      }
      assertThat(s.reason()).isEqualTo(e.reason());
      expectedEvents.add(event(e.match(), e.reason(), e.profile(), once && first));
    }
    assertThat(events).containsExactlyElementsOf(expectedEvents);
    assertThat(store.assignment(MAC, Assignment.Kind.ONCE)).isEmpty();
    assertThat(store.assignment(MAC, Assignment.Kind.STATIC).isPresent()).isEqualTo(fixed);
  }

  @Test
  void ofFiftyConcurrentBootsExactlyOneGetsTheOnceAssignment() throws Exception {
    chains("p-once", "p-static");
    store.putMachine(Machine.of(MAC));
    store.assign(new Assignment(MAC, Assignment.Kind.ONCE, "p-once"));
    store.assign(new Assignment(MAC, Assignment.Kind.STATIC, "p-static"));
    int n = 50;
    CountDownLatch ready = new CountDownLatch(n);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<BootAnswer>> results = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
      for (int i = 0; i < n; i++) {
        results.add(
            pool.submit(
                () -> {
                  ready.countDown();
                  go.await();
                  return resolve(request(MAC));
                }));
      }
      assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
      go.countDown();
      List<String> chained = new ArrayList<>();
      for (Future<BootAnswer> f : results) {
        chained.add(chainedTo(f.get(10, TimeUnit.SECONDS).text()));
      }
      assertThat(chained).filteredOn(url("p-once")::equals).hasSize(1);
      assertThat(chained).filteredOn(url("p-static")::equals).hasSize(n - 1);
    }
    assertThat(events).hasSize(n);
    assertThat(events)
        .filteredOn(BootEvent::onceConsumed)
        .singleElement()
        .isEqualTo(event(Match.ONCE, "once assignment", "p-once", true));
    assertThat(events)
        .filteredOn(e -> !e.onceConsumed())
        .hasSize(n - 1)
        .allSatisfy(
            e ->
                assertThat(e)
                    .isEqualTo(event(Match.STATIC, "static assignment", "p-static", false)));
  }

  // ------------------------------------------------------------------------------ groups

  /** Groups given to a machine 52:54:00:12:34:56, x86_64, labels rack=r1 role=db. */
  record GroupCase(String name, List<Group> groups, String winner) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<GroupCase> groupCases() {
    return Stream.of(
        new GroupCase(
            "two labels beat one",
            List.of(
                group("rack", Map.of("rack", "r1"), null, null),
                group("rackrole", Map.of("rack", "r1", "role", "db"), null, null)),
            "rackrole"),
        new GroupCase(
            "a tie goes to the smaller name",
            List.of(
                group("zz", Map.of(), Arch.X86_64, null), group("aa", Map.of(), null, "52:54:00")),
            "aa"),
        new GroupCase(
            "a tie goes to the smaller name, whichever selector",
            List.of(
                group("aa", Map.of(), Arch.X86_64, null), group("zz", Map.of(), null, "52:54:00")),
            "aa"),
        new GroupCase(
            "the arch must be the machine's",
            List.of(
                group("arm", Map.of(), Arch.ARM64, null),
                group("x86", Map.of(), Arch.X86_64, null)),
            "x86"),
        new GroupCase(
            "the MAC must start with the prefix",
            List.of(
                group("a-other", Map.of(), null, "52:54:01"),
                group("b-ours", Map.of(), null, "52-54-00-12")),
            "b-ours"),
        new GroupCase(
            "every label must match",
            List.of(
                group("a-web", Map.of("rack", "r1", "role", "web"), null, null),
                group("b-rack", Map.of("rack", "r1"), null, null)),
            "b-rack"),
        new GroupCase(
            "a more specific group that does not match is passed over",
            List.of(
                group("big", Map.of("rack", "r1", "role", "db"), Arch.ARM64, null),
                group("small", Map.of("rack", "r1"), null, null)),
            "small"),
        new GroupCase(
            "arch and MAC prefix beat one label",
            List.of(
                group("a-rack", Map.of("rack", "r1"), null, null),
                group("b-both", Map.of(), Arch.X86_64, "52:54")),
            "b-both"),
        new GroupCase(
            "a group without selectors matches any machine",
            List.of(group("all", Map.of(), null, null)),
            "all"),
        new GroupCase(
            "and loses to any other that matches",
            List.of(
                group("a-all", Map.of(), null, null),
                group("b-rack", Map.of("rack", "r1"), null, null)),
            "b-rack"),
        new GroupCase(
            "no group matches",
            List.of(
                group("arm", Map.of(), Arch.ARM64, null),
                group("web", Map.of("role", "web"), null, null)),
            null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("groupCases")
  void theMostSpecificMatchingGroupWinsAndTiesGoByName(GroupCase c) {
    store.putMachine(
        new Machine(
            MAC,
            Optional.of(IP),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.of(Arch.X86_64),
            Optional.empty(),
            Map.of("rack", "r1", "role", "db")));
    for (Group g : c.groups()) {
      chains(g.profile());
      store.putGroup(g);
    }
    BootAnswer s = resolve(request(MAC));
    if (c.winner() == null) {
      assertNothingToBoot(s.text(), MAC.colon());
      assertThat(events).containsExactly(event(Match.NONE, "no match, no default", null, false));
      return;
    }
    Group winner =
        c.groups().stream().filter(g -> g.name().equals(c.winner())).findFirst().orElseThrow();
    String reason = "group " + winner.name() + " (" + winner.selector() + ")";
    assertThat(chainedTo(s.text())).isEqualTo(url("p-" + c.winner()));
    assertThat(s.reason()).isEqualTo(reason);
    assertThat(events).containsExactly(event(Match.GROUP, reason, "p-" + c.winner(), false));
  }

  // ------------------------------------------------------------------------------ identity

  @Test
  void anUnknownMachineIsRegisteredAsItDescribedItselfAndToldThereIsNothingToBoot() {
    BootRequest r =
        new BootRequest(
            Optional.of(MAC),
            ip("10.0.0.77"),
            Optional.of("uuid-1"),
            Optional.of("SN1"),
            Optional.of("node1"),
            Optional.of(Arch.ARM64),
            Optional.of(Platform.EFI),
            BootRequest.Protocol.TFTP);
    assertThat(store.machine(MAC)).isEmpty();

    BootAnswer s = resolve(r);
    assertNothingToBoot(s.text(), MAC.colon());
    assertThat(s.profile()).isEmpty();
    assertThat(store.machine(MAC))
        .contains(
            new Machine(
                MAC,
                Optional.of("10.0.0.77"),
                Optional.of("uuid-1"),
                Optional.of("SN1"),
                Optional.of("node1"),
                Optional.of(Arch.ARM64),
                Optional.of(Platform.EFI),
                Map.of()));
    assertThat(events)
        .containsExactly(
            new BootEvent(
                0,
                NOW,
                Optional.of(MAC),
                "10.0.0.77",
                Match.NONE,
                "no match, no default",
                Optional.empty(),
                "tftp",
                false));
  }

  @Test
  void aKnownMachineIsUpdatedWithWhatItSaysAndKeepsItsLabels() {
    store.putMachine(
        new Machine(
            MAC,
            Optional.of("10.0.0.9"),
            Optional.of("uuid-old"),
            Optional.empty(),
            Optional.of("old"),
            Optional.of(Arch.X86_64),
            Optional.of(Platform.PCBIOS),
            Map.of("rack", "r1")));
    resolve(
        new BootRequest(
            Optional.of(MAC),
            ip(IP),
            Optional.empty(),
            Optional.of("SN9"),
            Optional.of("new"),
            Optional.empty(),
            Optional.of(Platform.EFI),
            BootRequest.Protocol.DHCP));
    assertThat(store.machine(MAC))
        .contains(
            new Machine(
                MAC,
                Optional.of(IP),
                Optional.of("uuid-old"),
                Optional.of("SN9"),
                Optional.of("new"),
                Optional.of(Arch.X86_64),
                Optional.of(Platform.EFI),
                Map.of("rack", "r1")));
    assertThat(store.machineByIp(IP).map(Machine::mac)).contains(MAC);
    assertThat(events).singleElement().satisfies(e -> assertThat(e.protocol()).isEqualTo("dhcp"));
  }

  @Test
  void aRequestWithoutMacFromAKnownMachinesAddressIsThatMachines() {
    chains("p-once", "p-static");
    store.registerMachine(Machine.of(OTHER).seenAs(request(Optional.of(OTHER), "10.0.0.77")));
    store.assign(new Assignment(OTHER, Assignment.Kind.ONCE, "p-once"));
    store.assign(new Assignment(OTHER, Assignment.Kind.STATIC, "p-static"));
    BootRequest r = request(Optional.empty(), "10.0.0.77");

    assertThat(chainedTo(resolve(r).text())).isEqualTo(url("p-once"));
    assertThat(chainedTo(resolve(r).text())).isEqualTo(url("p-static"));
    assertThat(events)
        .containsExactly(
            new BootEvent(
                0,
                NOW,
                Optional.of(OTHER),
                "10.0.0.77",
                Match.ONCE,
                "once assignment",
                Optional.of("p-once"),
                "http",
                true),
            new BootEvent(
                0,
                NOW,
                Optional.of(OTHER),
                "10.0.0.77",
                Match.STATIC,
                "static assignment",
                Optional.of("p-static"),
                "http",
                false));
    assertThat(store.machines()).hasSize(1);
  }

  @Test
  void anUnidentifiedRequestGetsOnlyTheDefault() {
    chains("p-group", "p-default");
    store.putMachine(Machine.of(OTHER).seenAs(request(Optional.of(OTHER), "10.0.0.77")));
    store.putGroup(group("group", Map.of(), null, null)); // would match any machine
    BootRequest r = request(Optional.empty(), "10.0.0.99");

    assertNothingToBoot(resolve(r).text(), "this machine (no MAC given)");
    store.setDefaultProfile(Optional.of("p-default"));
    assertThat(chainedTo(resolve(r).text())).isEqualTo(url("p-default"));
    assertThat(events)
        .containsExactly(
            new BootEvent(
                0,
                NOW,
                Optional.empty(),
                "10.0.0.99",
                Match.NONE,
                "no match (machine not identified, no default)",
                Optional.empty(),
                "http",
                false),
            new BootEvent(
                0,
                NOW,
                Optional.empty(),
                "10.0.0.99",
                Match.DEFAULT,
                "default (machine not identified)",
                Optional.of("p-default"),
                "http",
                false));
    assertThat(store.machines()).extracting(Machine::mac).containsExactly(OTHER);
  }

  // ------------------------------------------------------------------------------ by name

  @Test
  void aProfileAskedForByNameIsRenderedForTheMachineAndConsumesNothing() {
    chains("p-once", "p-static");
    store.putProfile(Profile.chain("p-media", "{{base_url}}/media/{{mac_hexhyp}}.ipxe"));
    store.putMachine(Machine.of(MAC));
    store.assign(new Assignment(MAC, Assignment.Kind.ONCE, "p-once"));
    store.assign(new Assignment(MAC, Assignment.Kind.STATIC, "p-static"));

    BootAnswer s = core.resolveProfile(request(MAC), "p-media", BASE).orElseThrow();
    assertThat(chainedTo(s.text())).isEqualTo(BASE + "/media/52-54-00-12-34-56.ipxe");
    String reason = "profile p-media asked for by name (boot media)";
    assertThat(s.profile()).isEqualTo("p-media");
    assertThat(s.reason()).isEqualTo(reason);
    assertThat(events).containsExactly(event(Match.PROFILE, reason, "p-media", false));
    assertThat(store.assignment(MAC, Assignment.Kind.ONCE)).contains("p-once");

    assertThat(core.resolveProfile(request(MAC), "nope", BASE)).isEmpty();
    assertThat(events).hasSize(1);
    assertThat(chainedTo(resolve(request(MAC)).text())).isEqualTo(url("p-once"));
  }

  // ------------------------------------------------------------------------------ hasBootFor

  record HasBootCase(
      String name, Consumer<InMemoryStore> setup, BootRequest request, boolean expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<HasBootCase> hasBootCases() {
    BootRequest known = request(MAC);
    BootRequest unknownArm =
        new BootRequest(
            Optional.of(OTHER),
            ip("10.0.0.77"),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.of(Arch.ARM64),
            Optional.empty(),
            BootRequest.Protocol.DHCP);
    BootRequest noMacKnownIp = request(Optional.empty(), IP);
    BootRequest noMacUnknownIp = request(Optional.empty(), "10.0.0.99");
    return Stream.of(
        new HasBootCase(
            "a once-assignment",
            s -> s.assign(new Assignment(MAC, Assignment.Kind.ONCE, "p")),
            known,
            true),
        new HasBootCase(
            "a static assignment",
            s -> s.assign(new Assignment(MAC, Assignment.Kind.STATIC, "p")),
            known,
            true),
        new HasBootCase(
            "a matching group",
            s ->
                s.putGroup(
                    new Group("g", "p", Map.of("rack", "r1"), Optional.empty(), Optional.empty())),
            known,
            true),
        new HasBootCase(
            "only a group that does not match",
            s ->
                s.putGroup(
                    new Group("g", "p", Map.of("rack", "r2"), Optional.empty(), Optional.empty())),
            known,
            false),
        new HasBootCase("a default", s -> s.setDefaultProfile(Optional.of("p")), known, true),
        new HasBootCase("nothing", s -> {}, known, false),
        new HasBootCase(
            "an unknown machine in a group of the arch it names",
            s ->
                s.putGroup(
                    new Group("g", "p", Map.of(), Optional.of(Arch.ARM64), Optional.empty())),
            unknownArm,
            true),
        new HasBootCase(
            "an unknown machine, nothing for it",
            s ->
                s.putGroup(
                    new Group("g", "p", Map.of("rack", "r1"), Optional.empty(), Optional.empty())),
            unknownArm,
            false),
        new HasBootCase(
            "no MAC, from the address of a machine with a static assignment",
            s -> s.assign(new Assignment(MAC, Assignment.Kind.STATIC, "p")),
            noMacKnownIp,
            true),
        new HasBootCase(
            "no MAC, from an unknown address, a default",
            s -> s.setDefaultProfile(Optional.of("p")),
            noMacUnknownIp,
            true),
        new HasBootCase(
            "no MAC, from an unknown address, only a group for every machine",
            s -> s.putGroup(new Group("g", "p", Map.of(), Optional.empty(), Optional.empty())),
            noMacUnknownIp,
            false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hasBootCases")
  void hasBootForTellsWithoutConsumingOrRecordingAnything(HasBootCase c) {
    chains("p");
    store.putMachine(Machine.of(MAC).seenAs(request(MAC)).withLabels(Map.of("rack", "r1")));
    c.setup().accept(store);
    List<Machine> machines = store.machines();
    List<Assignment> assignments = store.assignments();

    assertThat(core.hasBootFor(c.request())).isEqualTo(c.expected());
    assertThat(core.hasBootFor(c.request())).as("asked again").isEqualTo(c.expected());
    assertThat(events).isEmpty();
    assertThat(store.machines()).isEqualTo(machines);
    assertThat(store.assignments()).isEqualTo(assignments);
  }

  @Test
  void withADefaultEveryMachineHasABootAndNoMachineIsLookedUp() {
    chains("p");
    java.util.concurrent.atomic.AtomicInteger lookups =
        new java.util.concurrent.atomic.AtomicInteger();
    BootStore counting =
        (BootStore)
            java.lang.reflect.Proxy.newProxyInstance(
                BootStore.class.getClassLoader(),
                new Class<?>[] {BootStore.class},
                (proxy, method, args) -> {
                  if (!method.getName().equals("configVersion")
                      && !method.getName().equals("profiles")
                      && !method.getName().equals("groups")
                      && !method.getName().equals("defaultProfile")) {
                    lookups.incrementAndGet();
                  }
                  try {
                    return method.invoke(store, args);
                  } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    BootCore counted = new BootCore(counting, events::add);
    assertThat(counted.hasBootFor(request(MAC))).isFalse();
    assertThat(lookups).as("without a default the machine decides").hasPositiveValue();
    store.setDefaultProfile(Optional.of("p"));
    lookups.set(0);
    for (int i = 0; i < 10; i++) {
      assertThat(
              counted.hasBootFor(request(MacAddress.parse("02:00:00:00:00:0" + i).orElseThrow())))
          .isTrue();
    }
    assertThat(lookups).hasValue(0);
    assertThat(events).isEmpty();
  }

  // ------------------------------------------------------------------------------ errors

  record ErrorCase(String name, Profile profile, String message) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<ErrorCase> errorCases() {
    return Stream.of(
        new ErrorCase(
            "a template variable the machine does not have",
            Profile.script("bad", "#!ipxe\nchain {{base_url}}/x?rack={{labels.rack}}\n"),
            "labels.rack"),
        new ErrorCase(
            "an unsafe chain URL",
            Profile.chain("bad", "http://example.invalid/x;shell"),
            "not a safe URL"),
        new ErrorCase(
            "an unsafe kernel argument",
            Profile.kernel("bad", "http://example.invalid/k", List.of(), "console=ttyS0 x=$(y)"),
            "unsafe kernel argument"),
        new ErrorCase(
            "an initrd URL that is not http, https, tftp or ftp",
            Profile.kernel("bad", "http://example.invalid/k", List.of("file:///etc/shadow"), null),
            "not a safe URL"),
        new ErrorCase(
            "a machine variable that makes no URL",
            Profile.chain("bad", "{{hostname}}"),
            "not a safe URL"));
  }

  static void assertErrorScript(String script, String message) {
    ParsedScript s = new ParsedScript(script);
    assertThat(s.commandNames()).containsOnly("echo", "sleep", "set", "exit");
    assertThat(s.named("exit"))
        .extracting(ParsedScript.Command::words)
        .containsExactly(List.of("exit", "1"));
    assertThat(s.named("set"))
        .extracting(ParsedScript.Command::words)
        .containsExactly(List.of("set", "chainboot-leave", "1"));
    assertThat(script)
        .contains("echo chainboot: error: cannot boot 52:54:00:12:34:56: profile bad")
        .contains(message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("errorCases")
  void aProfileThatCannotBeRenderedGivesAnErrorScriptAndAnErrorEvent(ErrorCase c) {
    store.putMachine(
        new Machine(
            MAC,
            Optional.of(IP),
            Optional.empty(),
            Optional.empty(),
            Optional.of("node1"),
            Optional.empty(),
            Optional.empty(),
            Map.of()));
    store.putProfile(c.profile());
    store.setDefaultProfile(Optional.of("bad"));

    BootAnswer s = resolve(request(MAC));
    assertErrorScript(s.text(), c.message());
    assertThat(events)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.match()).isEqualTo(Match.ERROR);
              assertThat(e.reason()).startsWith("error: profile bad: ").contains(c.message());
              assertThat(e.profile()).isEmpty();
              assertThat(e.onceConsumed()).isFalse();
              assertThat(e.time()).isEqualTo(NOW);
            });

    BootAnswer byName = core.resolveProfile(request(MAC), "bad", BASE).orElseThrow();
    assertErrorScript(byName.text(), c.message());
    assertThat(events)
        .hasSize(2)
        .last()
        .satisfies(
            e -> {
              assertThat(e.match()).isEqualTo(Match.ERROR);
              assertThat(e.profile()).contains("bad");
            });
  }

  @Test
  void aOnceAssignmentWhoseProfileCannotBeRenderedIsUsedUpAndTheEventSaysSo() {
    chains("p-static");
    store.putProfile(Profile.chain("bad", "http://example.invalid/x;shell"));
    store.putMachine(Machine.of(MAC));
    store.assign(new Assignment(MAC, Assignment.Kind.ONCE, "bad"));
    store.assign(new Assignment(MAC, Assignment.Kind.STATIC, "p-static"));

    assertErrorScript(resolve(request(MAC)).text(), "not a safe URL");
    assertThat(store.assignment(MAC, Assignment.Kind.ONCE)).isEmpty();
    assertThat(events)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.match()).isEqualTo(Match.ERROR);
              assertThat(e.reason()).startsWith("error: profile bad: ");
              assertThat(e.onceConsumed()).as("the once-assignment was consumed").isTrue();
            });
    assertThat(chainedTo(resolve(request(MAC)).text())).isEqualTo(url("p-static"));
  }

  // ------------------------------------------------------------------------------ rendering

  /** The script the default profile {@code p} renders for MAC. */
  ParsedScript render(Profile p) {
    store.putProfile(p);
    store.setDefaultProfile(Optional.of(p.name()));
    String text = resolve(request(MAC)).text();
    assertThat(events).last().satisfies(e -> assertThat(e.match()).isEqualTo(Match.DEFAULT));
    return new ParsedScript(text);
  }

  @Test
  void aKernelProfileLoadsTheKernelWithItsCommandLineThenEachInitrdInOrderThenBoots() {
    store.putMachine(Machine.of(MAC));
    ParsedScript s =
        render(
            Profile.kernel(
                "k",
                "{{base_url}}/assets/vmlinuz",
                List.of(
                    "{{base_url}}/b.img",
                    "http://example.invalid/a.img",
                    "{{base_url}}/{{mac_hexraw}}.img"),
                "console=ttyS0   ip=dhcp BOOTIF=01-{{mac_hexhyp}}"));
    assertThat(s.commands.get(0).words())
        .containsExactly(
            "echo", "chainboot:", "52:54:00:12:34:56", "boots", "profile", "k", "(default)");
    assertThat(s.commands)
        .extracting(ParsedScript.Command::words)
        .filteredOn(w -> List.of("kernel", "initrd", "boot").contains(w.get(0)))
        .containsExactly(
            List.of(
                "kernel",
                BASE + "/assets/vmlinuz",
                "console=ttyS0",
                "ip=dhcp",
                "BOOTIF=01-52-54-00-12-34-56"),
            List.of("initrd", BASE + "/b.img"),
            List.of("initrd", "http://example.invalid/a.img"),
            List.of("initrd", BASE + "/525400123456.img"),
            List.of("boot"));
  }

  @Test
  void aChainProfileChainsToItsUrlAndExits() {
    store.putMachine(Machine.of(MAC));
    ParsedScript s = render(Profile.chain("c", "{{base_url}}/next/{{mac}}"));
    assertThat(s.named("chain"))
        .extracting(ParsedScript.Command::words)
        .containsExactly(List.of("chain", "--autofree", BASE + "/next/52:54:00:12:34:56"));
    assertThat(s.named("exit"))
        .extracting(ParsedScript.Command::words)
        .contains(List.of("exit", "0"));
    assertThat(s.commandNames()).doesNotContain("kernel", "boot", "sanboot");
  }

  @Test
  void aScriptProfileIsItsTemplateFilledWithTheMachinesVariables() {
    store.putMachine(
        new Machine(
            MAC,
            Optional.of(IP),
            Optional.of("uuid-1"),
            Optional.of("SN 1"),
            Optional.of("node1"),
            Optional.of(Arch.X86_64),
            Optional.of(Platform.EFI),
            Map.of("rack", "r 1")));
    ParsedScript s =
        render(
            Profile.script(
                "tpl",
                """
        set mac {{mac}}
        set hyp {{mac_hexhyp}}
        set raw {{mac_hexraw}}
        set ip {{ip}}
        set uuid {{uuid}}
        set serial {{serial}}
        set host {{hostname}}
        set arch {{arch}}
        set platform {{platform}}
        set rack {{labels.rack}}
        set profile {{profile}}
        chain {{base_url}}/next
        """));
    assertThat(s.named("set"))
        .extracting(c -> c.words().get(1) + "=" + c.words().get(2))
        .containsExactly(
            "mac=52:54:00:12:34:56",
            "hyp=52-54-00-12-34-56",
            "raw=525400123456",
            "ip=10.0.0.50",
            "uuid=uuid-1",
            "serial=SN%201",
            "host=node1",
            "arch=x86_64",
            "platform=efi",
            "rack=r%201",
            "profile=tpl");
    assertThat(s.named("chain"))
        .extracting(ParsedScript.Command::words)
        .containsExactly(List.of("chain", BASE + "/next"));
    assertThat(s.commands).hasSize(12);
  }

  @Test
  void aLocalDiskProfileExitsOnEfiAndBootsTheFirstDiskOnBios() {
    store.putMachine(Machine.of(MAC));
    ParsedScript s = render(Profile.localDisk("disk"));
    assertThat(s.commands)
        .extracting(ParsedScript.Command::words)
        .containsSubsequence(
            // issue 13: UEFI leaves with a failure status (was exit 0), so the firmware boots its
            // next device (the disk) instead of, on some machines, entering setup
            List.of("iseq", "${platform}", "efi"),
            List.of("set", "chainboot-leave", "1"),
            List.of("exit", "1"),
            List.of("sanboot", "--no-describe", "--drive", "0x80"),
            List.of("set", "chainboot-leave", "0"),
            List.of("exit", "0"));
    assertThat(s.commandNames()).doesNotContain("chain", "kernel", "boot");
  }

  @Test
  void aMenuOffersEachEntryAndRendersEachUnderItsLabel() {
    store.putMachine(Machine.of(MAC));
    chains("a");
    store.putProfile(Profile.localDisk("disk"));
    ParsedScript s = render(Profile.menu("m", List.of("a", "disk", "missing")));
    assertThat(s.named("menu"))
        .extracting(ParsedScript.Command::words)
        .containsExactly(List.of("menu", "chainboot:", "m"));
    assertThat(s.named("item"))
        .extracting(ParsedScript.Command::words)
        .containsExactly(
            List.of("item", "cbm-a", "a"),
            List.of("item", "cbm-disk", "disk"),
            List.of("item", "cbm-missing", "missing"));
    assertThat(s.named("choose"))
        .extracting(ParsedScript.Command::words)
        .containsExactly(
            List.of("choose", "--default", "cbm-a", "--timeout", "30000", "cb-choice"));
    assertThat(s.labels).contains("cbm-a", "cbm-disk", "cbm-missing", "chainboot_failed");
    assertThat(s.named("chain"))
        .extracting(ParsedScript.Command::words)
        .containsExactly(List.of("chain", "--autofree", url("a")));
    assertThat(s.named("sanboot")).hasSize(1);
    assertThat(s.named("echo"))
        .extracting(c -> String.join(" ", c.words()))
        .contains("echo chainboot: menu entry missing is not a profile");
  }

  // ------------------------------------------------------------------------------ caching

  @Test
  void everyConfigurationChangeIsSeenByTheNextBoot() {
    store.putMachine(Machine.of(MAC));
    chains("p", "q");
    store.setDefaultProfile(Optional.of("p"));
    assertThat(chainedTo(resolve(request(MAC)).text())).isEqualTo(url("p"));

    store.putProfile(Profile.chain("p", "http://example.invalid/changed.ipxe"));
    assertThat(chainedTo(resolve(request(MAC)).text()))
        .isEqualTo("http://example.invalid/changed.ipxe");
    store.setDefaultProfile(Optional.of("q"));
    assertThat(chainedTo(resolve(request(MAC)).text())).isEqualTo(url("q"));
    store.putGroup(new Group("all", "p", Map.of(), Optional.empty(), Optional.empty()));
    assertThat(chainedTo(resolve(request(MAC)).text()))
        .isEqualTo("http://example.invalid/changed.ipxe");
    store.deleteGroup("all");
    store.putProfile(Profile.localDisk("q"));
    assertThat(new ParsedScript(resolve(request(MAC)).text()).named("sanboot")).hasSize(1);
    assertThat(events)
        .extracting(BootEvent::match)
        .containsExactly(Match.DEFAULT, Match.DEFAULT, Match.DEFAULT, Match.GROUP, Match.DEFAULT);
  }

  @Test
  void aTemplateIsRenderedAgainWhenTheMachineChanges() {
    store.putProfile(Profile.chain("tpl", "{{base_url}}/{{labels.rack}}/{{mac_hexraw}}"));
    store.setDefaultProfile(Optional.of("tpl"));
    store.putMachine(Machine.of(MAC).withLabels(Map.of("rack", "r1")));
    store.putMachine(Machine.of(OTHER).withLabels(Map.of("rack", "r1")));
    assertThat(chainedTo(resolve(request(MAC)).text())).isEqualTo(BASE + "/r1/525400123456");
    assertThat(chainedTo(resolve(request(OTHER)).text())).isEqualTo(BASE + "/r1/525401000001");
    store.putMachine(Machine.of(MAC).seenAs(request(MAC)).withLabels(Map.of("rack", "r2")));
    assertThat(chainedTo(resolve(request(MAC)).text())).isEqualTo(BASE + "/r2/525400123456");
    assertThat(chainedTo(core.resolve(request(OTHER), "http://other:80").text()))
        .isEqualTo("http://other:80/r1/525401000001");
  }

  // ------------------------------------------------------------------------------ preview

  @ParameterizedTest(name = "once={0} static={1} group={2} default={3}")
  @MethodSource("everyCombination")
  void previewTellsWhatResolveWillDecideAndTakesNothing(
      boolean once, boolean fixed, boolean group, boolean dflt) {
    chains("p-once", "p-static", "p-group", "p-default");
    store.putMachine(Machine.of(MAC).withLabels(Map.of("rack", "r1")));
    if (once) {
      store.assign(new Assignment(MAC, Assignment.Kind.ONCE, "p-once"));
    }
    if (fixed) {
      store.assign(new Assignment(MAC, Assignment.Kind.STATIC, "p-static"));
    }
    if (group) {
      store.putGroup(
          new Group("rack", "p-group", Map.of("rack", "r1"), Optional.empty(), Optional.empty()));
    }
    if (dflt) {
      store.setDefaultProfile(Optional.of("p-default"));
    }
    Expected e = Expected.of(once, fixed, group, dflt);
    for (int i = 0; i < 3; i++) { // again and again: nothing is used up
      Preview p = core.preview(request(MAC), BASE);
      assertThat(p.match()).isEqualTo(e.match() == null ? Match.NONE : e.match());
      assertThat(p.reason()).isEqualTo(e.reason());
      assertThat(p.profile()).isEqualTo(Optional.ofNullable(e.profile()));
      assertThat(p.onceWouldBeConsumed()).isEqualTo(once);
      assertThat(p.known()).isTrue();
      assertThat(p.mac()).contains(MAC);
    }
    assertThat(events).as("a preview records nothing").isEmpty();
    assertThat(store.assignment(MAC, Assignment.Kind.ONCE).isPresent()).isEqualTo(once);

    String previewed = core.preview(request(MAC), BASE).script();
    BootAnswer real = resolve(request(MAC));
    assertThat(previewed).as("the script the boot then gets").isEqualTo(real.text());
    assertThat(events).hasSize(1);
    assertThat(events.get(0).onceConsumed()).isEqualTo(once);
  }

  @Test
  void previewOfANeverSeenMacRegistersNothing() {
    chains("p-default");
    store.setDefaultProfile(Optional.of("p-default"));
    Preview p = core.preview(request(OTHER), BASE);
    assertThat(p.known()).isFalse();
    assertThat(p.match()).isEqualTo(Match.DEFAULT);
    assertThat(chainedTo(p.script())).isEqualTo(url("p-default"));
    assertThat(store.machine(OTHER)).isEmpty();
    assertThat(events).isEmpty();
    Preview byIp = core.preview(request(Optional.empty(), "10.9.9.9"), BASE);
    assertThat(byIp.mac()).isEmpty();
    assertThat(byIp.reason()).isEqualTo("default (machine not identified)");
  }

  @Test
  void previewOfAProfileThatCannotBeRenderedSaysSoWithoutAnEvent() {
    store.putMachine(Machine.of(MAC));
    store.putProfile(Profile.chain("bad", "http://x/{{labels.nope}}"));
    store.assign(new Assignment(MAC, Assignment.Kind.ONCE, "bad"));
    Preview p = core.preview(request(MAC), BASE);
    assertThat(p.match()).isEqualTo(Match.ERROR);
    assertThat(p.script()).contains("error: cannot boot 52:54:00:12:34:56");
    assertThat(events).isEmpty();
    assertThat(store.assignment(MAC, Assignment.Kind.ONCE)).contains("bad");
  }
}
