package dev.chainboot.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A network-boot lab on a namespace {@link Lan}: dnsmasq as the LAN's own DHCP server (addresses
 * only, no PXE options), a marker web server (python3 http.server on port 8081 of the server
 * address, logging every request), and chainboot itself (the real jar, {@code serve --proxy-dhcp}
 * on TFTP 69 and HTTP 8080) as the only source of boot information. QEMU {@link Guest}s join on tap
 * devices.
 */
public final class BootLab implements AutoCloseable {

  public final Lan lan;
  public final Path dir;
  public final Path data;
  public final Path log;
  public final Path markerLog;
  public final Path www;
  private Process chainboot;
  private dev.chainboot.store.SqliteStore store;

  private BootLab(Lan lan, Path dir) {
    this.lan = lan;
    this.dir = dir;
    this.data = dir.resolve("data");
    this.log = dir.resolve("chainboot.log");
    this.markerLog = dir.resolve("marker.log");
    this.www = dir.resolve("www");
  }

  /** The LAN, its DHCP server and the marker server; chainboot is started by {@link #serve}. */
  public static BootLab create(Path dir) throws Exception {
    Lan lan = Lan.create();
    BootLab lab = new BootLab(lan, dir);
    try {
      String dhcp = lan.attach("dhcp", null, lan.ip(2) + "/24");
      lan.startDnsmasq(dhcp, dir);
      Files.createDirectories(lab.www);
      Files.writeString(
          lab.www.resolve("marker.ipxe"),
          "#!ipxe\necho chainboot-test: marker reached\nsleep 600\n");
      lan.start(
          lan.server(),
          lab.markerLog,
          "python3",
          "-u",
          "-m",
          "http.server",
          "8081",
          "--bind",
          lan.ip(1),
          "--directory",
          lab.www.toString());
    } catch (Exception | AssertionError e) {
      lan.close();
      throw e;
    }
    return lab;
  }

  /** This server's address on the LAN. */
  public String server() {
    return lan.ip(1);
  }

  /** A chain URL to the marker that names the machine: {@code GET /marker.ipxe?mac=MAC}. */
  public String markerUrl() {
    return "http://" + server() + ":8081/marker.ipxe?mac={{mac_hexhyp}}";
  }

  /** The marker request a machine makes, as the marker server logs it. */
  public static String markerRequest(String mac) {
    return "GET /marker.ipxe?mac=" + mac.replace(':', '-');
  }

  /** Runs a chainboot CLI command against this lab's data directory ({@code --data} appended). */
  public String cli(String... args) throws Exception {
    List<String> a = new ArrayList<>(List.of(args));
    a.add("--data"); // picocli takes options after the positional parameters too
    a.add(data.toString());
    Processes.Output o =
        Processes.run(
            new ProcessBuilder(Jar.command(a.toArray(String[]::new))).redirectErrorStream(true),
            Duration.ofSeconds(90));
    assertThat(o.exit()).as("chainboot %s: %s", String.join(" ", a), o.stdout()).isZero();
    return o.stdout();
  }

  /**
   * Starts {@code chainboot serve --proxy-dhcp} in the server namespace (TFTP 69, HTTP 8080, plus
   * {@code extra}) and waits until the proxyDHCP listens.
   */
  public void serve(String... extra) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            Jar.command(
                "serve",
                "--proxy-dhcp",
                "--data",
                data.toString(),
                "--tftp",
                "0.0.0.0:69",
                "--http",
                "0.0.0.0:8080"));
    cmd.addAll(List.of(extra));
    chainboot = lan.start(lan.server(), log, cmd.toArray(String[]::new));
    assertThat(Lan.await(log, "proxyDHCP listening", chainboot, 90)).as(read(log)).isTrue();
  }

  /** chainboot's log so far. */
  public String log() {
    return read(log);
  }

  /** The marker server's log so far. */
  public String markers() {
    return read(markerLog);
  }

  /**
   * The lab's store, opened in this JVM (SQLite allows it beside the server): set-up and checks
   * without starting a JVM per CLI command.
   */
  public synchronized dev.chainboot.store.Store store() {
    if (store == null) {
      store = dev.chainboot.store.SqliteStore.open(data);
    }
    return store;
  }

  /** Adds a machine with a static assignment to {@code profile}. */
  public void machine(String mac, String profile) {
    dev.chainboot.boot.MacAddress m = dev.chainboot.boot.MacAddress.parse(mac).orElseThrow();
    store().putMachine(dev.chainboot.boot.Machine.of(m));
    store()
        .assign(
            new dev.chainboot.boot.Assignment(
                m, dev.chainboot.boot.Assignment.Kind.STATIC, profile));
  }

  /**
   * The machine's boot events, oldest first, once there is one that satisfies {@code want} (the
   * server records them in the background), or all there are after 10 s.
   */
  public List<dev.chainboot.boot.BootEvent> events(
      String mac, java.util.function.Predicate<dev.chainboot.boot.BootEvent> want)
      throws InterruptedException {
    dev.chainboot.boot.MacAddress m = dev.chainboot.boot.MacAddress.parse(mac).orElseThrow();
    long end = System.nanoTime() + 10_000_000_000L;
    while (true) {
      List<dev.chainboot.boot.BootEvent> e = store().recentEvents(java.util.Optional.of(m), 100);
      if (e.stream().anyMatch(want) || System.nanoTime() > end) {
        return e;
      }
      Thread.sleep(200);
    }
  }

  /** Boots a guest on tap {@code name} (at most 15 characters). */
  public Guest boot(String name, Guest.Firmware fw, Guest.Net net, String mac)
      throws IOException, InterruptedException {
    return Guest.boot(lan, dir, name, fw, net, mac);
  }

  public static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p, StandardCharsets.ISO_8859_1) : "";
    } catch (IOException e) {
      return e.toString();
    }
  }

  @Override
  public void close() {
    if (store != null) {
      store.close();
    }
    lan.close();
  }
}
