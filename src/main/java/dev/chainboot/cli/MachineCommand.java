package dev.chainboot.cli;

import dev.chainboot.api.Control;
import dev.chainboot.api.JsonViews;
import dev.chainboot.api.MachineDetail;
import dev.chainboot.boot.Arch;
import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Machine;
import dev.chainboot.boot.Platform;
import dev.chainboot.store.EventFilter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code chainboot machine add|list|show|rm}. */
@Command(
    name = "machine",
    mixinStandardHelpOptions = true,
    description = "Manage machines (known by MAC; also IP, UUID, serial, hostname, arch, labels).",
    subcommands = {
      MachineCommand.Add.class,
      MachineCommand.ListCmd.class,
      MachineCommand.Show.class,
      MachineCommand.Rm.class
    })
public final class MachineCommand implements Runnable {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description = "Add a machine, or replace the fields of a known one.")
  static final class Add implements Callable<Integer> {
    @Mixin StoreOptions opts;

    @Parameters(paramLabel = "MAC")
    String mac;

    @Option(names = "--ip")
    String ip;

    @Option(names = "--uuid")
    String uuid;

    @Option(names = "--serial")
    String serial;

    @Option(names = "--hostname")
    String hostname;

    @Option(names = "--arch", description = "i386, x86_64, arm32 or arm64")
    String arch;

    @Option(names = "--platform", description = "pcbios or efi")
    String platform;

    @Option(names = "--label", paramLabel = "K=V", description = "A label (repeatable).")
    Map<String, String> labels = new LinkedHashMap<>();

    @Override
    public Integer call() {
      return opts.run(
          "machine add",
          control -> {
            MacAddress m = StoreOptions.mac(mac);
            if (ip != null && !JsonViews.isIp(ip)) {
              throw StoreOptions.CliError.invalid("invalid IP address: " + ip);
            }
            Optional<Arch> a =
                Optional.ofNullable(arch)
                    .map(
                        x ->
                            Arch.parse(x)
                                .orElseThrow(
                                    () ->
                                        StoreOptions.CliError.invalid(
                                            "unknown architecture: " + x)));
            Optional<Platform> p =
                Optional.ofNullable(platform)
                    .map(
                        x ->
                            Platform.parse(x)
                                .orElseThrow(
                                    () -> StoreOptions.CliError.invalid("unknown platform: " + x)));
            Machine machine =
                new Machine(
                    m,
                    Optional.ofNullable(ip),
                    Optional.ofNullable(uuid),
                    Optional.ofNullable(serial),
                    Optional.ofNullable(hostname),
                    a,
                    p,
                    labels);
            control.putMachine(machine, Control.Expect.ANY);
            System.out.println("machine " + m + " saved");
          });
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List machines.")
  static final class ListCmd implements Callable<Integer> {
    @Mixin StoreOptions opts;

    @Override
    public Integer call() {
      return opts.run(
          "machine list",
          control -> {
            List<Machine> all = control.machines();
            if (opts.json) {
              Json.print(all.stream().map(JsonViews::machine).toList());
              return;
            }
            Table t = new Table("MAC", "IP", "HOSTNAME", "ARCH", "PLATFORM", "LABELS");
            for (Machine m : all) {
              t.row(
                  m.mac(),
                  m.ip().orElse(null),
                  m.hostname().orElse(null),
                  m.arch().map(Arch::ipxeName).orElse(null),
                  m.platform().map(Platform::ipxeName).orElse(null),
                  labels(m.labels()));
            }
            t.print(System.out);
          });
    }
  }

  static String labels(Map<String, String> l) {
    if (l.isEmpty()) {
      return "-";
    }
    StringBuilder b = new StringBuilder();
    l.forEach((k, v) -> b.append(b.isEmpty() ? "" : ",").append(k).append('=').append(v));
    return b.toString();
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Show a machine, its assignments and its last boots.")
  static final class Show implements Callable<Integer> {
    @Mixin StoreOptions opts;

    @Parameters(paramLabel = "MACHINE", description = "MAC or IP address")
    String machine;

    @Override
    public Integer call() {
      return opts.run(
          "machine show",
          control -> {
            MachineDetail d = control.machine(machine);
            Machine m = d.machine();
            Optional<String> once = d.once();
            Optional<String> fixed = d.staticProfile();
            List<BootEvent> ev =
                control.events(EventFilter.newest(10).withMac(Optional.of(m.mac())));
            if (opts.json) {
              Map<String, Object> o = JsonViews.machine(m);
              o.put("once", once.orElse(null));
              o.put("static", fixed.orElse(null));
              o.put("events", ev.stream().map(JsonViews::event).toList());
              Json.print(o);
              return;
            }
            System.out.println("mac:      " + m.mac());
            System.out.println("ip:       " + m.ip().orElse("-"));
            System.out.println("uuid:     " + m.uuid().orElse("-"));
            System.out.println("serial:   " + m.serial().orElse("-"));
            System.out.println("hostname: " + m.hostname().orElse("-"));
            System.out.println("arch:     " + m.arch().map(Arch::ipxeName).orElse("-"));
            System.out.println("platform: " + m.platform().map(Platform::ipxeName).orElse("-"));
            System.out.println("labels:   " + labels(m.labels()));
            System.out.println("once:     " + once.orElse("-"));
            System.out.println("static:   " + fixed.orElse("-"));
            System.out.println("last boots:");
            EventsCommand.table(ev).print(System.out);
          });
    }
  }

  @Command(
      name = "rm",
      mixinStandardHelpOptions = true,
      description = "Remove a machine and its assignments (its boot events stay).")
  static final class Rm implements Callable<Integer> {
    @Mixin StoreOptions opts;

    @Parameters(paramLabel = "MACHINE", description = "MAC or IP address")
    String machine;

    @Override
    public Integer call() {
      return opts.run(
          "machine rm",
          control -> {
            Machine m = control.machine(machine).machine();
            control.deleteMachine(m.mac().colon(), Control.Expect.ANY);
            System.out.println("machine " + m.mac() + " removed");
          });
    }
  }
}
