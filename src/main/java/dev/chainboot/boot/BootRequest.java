package dev.chainboot.boot;

import java.net.InetAddress;
import java.util.Optional;

/**
 * What a transport learned about a machine asking to boot, in transport-neutral form. Every
 * transport (DHCP, TFTP, HTTP) parses its wire format into one of these; the boot core decides from
 * it. Optional fields are empty when the client did not say.
 *
 * @param mac the machine's MAC address, if known
 * @param clientIp the address the request came from
 * @param uuid SMBIOS UUID as sent by the firmware or iPXE
 * @param serial SMBIOS serial number
 * @param hostname host name iPXE knows
 * @param arch CPU architecture
 * @param platform firmware type
 * @param protocol which transport carried the request
 */
public record BootRequest(
    Optional<MacAddress> mac,
    InetAddress clientIp,
    Optional<String> uuid,
    Optional<String> serial,
    Optional<String> hostname,
    Optional<Arch> arch,
    Optional<Platform> platform,
    Protocol protocol) {

  /** The transport a boot request arrived on. */
  public enum Protocol {
    DHCP,
    TFTP,
    HTTP
  }
}
