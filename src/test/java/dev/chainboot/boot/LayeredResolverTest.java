package dev.chainboot.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The core's precedence over a request's own assignment source (a seed layout) and the store's
 * rules, table-driven: the source's once &gt; static &gt; default, then the store; the source's
 * decisions are recorded with its name, the store's are left to the store's resolver; HEAD (peek)
 * consumes and records nothing and never asks the store.
 */
class LayeredResolverTest {

  static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
  static final MacAddress MAC = MacAddress.parse("52:54:00:12:34:56").orElseThrow();

  /** A seed layout with any of the three assignments; its once can be taken once. */
  static final class Layout implements AssignmentSource {
    final AtomicBoolean once;
    final boolean hasStatic;
    final boolean hasDefault;
    final List<String> asked = new ArrayList<>();

    Layout(boolean once, boolean hasStatic, boolean hasDefault) {
      this.once = new AtomicBoolean(once);
      this.hasStatic = hasStatic;
      this.hasDefault = hasDefault;
    }

    @Override
    public String name() {
      return "seed";
    }

    @Override
    public Optional<Assigned> once(BootRequest request, boolean consume) {
      asked.add("once" + (consume ? "!" : "?"));
      boolean had = consume ? once.getAndSet(false) : once.get();
      return had ? Optional.of(assigned("ONCE")) : Optional.empty();
    }

    @Override
    public Optional<Assigned> staticFor(BootRequest request) {
      asked.add("static");
      return hasStatic ? Optional.of(assigned("STATIC")) : Optional.empty();
    }

    @Override
    public Optional<Assigned> defaultFor(BootRequest request) {
      asked.add("default");
      return hasDefault ? Optional.of(assigned("DEFAULT")) : Optional.empty();
    }

    static Assigned assigned(String what) {
      return new Assigned(("#!ipxe\necho " + what + "\n").getBytes(StandardCharsets.UTF_8), what);
    }
  }

  /** The store's rules as a stand-in that names itself and counts its calls. */
  static final class Store implements BootResolver {
    final List<BootRequest> resolved = new CopyOnWriteArrayList<>();

    @Override
    public BootAnswer resolve(BootRequest request, String baseUrl) {
      resolved.add(request);
      return new BootAnswer("#!ipxe\necho STORE " + baseUrl + "\n", "p", "store");
    }

    @Override
    public boolean hasBootFor(BootRequest request) {
      throw new AssertionError("not asked here");
    }

    @Override
    public Optional<BootAnswer> resolveProfile(BootRequest r, String profile, String baseUrl) {
      throw new AssertionError("not asked here");
    }
  }

  static BootRequest request() throws Exception {
    return new BootRequest(
        Optional.of(MAC),
        InetAddress.getByName("10.0.0.5"),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        BootRequest.Protocol.HTTP);
  }

  static Stream<Arguments> cases() {
    // once, static, default in the layout -> who answers (and the event's match)
    return Stream.of(
        Arguments.of(true, true, true, "ONCE"),
        Arguments.of(true, false, false, "ONCE"),
        Arguments.of(false, true, true, "STATIC"),
        Arguments.of(false, true, false, "STATIC"),
        Arguments.of(false, false, true, "DEFAULT"),
        Arguments.of(false, false, false, "STORE"));
  }

  @ParameterizedTest(name = "once={0} static={1} default={2} -> {3}")
  @MethodSource("cases")
  void theSourceWinsByPrecedenceThenTheStore(
      boolean once, boolean hasStatic, boolean hasDefault, String winner) throws Exception {
    Layout layout = new Layout(once, hasStatic, hasDefault);
    Store store = new Store();
    List<BootEvent> events = new ArrayList<>();
    LayeredResolver r = new LayeredResolver(store, events::add, Clock.fixed(NOW, ZoneOffset.UTC));

    BootAnswer a = r.resolve(request(), "http://h:1", layout);

    assertThat(a.text()).contains("echo " + winner);
    if (winner.equals("STORE")) {
      assertThat(store.resolved).hasSize(1);
      assertThat(events).as("the store's resolver records its own decisions").isEmpty();
      assertThat(a.text()).contains("http://h:1");
    } else {
      assertThat(store.resolved).as("the store is not asked").isEmpty();
      assertThat(events)
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.match()).isEqualTo(BootEvent.Match.valueOf(winner));
                assertThat(e.protocol()).isEqualTo("seed");
                assertThat(e.reason()).isEqualTo(winner);
                assertThat(e.mac()).contains(MAC);
                assertThat(e.clientIp()).isEqualTo("10.0.0.5");
                assertThat(e.time()).isEqualTo(NOW);
                assertThat(e.onceConsumed()).isEqualTo(winner.equals("ONCE"));
                assertThat(e.profile()).isEmpty();
              });
      assertThat(a.reason()).isEqualTo(winner);
    }
    if (winner.equals("ONCE")) {
      assertThat(layout.once).as("consumed").isFalse();
      assertThat(r.resolve(request(), "http://h:1", layout).text()).doesNotContain("ONCE");
    }
  }

  @ParameterizedTest(name = "peek once={0} static={1} default={2} -> {3}")
  @MethodSource("cases")
  void peekConsumesNothingRecordsNothingAndNeverAsksTheStore(
      boolean once, boolean hasStatic, boolean hasDefault, String winner) throws Exception {
    Layout layout = new Layout(once, hasStatic, hasDefault);
    Store store = new Store();
    List<BootEvent> events = new ArrayList<>();
    LayeredResolver r = new LayeredResolver(store, events::add);

    Optional<BootAnswer> a = r.peek(request(), layout);

    if (winner.equals("STORE")) {
      assertThat(a).isEmpty();
    } else {
      assertThat(a).get().extracting(BootAnswer::text).asString().contains("echo " + winner);
    }
    assertThat(layout.asked).doesNotContain("once!");
    assertThat(layout.once.get()).isEqualTo(once);
    assertThat(store.resolved).isEmpty();
    assertThat(events).isEmpty();
  }

  @Test
  void withoutASourceTheStoreDecides() throws Exception {
    Store store = new Store();
    List<BootEvent> events = new ArrayList<>();
    BootAnswer a =
        new LayeredResolver(store, events::add)
            .resolve(request(), "http://h:1", AssignmentSource.NONE);
    assertThat(a.text()).contains("STORE");
    assertThat(events).isEmpty();
  }
}
