package dev.chainboot.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.boot.Arch;
import dev.chainboot.boot.Assignment;
import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.Group;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Machine;
import dev.chainboot.boot.Profile;
import dev.chainboot.store.Store;
import dev.chainboot.testing.ParsedScript;
import dev.chainboot.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The native endpoints against a real server and real SQLite. */
class BootHttpTest {

  static final MacAddress MAC = MacAddress.parse("52:54:00:12:34:56").orElseThrow();

  @TempDir Path data;
  TestServer ts;
  Store store;

  @BeforeEach
  void start() throws Exception {
    ts = new TestServer(data);
    store = ts.server.store();
  }

  @AfterEach
  void stop() {
    ts.close();
  }

  String resolve(MacAddress mac) throws Exception {
    HttpResponse<String> r =
        ts.get(
            "/boot/resolve?mac="
                + mac.hexhyp()
                + "&buildarch=x86_64&platform=pcbios&hostname=node1");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
    assertThat(r.body()).startsWith("#!ipxe\n");
    return r.body();
  }

  List<BootEvent> events(MacAddress mac) {
    ts.server.events().flush();
    return store.recentEvents(Optional.of(mac), 1000);
  }

  void chainProfile(String name) {
    store.putProfile(Profile.chain(name, "http://example.invalid/" + name + ".ipxe"));
  }

