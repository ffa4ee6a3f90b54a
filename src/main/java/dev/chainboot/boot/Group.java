package dev.chainboot.boot;

import dev.chainboot.text.Printable;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A selector over machines, matchbox-style: every constraint given must hold (labels equal,
 * architecture equal, MAC starting with a prefix). Among matching groups the most specific (most
 * constraints) wins; a tie goes to the smallest name.
 *
 * @param name unique name
 * @param profile the profile a matching machine boots
 * @param labels labels a machine must carry with these values
 * @param arch architecture a machine must have
 * @param macPrefix lowercase colon-separated prefix of the MAC, e.g. {@code 52:54:00}
 * @param firmware firmware settings (quirks, loader) for matching machines, whatever they boot
 */
public record Group(
    String name,
    String profile,
    Map<String, String> labels,
    Optional<Arch> arch,
    Optional<String> macPrefix,
    FirmwareSettings firmware) {

  /** A group without firmware settings. */
  public Group(
      String name,
      String profile,
      Map<String, String> labels,
      Optional<Arch> arch,
      Optional<String> macPrefix) {
    this(name, profile, labels, arch, macPrefix, FirmwareSettings.NONE);
  }

  /** Most specific first, then by name. */
  public static final Comparator<Group> PRECEDENCE =
      Comparator.comparingInt(Group::specificity).reversed().thenComparing(Group::name);

  public Group {
    Profile.checkName(name);
    Profile.checkName(profile);
    labels = Map.copyOf(new TreeMap<>(labels));
    macPrefix = macPrefix.map(Group::normalizePrefix);
    firmware = firmware == null ? FirmwareSettings.NONE : firmware;
  }

  /** Accepts {@code 52:54:00}, {@code 52-54-00} or {@code 525400}; returns the colon form. */
  public static String normalizePrefix(String p) {
    String hex = p.strip().toLowerCase(java.util.Locale.ROOT).replace(":", "").replace("-", "");
    if (!hex.matches("[0-9a-f]{1,12}")) {
      throw new IllegalArgumentException("not a MAC prefix: " + Printable.of(p));
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < hex.length(); i++) {
      if (i > 0 && i % 2 == 0) {
        b.append(':');
      }
      b.append(hex.charAt(i));
    }
    return b.toString();
  }

  /** Number of constraints; more is more specific. */
  public int specificity() {
    return labels.size() + (arch.isPresent() ? 1 : 0) + (macPrefix.isPresent() ? 1 : 0);
  }

  public boolean matches(Machine m) {
    if (arch.isPresent() && !arch.equals(m.arch())) {
      return false;
    }
    if (macPrefix.isPresent() && !m.mac().colon().startsWith(macPrefix.get())) {
      return false;
    }
    for (Map.Entry<String, String> e : labels.entrySet()) {
      if (!e.getValue().equals(m.labels().get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /** Human-readable selector, e.g. {@code arch=x86_64,mac=52:54:00,rack=r1}. */
  public String selector() {
    StringBuilder b = new StringBuilder();
    arch.ifPresent(a -> b.append("arch=").append(a.ipxeName()));
    macPrefix.ifPresent(p -> b.append(b.isEmpty() ? "" : ",").append("mac=").append(p));
    labels.forEach((k, v) -> b.append(b.isEmpty() ? "" : ",").append(k).append('=').append(v));
    return b.isEmpty() ? "(all)" : b.toString();
  }
}
