package dev.chainboot.dhcp;

import dev.chainboot.boot.BootRequest;
import dev.chainboot.boot.MacAddress;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a DHCP request says about a network-booting client: whether it is a PXE or UEFI HTTP boot
 * client, its architecture code (option 93, else the {@code Arch:} field of its vendor class),
 * whether it is already iPXE, and its identity.
 */
public record PxeClient(
    Optional<MacAddress> mac,
    String vendorClass,
    Optional<Integer> archCode,
    List<String> userClasses,
    boolean ipxe,
    Optional<String> uuid,
    Optional<byte[]> uuidOption,
    java.util.Set<Integer> ipxeFeatures) {

  /** iPXE's feature sub-option (in option 175) saying it can fetch https:// URLs. */
  public static final int IPXE_FEATURE_HTTPS = 0x14;

  /** A client without iPXE features (not iPXE, or an iPXE that did not list them). */
  public PxeClient(
      Optional<MacAddress> mac,
      String vendorClass,
      Optional<Integer> archCode,
      List<String> userClasses,
      boolean ipxe,
      Optional<String> uuid,
      Optional<byte[]> uuidOption) {
    this(mac, vendorClass, archCode, userClasses, ipxe, uuid, uuidOption, java.util.Set.of());
  }

  private static final Pattern VENDOR_ARCH = Pattern.compile(":Arch:(\\d{5})");

  public static PxeClient of(DhcpMessage m) {
    DhcpOptions o = m.options();
    String vendor = o.string(DhcpOptions.VENDOR_CLASS).orElse("");
    List<Integer> arches = o.u16List(DhcpOptions.CLIENT_ARCH);
    Optional<Integer> arch = arches.isEmpty() ? Optional.empty() : Optional.of(arches.getFirst());
    if (arch.isEmpty()) {
      Matcher am = VENDOR_ARCH.matcher(vendor);
      if (am.find()) {
        arch = Optional.of(Integer.parseInt(am.group(1)));
      }
    }
    List<String> users =
        o.get(DhcpOptions.USER_CLASS).map(PxeClient::userClasses).orElse(List.of());
    boolean ipxe = users.contains("iPXE") || o.has(DhcpOptions.IPXE_ENCAPSULATED);
    Optional<byte[]> uuidOpt = o.get(DhcpOptions.CLIENT_UUID);
    Optional<String> uuid =
        uuidOpt.filter(v -> v.length == 17 && v[0] == 0).map(PxeClient::uuidText);
    // iPXE lists what it was built with as one-byte sub-options of option 175 (features.h)
    java.util.Set<Integer> features =
        o.encapsulated(DhcpOptions.IPXE_ENCAPSULATED)
            .map(e -> java.util.Set.copyOf(e.codes()))
            .orElse(java.util.Set.of());
    return new PxeClient(m.mac(), vendor, arch, users, ipxe, uuid, uuidOpt, features);
  }

  /** iPXE that says it can fetch https:// URLs (feature 0x14 in option 175). */
  public boolean ipxeHttps() {
    return ipxe && ipxeFeatures.contains(IPXE_FEATURE_HTTPS);
  }

  /** Vendor class starts with {@code PXEClient} (PXE firmware, iPXE). */
  public boolean pxe() {
    return vendorClass.startsWith("PXEClient");
  }

  /** Vendor class starts with {@code HTTPClient} (UEFI HTTP boot). */
  public boolean httpClient() {
    return vendorClass.startsWith("HTTPClient");
  }

  public Optional<ClientArch> clientArch() {
    return archCode.flatMap(ClientArch::of);
  }

  /** The transport-neutral request the boot core decides on. */
  public BootRequest toBootRequest(InetAddress clientIp) {
    Optional<ClientArch> a = clientArch();
    return new BootRequest(
        mac,
        clientIp,
        uuid,
        Optional.empty(),
        Optional.empty(),
        a.map(ClientArch::arch),
        a.map(ClientArch::platform),
        BootRequest.Protocol.DHCP);
  }

  /**
   * Option 77's classes: RFC 3004 (length-prefixed items) when the value parses as such, otherwise
   * the whole value as one string (iPXE sends a plain {@code iPXE}).
   */
  static List<String> userClasses(byte[] v) {
    List<String> out = new ArrayList<>();
    int i = 0;
    boolean rfc3004 = v.length > 0;
    while (i < v.length) {
      int len = v[i] & 0xff;
      if (len == 0 || i + 1 + len > v.length) {
        rfc3004 = false;
        break;
      }
      out.add(new String(v, i + 1, len, java.nio.charset.StandardCharsets.ISO_8859_1));
      i += 1 + len;
    }
    if (rfc3004) {
      return List.copyOf(out);
    }
    return List.of(new String(v, java.nio.charset.StandardCharsets.ISO_8859_1));
  }

  /**
   * Option 97's GUID (after the type byte) as text. PXE firmware and iPXE send the SMBIOS UUID with
   * its first three fields little-endian (as SMBIOS stores it), so those are swapped back: the
   * result is the UUID that dmidecode and iPXE's {@code ${uuid}} show.
   */
  private static String uuidText(byte[] v) {
    byte[] g = java.util.Arrays.copyOfRange(v, 1, 17);
    byte[] b = {
      g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12], g[13], g[14],
      g[15]
    };
    String h = HexFormat.of().formatHex(b).toLowerCase(Locale.ROOT);
    return h.substring(0, 8)
        + "-"
        + h.substring(8, 12)
        + "-"
        + h.substring(12, 16)
        + "-"
        + h.substring(16, 20)
        + "-"
        + h.substring(20);
  }
}
