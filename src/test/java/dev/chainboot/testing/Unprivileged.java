package dev.chainboot.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs a command without the privilege to bind ports below 1024, on every machine: in a fresh
 * network namespace (its own loopback, up) whose {@code net.ipv4.ip_unprivileged_port_start} is set
 * to 1024 (the sysctl is per namespace), with no capabilities. As root the command runs as nobody
 * (65534) after {@code unshare --net}; otherwise inside {@code unshare --user --map-root-user
 * --net}, as the namespace's root with every capability dropped. Nothing outside the namespace
 * changes, whatever the host's own setting is.
 */
public final class Unprivileged {

  private Unprivileged() {}

  private static final String FAILED = "unprivileged namespace setup failed";

  private static final String SETUP =
      "{ ip link set lo up"
          + " && echo 1024 > /proc/sys/net/ipv4/ip_unprivileged_port_start"
          + " && test \"$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)\" = 1024; }"
          + " || { echo '"
          + FAILED
          + "' >&2; exit 97; }; exec setpriv ";

  /** The command line that runs {@code cmd} that way (its exit status is the command's). */
  public static List<String> command(List<String> cmd) {
    boolean root = new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    List<String> c = new ArrayList<>();
    if (root) {
      c.addAll(
          List.of(
              "unshare",
              "--net",
              "--",
              "sh",
              "-c",
              SETUP
                  + "--reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all"
                  + " -- \"$@\"",
              "sh"));
    } else {
      c.addAll(
          List.of(
              "unshare",
              "--user",
              "--map-root-user",
              "--net",
              "--",
              "sh",
              "-c",
              SETUP + "--inh-caps=-all --bounding-set=-all -- \"$@\"",
              "sh"));
    }
    c.addAll(cmd);
    return c;
  }

  /**
   * Fails with a clear message when {@code output} shows that the namespace or the privilege drop
   * could not be set up (then the test would prove nothing).
   */
  public static void assertSetUp(String output) {
    for (String line : output.lines().toList()) {
      if (line.contains(FAILED)
          || List.of("unshare:", "setpriv:", "sh:", "RTNETLINK", "ip:").stream()
              .anyMatch(line::startsWith)) {
        throw new AssertionError(
            "could not set up an unprivileged network namespace for this"
                + " test (needs unshare, setpriv and ip from util-linux/iproute2; as non-root, user"
                + " namespaces): "
                + output);
      }
    }
  }
}
