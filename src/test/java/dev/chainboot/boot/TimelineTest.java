package dev.chainboot.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.boot.BootEvent.Stage;
import dev.chainboot.testing.InMemoryStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The timeline on its own: which machine a stage that came with an address belongs to, and the
 * stall watch ("got the kernel, never asked for the initrd"), on a clock the test moves.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TimelineTest {

  static final MacAddress MAC = MacAddress.parse("52:54:00:12:34:56").orElseThrow();
  static final MacAddress OTHER = MacAddress.parse("52:54:00:00:00:02").orElseThrow();
  static final String IP = "10.0.0.50";
  static final String BASE = "http://10.0.0.1:8080";

  /** A clock the test moves. */
  static final class TestClock extends Clock {
    Instant now = Instant.parse("2030-01-02T03:04:05Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  final InMemoryStore store = new InMemoryStore();
  final List<BootEvent> out = new CopyOnWriteArrayList<>();
  final TestClock clock = new TestClock();
  final Timeline timeline = new Timeline(store, out::add, clock, Duration.ofSeconds(60));

  void tftp(String ip, String file, String result) {
    timeline.record(
        Stage.TFTP,
        Optional.empty(),
        ip,
        "tftp",
        file + ": " + result,
        Map.of("file", file, "result", result, "bytes", "100"));
  }

  void download(String path, String status) {
    timeline.record(
        Stage.DOWNLOAD,
        Optional.empty(),
        IP,
        "http",
        "GET " + path + " " + status,
        Map.of("path", path, "status", status));
  }

  void offer(MacAddress mac, String file) {
    timeline.record(
        Stage.DHCP_OFFER, Optional.of(mac), "0.0.0.0", "dhcp", "offer", Map.of("file", file));
  }

  /** A decision as the core records it: a kernel profile whose kernel and initrd are ours. */
  void script(MacAddress mac, String expects) {
    timeline.accept(
        new BootEvent(
            0,
            clock.instant(),
            Optional.of(mac),
            IP,
            BootEvent.Match.STATIC,
            "static assignment",
            Optional.of("debian"),
            "http",
            false,
            Stage.SCRIPT,
            expects == null ? Map.of() : Map.of(Timeline.EXPECTS, expects)));
  }

  static Machine at(MacAddress mac, String ip) {
    Machine m = Machine.of(mac);
    return new Machine(
        mac, Optional.of(ip), m.uuid(), m.serial(), m.hostname(), m.arch(), m.platform(), Map.of());
  }

  List<BootEvent> stalls() {
    return out.stream().filter(e -> e.stage() == Stage.STALLED).toList();
  }

  @Test
  void aStageWithAnAddressOnlyBelongsToTheMachineLastSeenThere() {
    timeline.seen(MAC, IP); // the DHCP REQUEST named the address
    tftp(IP, "undionly.kpxe", "ok");
    tftp("10.0.0.99", "undionly.kpxe", "ok"); // nobody known there
    assertThat(out).hasSize(2);
    assertThat(out.get(0).mac()).contains(MAC);
    assertThat(out.get(0).match()).isEqualTo(BootEvent.Match.STAGE);
    assertThat(out.get(0).stage()).isEqualTo(Stage.TFTP);
    assertThat(out.get(0).time()).isEqualTo(clock.now);
    assertThat(out.get(0).detail()).containsEntry("file", "undionly.kpxe");
    assertThat(out.get(1).mac()).isEmpty();

    // a decision at an address moves it to its machine
    script(OTHER, null);
    tftp(IP, "undionly.kpxe", "ok");
    assertThat(out.getLast().mac()).contains(OTHER);
  }

  @Test
  void withoutAnythingLearnedTheStoreSaysWhoIsAtTheAddress() {
    store.putMachine(at(MAC, IP));
    download("/assets/x", "200");
    assertThat(out.getLast().mac()).contains(MAC);
    // asked again only after a while: a machine added meanwhile is found later
    store.putMachine(at(OTHER, "10.0.0.7"));
    timeline.record(Stage.DOWNLOAD, Optional.empty(), "10.0.0.7", "http", "-", Map.of());
    assertThat(out.getLast().mac()).contains(OTHER);
  }

  @Test
  void aMachineThatGotUndionlyAndNeverCameBackOverHttpIsFlaggedOnce() {
    offer(MAC, "undionly.kpxe");
    timeline.seen(MAC, IP);
    tftp(IP, "undionly.kpxe", "ok");
    clock.advance(Duration.ofSeconds(59));
    assertThat(timeline.checkStalls()).isZero();
    assertThat(timeline.progress(MAC))
        .get()
        .extracting(Timeline.Progress::stalled)
        .isEqualTo(false);
    clock.advance(Duration.ofSeconds(2));
    assertThat(timeline.checkStalls()).isEqualTo(1);
    assertThat(timeline.checkStalls()).isEqualTo(1); // flagged once, still stalled
    assertThat(stalls()).hasSize(1);
    BootEvent s = stalls().getFirst();
    assertThat(s.mac()).contains(MAC);
    assertThat(s.clientIp()).isEqualTo(IP);
    assertThat(s.reason())
        .isEqualTo(
            "stalled: got undionly.kpxe over TFTP, never came back over HTTP (61 s after its last"
                + " stage)");
    assertThat(timeline.stalled()).containsOnlyKeys(MAC);
    assertThat(timeline.stalledCount()).isEqualTo(1);

    // it comes back: no longer stalled; its script boots nothing more from us: done
    script(MAC, null);
    assertThat(timeline.stalledCount()).isZero();
    assertThat(timeline.progress(MAC)).isEmpty();
  }

  @Test
  void gotTheKernelNeverAskedForTheInitrd() {
    script(MAC, "/assets/linux /assets/initrd.gz");
    assertThat(timeline.progress(MAC).orElseThrow().waitingFor())
        .isEqualTo("got its script (debian), never asked for /assets/linux");
    download("/assets/linux", "200");
    download("/assets/unrelated", "200"); // not what it waits for: keeps waiting
    assertThat(timeline.progress(MAC).orElseThrow().waitingFor())
        .isEqualTo("got /assets/linux, never asked for /assets/initrd.gz");
    clock.advance(Duration.ofMinutes(2));
    timeline.checkStalls();
    assertThat(stalls())
        .singleElement()
        .extracting(BootEvent::reason)
        .asString()
        .startsWith("stalled: got /assets/linux, never asked for /assets/initrd.gz");
  }

  @Test
  void aMachineThatFetchedEverythingItsScriptBootsIsDone() {
    script(MAC, "/assets/linux /assets/initrd.gz");
    download("/assets/initrd.gz", "404"); // failed: still expected
    assertThat(timeline.progress(MAC)).isPresent();
    download("/assets/linux", "200");
    download("/assets/initrd.gz", "200");
    assertThat(timeline.progress(MAC)).isEmpty();
    clock.advance(Duration.ofHours(1));
    assertThat(timeline.checkStalls()).isZero();
    assertThat(stalls()).isEmpty();
  }

  @Test
  void anInstallersCallbackEndsTheBoot() {
    script(MAC, "/assets/linux");
    timeline.accept(
        new BootEvent(
            0,
            clock.instant(),
            Optional.of(MAC),
            IP,
            BootEvent.Match.STAGE,
            "installer called back",
            Optional.of("debian"),
            "http",
            false,
            Stage.CALLBACK,
            Map.of("result", "done")));
    clock.advance(Duration.ofHours(1));
    assertThat(timeline.checkStalls()).isZero();
  }

  @Test
  void aFailedTransferIsSaidWhenTheMachineStalls() {
    timeline.seen(MAC, IP);
    tftp(IP, "snponly.efi", "timeout (no ACK for block 3 after 6 tries)");
    clock.advance(Duration.ofMinutes(5));
    timeline.checkStalls();
    assertThat(stalls().getFirst().reason())
        .contains("TFTP of snponly.efi failed (timeout (no ACK for block 3 after 6 tries))");
    assertThat(stalls().getFirst().detail()).containsEntry("waited_s", "300");
  }

  @Test
  void ignoredDhcpRequestsAndMediaAreNotBootProgress() {
    timeline.record(
        Stage.DHCP_IGNORED, Optional.of(MAC), "0.0.0.0", "dhcp", "silent", Map.of("arch", "x"));
    timeline.record(Stage.MEDIA, Optional.of(MAC), IP, "http", "GET /media/x.iso", Map.of());
    assertThat(timeline.progress(MAC)).isEmpty();
    assertThat(out).hasSize(2); // passed on (counted), whether recorded or not
    assertThat(Stage.DHCP_IGNORED.recorded()).isFalse();
    assertThat(Stage.MEDIA.recorded()).isTrue();
  }

  @Test
  void stageLabelsRoundTrip() {
    for (Stage s : Stage.values()) {
      assertThat(Stage.parse(s.label())).contains(s);
    }
    assertThat(Stage.DHCP_OFFER.label()).isEqualTo("dhcp-offer");
  }
}
