package dev.chainboot.boot;

/**
 * The boot core as the transports see it. Every transport and every compat adapter (pxe_srv,
 * pixie, Zero-OS) turns its wire format into a {@link BootRequest} and asks this; none of
 * them holds boot policy of its own.
 */
public interface BootResolver {

  /**
   * Decides what {@code request}'s machine boots now (once &gt; static &gt; group &gt; default),
   * consumes a once-assignment if that is what matched, records the BootEvent, and renders
   * the iPXE script.
   *
   * @param baseUrl this server's base URL as the client reached it, e.g.
   *     {@code http://10.0.0.1:8080} (no trailing slash), for templates that link back
   */
  BootScript resolve(BootRequest request, String baseUrl);

  /**
   * Whether the core has anything for this machine (an assignment, a matching group or a
   * default) without consuming or recording anything. proxyDHCP offers nothing to a machine
   * for which this is false, so it boots as if chainboot were not there.
   */
  boolean hasBootFor(BootRequest request);

  /**
   * Renders the named profile for {@code request}'s machine whatever its assignments say (boot
   * media made for a profile ask for it by name), records the BootEvent, and consumes nothing.
   * Empty when no profile has that name.
   */
  java.util.Optional<BootScript> resolveProfile(BootRequest request, String profile,
      String baseUrl);

  /**
   * An iPXE script and why it was chosen.
   *
   * @param text the script, starting with {@code #!ipxe}
   * @param profile the profile's name, or empty when nothing matched
   * @param reason what matched, for logs and events (e.g. "once", "static", "group rack1",
   *     "default", "no match")
   */
  record BootScript(String text, String profile, String reason) {}
}
