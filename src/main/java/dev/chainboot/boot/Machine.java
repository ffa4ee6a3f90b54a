package dev.chainboot.boot;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A machine chainboot knows, keyed by its MAC address. Fields other than the MAC are what the
 * operator set or what the machine last said about itself; any may be empty.
 *
 * @param mac primary identity
 * @param ip the address it last booted from (or the operator set); used to key by IP
 * @param uuid SMBIOS UUID
 * @param serial SMBIOS serial number
 * @param hostname host name
 * @param arch CPU architecture
 * @param platform firmware type
 * @param labels free labels, matched by groups and available to templates
 */
public record Machine(
    MacAddress mac,
    Optional<String> ip,
    Optional<String> uuid,
    Optional<String> serial,
    Optional<String> hostname,
    Optional<Arch> arch,
    Optional<Platform> platform,
    Map<String, String> labels) {

  private static final java.util.regex.Pattern LABEL_NAME =
      java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,64}");

  public Machine {
    labels = Map.copyOf(new TreeMap<>(labels));
    for (String k : labels.keySet()) {
      if (!LABEL_NAME.matcher(k).matches()) {
        throw new IllegalArgumentException(
            "label name must be 1-64 letters, digits, '.', '_' or '-': " + k);
      }
    }
  }

  /** A machine known only by its MAC. */
  public static Machine of(MacAddress mac) {
    return new Machine(
        mac,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Map.of());
  }

  /** The machine as a first boot request describes it. */
  public static Machine fromRequest(MacAddress mac, BootRequest r) {
    return new Machine(
        mac,
        Optional.of(r.clientIp().getHostAddress()),
        r.uuid(),
        r.serial(),
        r.hostname(),
        r.arch(),
        r.platform(),
        Map.of());
  }

  /**
   * This machine updated with what a boot request said (IP always; other fields when the request
   * carried them). Labels are the operator's and never change here.
   */
  public Machine seenAs(BootRequest r) {
    return new Machine(
        mac,
        Optional.of(r.clientIp().getHostAddress()),
        r.uuid().or(() -> uuid),
        r.serial().or(() -> serial),
        r.hostname().or(() -> hostname),
        r.arch().or(() -> arch),
        r.platform().or(() -> platform),
        labels);
  }

  public Machine withLabels(Map<String, String> newLabels) {
    return new Machine(mac, ip, uuid, serial, hostname, arch, platform, newLabels);
  }
}