  @Test
  void unknownMachineWithoutDefaultGetsAnExitScriptAndIsRegistered() throws Exception {
    String s = resolve(MAC);
    assertThat(s).contains("nothing to boot for 52:54:00:12:34:56");
    ParsedScript script = new ParsedScript(s);
    // issue 13: UEFI leaves with exit 1 (next boot device), after setting chainboot-leave
    assertThat(script.commandNames()).containsOnly("echo", "sleep", "iseq", "set", "exit");
    assertThat(s).contains("iseq ${platform} efi && set chainboot-leave 1 && exit 1 ||\n");
    Machine m = store.machine(MAC).orElseThrow();
    assertThat(m.ip()).contains("127.0.0.1");
    assertThat(m.arch()).contains(Arch.X86_64);
    assertThat(m.hostname()).contains("node1");
    assertThat(events(MAC))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.match()).isEqualTo(BootEvent.Match.NONE);
              assertThat(e.profile()).isEmpty();
              assertThat(e.protocol()).isEqualTo("http");
              assertThat(e.clientIp()).isEqualTo("127.0.0.1");
            });
  }

  @Test
  void unknownMachineWithDefaultGetsTheDefault() throws Exception {
    chainProfile("dflt");
    store.setDefaultProfile(Optional.of("dflt"));
    String s = resolve(MAC);
    assertThat(s).contains("chain --autofree http://example.invalid/dflt.ipxe");
    assertThat(events(MAC))
        .singleElement()
        .satisfies(e -> assertThat(e.match()).isEqualTo(BootEvent.Match.DEFAULT));
  }

  @Test
  void resolutionOrderOnceStaticGroupDefault() throws Exception {
    for (String p : List.of("p-once", "p-static", "p-group", "p-group2", "p-default")) {
      chainProfile(p);
    }
    store.putMachine(Machine.of(MAC).withLabels(Map.of("rack", "r1", "role", "db")));
    store.assign(new Assignment(MAC, Assignment.Kind.ONCE, "p-once"));
    store.assign(new Assignment(MAC, Assignment.Kind.STATIC, "p-static"));
    store.putGroup(
        new Group("rack", "p-group2", Map.of("rack", "r1"), Optional.empty(), Optional.empty()));
    store.putGroup(
        new Group(
            "rackrole",
            "p-group",
            Map.of("rack", "r1", "role", "db"),
            Optional.empty(),
            Optional.empty()));
    store.setDefaultProfile(Optional.of("p-default"));

    assertThat(resolve(MAC)).contains("/p-once.ipxe");
    assertThat(resolve(MAC)).contains("/p-static.ipxe");
    store.clearAssignments(MAC, Optional.of("p-static"));
    assertThat(resolve(MAC)).contains("/p-group.ipxe"); // two labels beat one
    store.deleteGroup("rackrole");
    assertThat(resolve(MAC)).contains("/p-group2.ipxe");
    store.deleteGroup("rack");
    assertThat(resolve(MAC)).contains("/p-default.ipxe");

    assertThat(events(MAC))
        .extracting(BootEvent::match)
        .containsExactly(
            BootEvent.Match.ONCE,
            BootEvent.Match.STATIC,
            BootEvent.Match.GROUP,
            BootEvent.Match.GROUP,
            BootEvent.Match.DEFAULT);
    assertThat(events(MAC))
        .extracting(BootEvent::onceConsumed)
        .containsExactly(true, false, false, false, false);
    assertThat(events(MAC).get(2).reason()).contains("group rackrole");
  }

  @Test
  void groupTieIsBrokenByName() throws Exception {
    chainProfile("a");
    chainProfile("b");
    store.putGroup(new Group("zz", "b", Map.of(), Optional.of(Arch.X86_64), Optional.empty()));
    store.putGroup(new Group("aa", "a", Map.of(), Optional.empty(), Optional.of("52:54:00")));
    assertThat(resolve(MAC)).contains("/a.ipxe");
  }

  @Test
  void onceIsConsumedByExactlyOneOfFiftyConcurrentRequests() throws Exception {
    chainProfile("p-once");
    chainProfile("p-static");
    store.putMachine(Machine.of(MAC));
    store.assign(new Assignment(MAC, Assignment.Kind.ONCE, "p-once"));
    store.assign(new Assignment(MAC, Assignment.Kind.STATIC, "p-static"));
    int n = 50;
    CountDownLatch go = new CountDownLatch(1);
    List<Future<String>> results = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
      for (int i = 0; i < n; i++) {
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  return resolve(MAC);
                }));
      }
      go.countDown();
      int once = 0;
      int fixed = 0;
      for (Future<String> f : results) {
        String body = f.get();
        once += body.contains("/p-once.ipxe") ? 1 : 0;
        fixed += body.contains("/p-static.ipxe") ? 1 : 0;
      }
      assertThat(once).isEqualTo(1);
      assertThat(fixed).isEqualTo(n - 1);
    }
    List<BootEvent> ev = events(MAC);
    assertThat(ev).hasSize(n);
    assertThat(ev)
        .filteredOn(BootEvent::onceConsumed)
        .singleElement()
        .satisfies(e -> assertThat(e.profile()).contains("p-once"));
    assertThat(ev).filteredOn(e -> e.match() == BootEvent.Match.STATIC).hasSize(n - 1);
  }

  /** Writes to the database from another process, as the CLI or an operator's sqlite3 does. */
  void sqlite3(String sql) throws Exception {
    dev.chainboot.testing.Processes.Output o =
        dev.chainboot.testing.Processes.run(
            java.time.Duration.ofSeconds(60),
            "sqlite3",
            "-cmd",
            ".timeout 10000",
            "-cmd",
            "PRAGMA foreign_keys = ON",
            data.resolve("chainboot.db").toString(),
            sql);
    assertThat(o.exit()).as(o.stdout()).isZero();
  }

  @Test
  void changesByAnotherProcessApplyToTheVeryNextRequestForACachedMachine() throws Exception {
    chainProfile("p-once");
    chainProfile("p-static");
    chainProfile("p-other");
    store.putMachine(Machine.of(MAC));
    store.assign(new Assignment(MAC, Assignment.Kind.STATIC, "p-static"));
    assertThat(resolve(MAC)).contains("/p-static.ipxe");
    assertThat(resolve(MAC)).contains("/p-static.ipxe"); // now served from memory

    sqlite3(
        "INSERT INTO assignments (mac, kind, profile, created_at)"
            + " VALUES ('"
            + MAC.colon()
            + "', 'once', 'p-once', 0)");
    assertThat(resolve(MAC)).contains("/p-once.ipxe");
    assertThat(resolve(MAC)).contains("/p-static.ipxe");
    assertThat(store.assignment(MAC, Assignment.Kind.ONCE)).isEmpty();

    sqlite3("UPDATE assignments SET profile = 'p-other' WHERE mac = '" + MAC.colon() + "'");
    assertThat(resolve(MAC)).contains("/p-other.ipxe");

    sqlite3("DELETE FROM machines WHERE mac = '" + MAC.colon() + "'");
    assertThat(resolve(MAC)).contains("nothing to boot");
    assertThat(store.machine(MAC)).isPresent(); // registered again, without assignments

    sqlite3(
        "UPDATE profiles SET chain_url = 'http://example.invalid/changed.ipxe'"
            + " WHERE name = 'p-static'");
    sqlite3(
        "INSERT INTO assignments (mac, kind, profile, created_at)"
            + " VALUES ('"
            + MAC.colon()
            + "', 'static', 'p-static', 0)");
    assertThat(resolve(MAC)).contains("/changed.ipxe");
    assertThat(events(MAC))
        .extracting(BootEvent::match)
        .containsExactly(
            BootEvent.Match.STATIC,
            BootEvent.Match.STATIC,
            BootEvent.Match.ONCE,
            BootEvent.Match.STATIC,
            BootEvent.Match.STATIC,
            BootEvent.Match.NONE,
            BootEvent.Match.STATIC);
  }

  static String curlFrom(String sourceIp, String url) throws Exception {
    dev.chainboot.testing.Processes.Output o =
        dev.chainboot.testing.Processes.run(
            java.time.Duration.ofSeconds(60),
            "curl",
            "-sS",
            "--max-time",
            "30",
            "--interface",
            sourceIp,
            "-A",
            "iPXE/1.21.1",
            url);
    assertThat(o.exit()).as(o.stdout()).isZero();
    return o.stdout();
  }

  @Test
  void machinesAreKeyedByTheirSourceAddress() throws Exception {
    chainProfile("p-once");
    MacAddress a = MacAddress.parse("52:54:00:00:00:02").orElseThrow();
    MacAddress b = MacAddress.parse("52:54:00:00:00:03").orElseThrow();
    String url = ts.base() + "/boot/resolve?mac=";
    assertThat(curlFrom("127.0.0.2", url + a.hexhyp())).contains("nothing to boot");
    assertThat(curlFrom("127.0.0.3", url + b.hexhyp())).contains("nothing to boot");
    Machine byIp = store.machineByIp("127.0.0.2").orElseThrow();
    assertThat(byIp.mac()).isEqualTo(a);
    store.assign(new Assignment(byIp.mac(), Assignment.Kind.ONCE, "p-once"));
    assertThat(curlFrom("127.0.0.3", url + b.hexhyp())).contains("nothing to boot");
    assertThat(curlFrom("127.0.0.2", url + a.hexhyp())).contains("/p-once.ipxe");
    assertThat(curlFrom("127.0.0.2", url + a.hexhyp())).contains("nothing to boot");
    assertThat(events(a)).extracting(BootEvent::clientIp).containsOnly("127.0.0.2");
    assertThat(events(b)).extracting(BootEvent::clientIp).containsOnly("127.0.0.3");
  }

  @Test
  void bootIpxeWithoutMacChainsToTheResolverWithIdentity() throws Exception {
    HttpResponse<String> r = ts.get("/boot.ipxe");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .startsWith("#!ipxe\n")
        .contains(
            "chain --autofree "
                + ts.base()
                + "/boot/resolve?mac=${mac:hexhyp}&serial=${serial:uristring}"
                + "&hostname=${hostname:uristring}&buildarch=${buildarch:uristring}"
                + "&platform=${platform:uristring}&uuid=${uuid}");
    assertThat(store.machines()).isEmpty();
  }

  @Test
  void bootIpxeWithMacResolvesDirectly() throws Exception {
    chainProfile("dflt");
    store.setDefaultProfile(Optional.of("dflt"));
    HttpResponse<String> r =
        ts.get(
            "/boot.ipxe?mac=52-54-00-12-34-56&uuid=&serial=&hostname="
                + "&buildarch=x86_64&platform=efi");
    assertThat(r.body()).contains("/dflt.ipxe");
    assertThat(store.machine(MAC).orElseThrow().platform()).isPresent();
  }

  @Test
  void resolverWithoutValidMacIs400ForBrowsersAndAnExitScriptForIpxe() throws Exception {
    HttpResponse<String> r = ts.get("/boot/resolve?mac=zz");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("invalid mac parameter: zz");
    r = ts.get("/boot/resolve", "iPXE/1.21.1+git20250501");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).startsWith("#!ipxe\n").contains("missing mac parameter");
    assertThat(new ParsedScript(r.body()).commandNames())
        .containsOnly("echo", "sleep", "set", "exit"); // issue 13: set chainboot-leave 1
    assertThat(new ParsedScript(r.body()).named("set"))
        .extracting(ParsedScript.Command::words)
        .containsExactly(List.of("set", "chainboot-leave", "1"));
    assertThat(store.machines()).isEmpty();
  }

  @Test
  void templateWithMissingVariableGivesAnErrorScriptNotA500() throws Exception {
    store.putProfile(Profile.script("tpl", "#!ipxe\nchain {{base_url}}/x?rack={{labels.rack}}\n"));
    store.setDefaultProfile(Optional.of("tpl"));
    HttpResponse<String> r = ts.get("/boot/resolve?mac=52-54-00-12-34-56");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .startsWith("#!ipxe\n")
        .contains("chainboot: error")
        .doesNotContain("chain ");
    assertThat(events(MAC))
        .singleElement()
        .satisfies(e -> assertThat(e.match()).isEqualTo(BootEvent.Match.ERROR));
    store.putMachine(Machine.of(MAC).withLabels(Map.of("rack", "r7")));
    assertThat(resolve(MAC)).contains("chain " + ts.base() + "/x?rack=r7");
  }

  @Test
  void kernelProfileRetriesDownloads() throws Exception {
    store.putProfile(
        Profile.kernel(
            "k",
            "{{base_url}}/assets/vmlinuz",
            List.of("{{base_url}}/assets/initrd.img"),
            "console=ttyS0 BOOTIF=01-{{mac_hexhyp}}"));
    store.setDefaultProfile(Optional.of("k"));
    String s = resolve(MAC);
    ParsedScript script = new ParsedScript(s);
    assertThat(script.named("kernel"))
        .first()
        .satisfies(
            c ->
                assertThat(c.words())
                    .containsExactly(
                        "kernel",
                        ts.base() + "/assets/vmlinuz",
                        "console=ttyS0",
                        "BOOTIF=01-52-54-00-12-34-56"));
    assertThat(script.named("initrd"))
        .first()
        .satisfies(
            c -> assertThat(c.words()).containsExactly("initrd", ts.base() + "/assets/initrd.img"));
    assertThat(s).contains("inc cb-try").contains("iseq ${cb-try} 3 && goto chainboot_failed");
    assertThat(script.named("boot")).hasSize(1);
  }

  @Test
  void localDiskExitsOnEfiAndSanbootsOnBios() throws Exception {
    store.putProfile(Profile.localDisk("disk"));
    store.setDefaultProfile(Optional.of("disk"));
    String s = resolve(MAC);
    // issue 13: UEFI leaves with a failure status (was exit 0: some firmware then enters setup
    // instead of booting the disk); BIOS sanboots the first disk and, if that returns, exits 0
    assertThat(s)
        .contains("iseq ${platform} efi && set chainboot-leave 1 && exit 1 ||\n")
        .contains("sanboot --no-describe --drive 0x80 ||\nset chainboot-leave 0\nexit 0\n");
  }

  @Test
  void menuOffersItsProfiles() throws Exception {
    chainProfile("a");
    store.putProfile(Profile.localDisk("disk"));
    store.putProfile(Profile.menu("m", List.of("a", "disk")));
    store.setDefaultProfile(Optional.of("m"));
    ParsedScript s = new ParsedScript(resolve(MAC));
    assertThat(s.named("item")).extracting(c -> c.words().get(2)).containsExactly("a", "disk");
    assertThat(s.labels).contains("cbm-a", "cbm-disk");
    assertThat(s.named("choose")).hasSize(1);
  }

  @Test
  void theApiIsNotOnTheBootListener() throws Exception {
    resolve(MAC);
    // The API lives on the admin listener, behind tokens (ApiTest); the PXE LAN sees none of it.
    assertThat(ts.get("/api/v1/machines").statusCode()).isEqualTo(404);
    assertThat(ts.get("/api/v1/events?machine=52:54:00:12:34:56").statusCode()).isEqualTo(404);
    assertThat(ts.get("/login").statusCode()).isEqualTo(404);
  }

  @Test
  void aProfileAskedForByNameIsRenderedWhateverTheAssignmentsAndConsumesNothing() throws Exception {
    chainProfile("p-once");
    chainProfile("p-static");
    chainProfile("p-media");
    store.putMachine(Machine.of(MAC));
    store.assign(new Assignment(MAC, Assignment.Kind.ONCE, "p-once"));
    store.assign(new Assignment(MAC, Assignment.Kind.STATIC, "p-static"));

    HttpResponse<String> r = ts.get("/boot.ipxe?profile=p-media&mac=" + MAC.hexhyp());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("http://example.invalid/p-media.ipxe").doesNotContain("p-once");
    assertThat(events(MAC))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.match()).isEqualTo(BootEvent.Match.PROFILE);
              assertThat(e.profile()).contains("p-media");
              assertThat(e.onceConsumed()).isFalse();
            });
    // the once is still there for the next ordinary boot
    assertThat(resolve(MAC)).contains("p-once.ipxe");

    HttpResponse<String> unknown = ts.get("/boot.ipxe?profile=nope&mac=" + MAC.hexhyp());
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).contains("no profile named nope");

    // without a MAC, /boot.ipxe carries the (encoded) profile on to the resolver
    HttpResponse<String> chain = ts.get("/boot.ipxe?profile=p-media%0Ashell");
    assertThat(chain.body()).contains("&profile=p-media%0Ashell ").doesNotContain("\nshell");
  }
}
