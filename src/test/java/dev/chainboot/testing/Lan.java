package dev.chainboot.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away Ethernet segment made of network namespaces (run as root): a "server" namespace
 * holding a bridge with address {@code prefix.1/24}, and further namespaces attached to the bridge
 * by veth pairs. Names are unique per run; {@link #close()} kills the processes it started and
 * deletes every namespace it made.
 */
public final class Lan implements AutoCloseable {

  private final String id;
  private final String prefix;
  private final String server;
  private final List<String> namespaces = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();
  private int links;

  private Lan() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    this.id = "cb" + HexFormat.of().toHexDigits((short) r.nextInt()).substring(0, 4);
    this.prefix = "10." + r.nextInt(100, 250) + "." + r.nextInt(1, 250);
    this.server = id + "srv";
  }

  /** Creates the server namespace with bridge {@code br0} at {@code prefix.1/24}. */
  public static Lan create() throws IOException, InterruptedException {
    Lan lan = new Lan();
    try {
      lan.addNamespace(lan.server);
      lan.run("ip", "-n", lan.server, "link", "add", "br0", "type", "bridge");
      lan.run("ip", "-n", lan.server, "addr", "add", lan.prefix + ".1/24", "dev", "br0");
      lan.run("ip", "-n", lan.server, "link", "set", "br0", "up");
      lan.run("ip", "-n", lan.server, "link", "set", "lo", "up");
    } catch (IOException | InterruptedException | RuntimeException e) {
      lan.close();
      throw e;
    }
    return lan;
  }

  /** The namespace holding the bridge (and chainboot). */
  public String server() {
    return server;
  }

  /** {@code prefix.host}, e.g. {@code ip(1)} is the server's address. */
  public String ip(int host) {
    return prefix + "." + host;
  }

  /**
   * Adds a namespace attached to the bridge; its end of the veth is {@code eth0}.
   *
   * @param mac the interface's MAC, or null
   * @param cidr an address such as {@code ip(2) + "/24"}, or null for none (a DHCP client)
   */
  public String attach(String name, String mac, String cidr)
      throws IOException, InterruptedException {
    String ns = id + name;
    addNamespace(ns);
    String a = id + "h" + links;
    String b = id + "p" + links;
    links++;
    run("ip", "link", "add", a, "type", "veth", "peer", "name", b);
    run("ip", "link", "set", a, "netns", server);
    run("ip", "-n", server, "link", "set", a, "master", "br0");
    run("ip", "-n", server, "link", "set", a, "up");
    run("ip", "link", "set", b, "netns", ns);
    run("ip", "-n", ns, "link", "set", b, "name", "eth0");
    if (mac != null) {
      run("ip", "-n", ns, "link", "set", "eth0", "address", mac);
    }
    if (cidr != null) {
      run("ip", "-n", ns, "addr", "add", cidr, "dev", "eth0");
    }
    run("ip", "-n", ns, "link", "set", "eth0", "up");
    run("ip", "-n", ns, "link", "set", "lo", "up");
    return ns;
  }

  /** Adds a tap device {@code name} to the bridge, for a QEMU guest run in the server namespace. */
  public void addTap(String name) throws IOException, InterruptedException {
    run("ip", "-n", server, "tuntap", "add", "dev", name, "mode", "tap");
    run("ip", "-n", server, "link", "set", name, "master", "br0");
    run("ip", "-n", server, "link", "set", name, "up");
  }

  private void addNamespace(String ns) throws IOException, InterruptedException {
    run("ip", "netns", "add", ns);
    namespaces.add(ns);
  }

  /**
   * Runs a command in {@code ns} to completion (bounded), returning its output; fails on non-zero
   * exit.
   */
  public String exec(String ns, String... cmd) throws IOException, InterruptedException {
    return run(inNs(ns, cmd));
  }

  /**
   * Starts a long-running command in {@code ns}, output to {@code log}; killed by {@link #close()}.
   */
  public Process start(String ns, Path log, String... cmd) throws IOException {
    Process p =
        new ProcessBuilder(inNs(ns, cmd))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    processes.add(p);
    return p;
  }

  /** Starts the LAN's own DHCP server: dnsmasq with an address range and no PXE options at all. */
  public Process startDnsmasq(String ns, Path dir) throws IOException {
    return start(
        ns,
        dir.resolve("dnsmasq.log"),
        "dnsmasq",
        "--no-daemon",
        "--conf-file=/dev/null",
        "--port=0",
        "--interface=eth0",
        "--bind-interfaces",
        "--dhcp-range=" + ip(100) + "," + ip(150) + ",2m",
        "--dhcp-leasefile=" + dir.resolve("dnsmasq.leases"),
        "--log-dhcp",
        "--pid-file=" + dir.resolve("dnsmasq.pid"));
  }

  static String[] inNs(String ns, String... cmd) {
    String[] full = new String[cmd.length + 4];
    full[0] = "ip";
    full[1] = "netns";
    full[2] = "exec";
    full[3] = ns;
    System.arraycopy(cmd, 0, full, 4, cmd.length);
    return full;
  }

  static String run(String... cmd) throws IOException, InterruptedException {
    dev.chainboot.testing.Processes.Output o =
        dev.chainboot.testing.Processes.run(java.time.Duration.ofSeconds(60), cmd);
    if (o.exit() != 0) {
      throw new IOException(String.join(" ", cmd) + " exited " + o.exit() + ": " + o.stdout());
    }
    return o.stdout();
  }

  /** Waits until {@code file} contains {@code text} (or the process died, or time ran out). */
  public static boolean await(Path file, String text, Process p, long seconds) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < end) {
      if (Files.exists(file)
          && Files.readString(file, StandardCharsets.ISO_8859_1).contains(text)) {
        return true;
      }
      if (p != null && !p.isAlive()) {
        return Files.exists(file)
            && Files.readString(file, StandardCharsets.ISO_8859_1).contains(text);
      }
      Thread.sleep(100);
    }
    return false;
  }

  @Override
  public void close() {
    for (Process p : processes.reversed()) {
      p.destroy();
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (String ns : namespaces.reversed()) {
      try {
        run("ip", "netns", "del", ns);
      } catch (IOException | InterruptedException | AssertionError e) {
        System.err.println("Lan: could not delete namespace " + ns + ": " + e.getMessage());
      }
    }
  }
}
