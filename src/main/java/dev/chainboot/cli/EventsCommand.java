package dev.chainboot.cli;

import dev.chainboot.api.JsonViews;
import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.store.EventFilter;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code chainboot events [--machine M] [--profile P] [--match K] [--since T] [--until T]
 * [--follow]}: boot decisions, oldest first.
 */
@Command(
    name = "events",
    mixinStandardHelpOptions = true,
    description = "Show boot events (every decision the server made), oldest first.")
public final class EventsCommand implements Callable<Integer> {

  @Mixin StoreOptions opts;

  @Option(names = "--machine", paramLabel = "M", description = "Only this machine (MAC or IP).")
  String machine;

  @Option(names = "--profile", paramLabel = "P", description = "Only decisions for this profile.")
  String profile;

  @Option(
      names = "--match",
      paramLabel = "KIND",
      description = "Only decisions of this kind: once, static, group, default, none, error.")
  String match;

  @Option(
      names = "--since",
      paramLabel = "TIME",
      description = "Only events at or after TIME (e.g. 2030-01-02T03:04:05Z).")
  String since;

  @Option(names = "--until", paramLabel = "TIME", description = "Only events before TIME.")
  String until;

  @Option(names = "--follow", description = "Keep printing new events as they happen.")
  boolean follow;

  @Option(
      names = "--limit",
      description = "How many of the newest events (default: ${DEFAULT-VALUE}, at most 1000).")
  int limit = 50;

  @Override
  public Integer call() {
    return opts.run(
        "events",
        control -> {
          Optional<MacAddress> mac =
              machine == null
                  ? Optional.empty()
                  : Optional.of(control.machine(machine).machine().mac());
          EventFilter f =
              new EventFilter(
                  mac,
                  Optional.ofNullable(profile),
                  Optional.ofNullable(match).map(m -> JsonViews.match("--match", m)),
                  Optional.ofNullable(since).map(t -> JsonViews.instant("--since", t)),
                  Optional.ofNullable(until).map(t -> JsonViews.instant("--until", t)),
                  OptionalLong.empty(),
                  OptionalLong.empty(),
                  Math.min(EventFilter.MAX_LIMIT, Math.max(1, limit)));
          List<BootEvent> ev = control.events(f);
          print(ev, true);
          long last =
              ev.isEmpty() ? lastId(control.events(EventFilter.newest(1))) : ev.getLast().id();
          while (follow) {
            Thread.sleep(300);
            List<BootEvent> more = control.events(f.withAfter(last).withLimit(1000));
            if (!more.isEmpty()) {
              print(more, false);
              last = more.getLast().id();
            }
          }
        });
  }

  private static long lastId(List<BootEvent> one) {
    return one.isEmpty() ? 0 : one.get(0).id();
  }

  private void print(List<BootEvent> ev, boolean header) {
    if (opts.json) {
      if (follow) {
        ev.forEach(e -> System.out.println(dev.chainboot.api.Json.write(JsonViews.event(e))));
      } else {
        Json.print(ev.stream().map(JsonViews::event).toList());
      }
    } else {
      table(ev).print(System.out, header);
    }
    System.out.flush();
  }

  static Table table(List<BootEvent> ev) {
    Table t = new Table("ID", "TIME", "MAC", "CLIENT", "MATCH", "PROFILE", "ONCE", "REASON");
    for (BootEvent e : ev) {
      row(t, e);
    }
    return t;
  }

  private static void row(Table t, BootEvent e) {
    t.row(
        e.id(),
        e.time(),
        e.mac().map(MacAddress::colon).orElse(null),
        e.clientIp(),
        e.match().name().toLowerCase(java.util.Locale.ROOT) + "/" + e.protocol(),
        e.profile().orElse(null),
        e.onceConsumed() ? "consumed" : "-",
        e.reason());
  }
}
