package dev.chainboot.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.boot.BootEvent.Match;
import dev.chainboot.boot.BootEvent.Stage;
import dev.chainboot.testing.InMemoryStore;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code boot once --until-done} in the core: the install is booted again until its installer calls
 * the per-boot URL its script carries, once; past its maximum the machine falls to its static
 * profile, flagged install loop.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UntilDoneTest {

  static final MacAddress MAC = MacAddress.parse("52:54:00:12:34:56").orElseThrow();
  static final String BASE = "http://10.0.0.1:8080";
  static final Pattern DONE = Pattern.compile("chainboot\\.done=(\\S*)");

  final InMemoryStore store = new InMemoryStore();
  final List<BootEvent> events = new CopyOnWriteArrayList<>();
  final BootCore core =
      new BootCore(
          store, events::add, Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC));

  @BeforeEach
  void install() {
    store.putProfile(
        Profile.kernel(
            "install",
            BASE + "/assets/linux",
            List.of(BASE + "/assets/initrd.gz"),
            "auto=true chainboot.done={{done_url}}"));
    store.putProfile(Profile.localDisk("disk"));
    store.putMachine(Machine.of(MAC));
    store.assign(new Assignment(MAC, Assignment.Kind.STATIC, "disk"));
  }

  BootAnswer boot() {
    return core.resolve(
        new BootRequest(
            Optional.of(MAC),
            BootCoreTest.ip("10.0.0.50"),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            BootRequest.Protocol.HTTP),
        BASE);
  }

  /** The callback URL in a script's kernel command line ("" when there is none). */
  static String doneUrl(BootAnswer a) {
    Matcher m = DONE.matcher(a.text());
    assertThat(m.find()).as("chainboot.done= in %s", a.text()).isTrue();
    return m.group(1);
  }

  static String token(String url) {
    assertThat(url).startsWith(BASE + CallbackToken.PATH);
    return url.substring((BASE + CallbackToken.PATH).length());
  }

  @Test
  void theInstallIsBootedAgainUntilItsInstallerCallsBackOnce() {
    store.holdOnce(MAC, "install", 3);
    BootAnswer first = boot();
    BootAnswer second = boot();
    assertThat(first.profile()).isEqualTo("install");
    assertThat(second.profile()).isEqualTo("install");
    String url1 = doneUrl(first);
    String url2 = doneUrl(second);
    assertThat(url1).isNotEqualTo(url2); // per boot
    String t2 = token(url2);
    assertThat(CallbackToken.wellFormed(t2)).isTrue();
    assertThat(first.text()).doesNotContain(MAC.hexraw() + "/"); // never the MAC alone

    // recorded: each boot says which it is, no token in the timeline
    List<BootEvent> scripts = events.stream().filter(e -> e.stage() == Stage.SCRIPT).toList();
    assertThat(scripts)
        .extracting(e -> e.detail().get("install"))
        .containsExactly("boot 1 of 3", "boot 2 of 3");
    assertThat(scripts).allSatisfy(e -> assertThat(e.onceConsumed()).isFalse());
    assertThat(scripts).allSatisfy(e -> assertThat(e.match()).isEqualTo(Match.ONCE));
    assertThat(scripts.toString()).doesNotContain(t2);
    assertThat(scripts.getFirst().detail())
        .containsEntry(Timeline.EXPECTS, "/assets/linux /assets/initrd.gz");

    assertThat(core.confirmInstall(t2, "10.0.0.50"))
        .isEqualTo(new BootStore.Confirmed(MAC, "install", 2));
    BootEvent cb = events.getLast();
    assertThat(cb.stage()).isEqualTo(Stage.CALLBACK);
    assertThat(cb.mac()).contains(MAC);
    assertThat(cb.detail()).containsEntry("result", "done");

    BootAnswer after = boot();
    assertThat(after.profile()).isEqualTo("disk");
    assertThat(after.reason()).isEqualTo("static assignment");

    // replayed, or the other boot's URL: refused, and said so in the timeline
    assertThat(core.confirmInstall(t2, "10.0.0.50")).isInstanceOf(BootStore.Refused.class);
    assertThat(core.confirmInstall(token(url1), "10.0.0.50")).isInstanceOf(BootStore.Refused.class);
    assertThat(events.getLast().detail()).containsEntry("result", "refused");
    assertThat(boot().profile()).isEqualTo("disk");
  }

  @Test
  void pastItsMaximumTheMachineFallsToItsStaticProfileFlaggedInstallLoop() {
    store.holdOnce(MAC, "install", 2);
    assertThat(boot().profile()).isEqualTo("install");
    assertThat(boot().profile()).isEqualTo("install");
    BootAnswer third = boot();
    assertThat(third.profile()).isEqualTo("disk");
    assertThat(third.reason())
        .isEqualTo("static assignment (install loop: install booted 2 times without its callback)");
    assertThat(events.getLast().detail()).containsEntry("install_loop", "install");
    assertThat(store.installHold(MAC).orElseThrow().state()).isEqualTo(InstallHold.State.LOOP);
    assertThat(store.installHold(MAC).orElseThrow().describe())
        .isEqualTo("install loop: install booted 2 times without its callback");
    assertThat(boot().reason()).isEqualTo("static assignment");
  }

  @Test
  void anOrdinaryBootHasAnEmptyCallbackUrlAndIsCached() {
    store.assign(new Assignment(MAC, Assignment.Kind.ONCE, "install"));
    BootAnswer once = boot();
    assertThat(doneUrl(once)).isEmpty();
    assertThat(events.getLast().onceConsumed()).isTrue();
    assertThat(boot().profile()).isEqualTo("disk");
  }

  @Test
  void anythingButAWellFormedLiveTokenIsRefusedWithoutAMachine() {
    for (String bad :
        List.of("", "x", "../../etc/passwd", "A".repeat(43), "A".repeat(44), "%00", MAC.colon())) {
      assertThat(core.confirmInstall(bad, "10.0.0.9"))
          .as(bad)
          .isInstanceOf(BootStore.Refused.class)
          .extracting(r -> ((BootStore.Refused) r).mac())
          .isEqualTo(Optional.empty());
    }
    assertThat(events).isEmpty();
  }
}
