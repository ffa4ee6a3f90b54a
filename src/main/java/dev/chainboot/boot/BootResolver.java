package dev.chainboot.boot;

import java.util.Optional;

/**
 * The boot core as the transports see it. Every transport and every compat adapter (pxe_srv, pixie,
 * Zero-OS) turns its wire format into a {@link BootRequest} and asks this (through {@link
 * LayeredResolver} when it brings a seed layout); none of them holds boot policy of its own.
 */
public interface BootResolver {

  /**
   * Decides what {@code request}'s machine boots now (once &gt; static &gt; group &gt; default),
   * consumes a once-assignment if that is what matched, records the BootEvent, and renders the iPXE
   * script.
   *
   * @param baseUrl this server's base URL as the client reached it, e.g. {@code
   *     http://10.0.0.1:8080} (no trailing slash), for templates that link back
   */
  BootAnswer resolve(BootRequest request, String baseUrl);

  /**
   * Whether the core has anything for this machine (an assignment, a matching group or a default)
   * without consuming or recording anything. proxyDHCP offers nothing to a machine for which this
   * is false, so it boots as if chainboot were not there.
   */
  boolean hasBootFor(BootRequest request);

  /**
   * Like {@link #resolve}, but the answer is a GRUB configuration: the last step of the signed
   * chain (shim, GRUB) that Secure Boot machines boot through. The same decision, consumption and
   * event; only the language differs.
   */
  default BootAnswer resolveGrub(BootRequest request, String baseUrl) {
    return new BootAnswer(
        GrubRenderer.nothing(
            request.mac().map(MacAddress::colon).orElse("this machine (no MAC given)"),
            FirmwareSettings.NONE),
        "",
        "no boot core");
  }

  /**
   * How this machine's firmware is to be served when the core has something for it (as {@link
   * #hasBootFor}, nothing consumed or recorded): the firmware settings of the groups it matches
   * (most specific first) with the loader its profile needs; empty when there is nothing to boot.
   * Transports that hand out boot files (proxyDHCP) follow it: which binary, which loader, which
   * quirks.
   */
  default Optional<FirmwareSettings> firmwareFor(BootRequest request) {
    return hasBootFor(request) ? Optional.of(FirmwareSettings.NONE) : Optional.empty();
  }

  /**
   * Renders the named profile for {@code request}'s machine whatever its assignments say (boot
   * media made for a profile ask for it by name), records the BootEvent, and consumes nothing.
   * Empty when no profile has that name.
   */
  Optional<BootAnswer> resolveProfile(BootRequest request, String profile, String baseUrl);

  /**
   * An installer's call to its per-boot callback URL ({@code --until-done}): ends the install held
   * until done, at most once per install; everything else is refused.
   *
   * @param token the token from the URL
   * @param clientIp who called
   */
  default BootStore.CallbackResult confirmInstall(String token, String clientIp) {
    return new BootStore.Refused(Optional.empty(), "no boot core");
  }

  /**
   * What {@link #resolve} would answer {@code request} now, and why, taking nothing: no
   * once-assignment consumed, no event recorded, no machine registered or updated (the API's and
   * CLI's dry run). Resolvers that cannot tell throw {@link UnsupportedOperationException}.
   */
  default Preview preview(BootRequest request, String baseUrl) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot preview");
  }

  /**
   * No boot core: nothing is configured for anyone (resolve says so and exits to the next boot
   * device), and nobody is filtered out ({@link #hasBootFor} is true), so a transport without a
   * core behaves as a plain boot server.
   */
  BootResolver NONE =
      new BootResolver() {
        @Override
        public BootAnswer resolve(BootRequest request, String baseUrl) {
          return new BootAnswer(
              ScriptRenderer.nothing(
                  request.mac().map(MacAddress::colon).orElse("this machine (no MAC given)")),
              "",
              "no boot core");
        }

        @Override
        public boolean hasBootFor(BootRequest request) {
          return true;
        }

        @Override
        public Optional<BootAnswer> resolveProfile(
            BootRequest request, String profile, String baseUrl) {
          return Optional.empty();
        }

        @Override
        public Preview preview(BootRequest request, String baseUrl) {
          BootAnswer a = resolve(request, baseUrl);
          return new Preview(
              request.mac(),
              false,
              BootEvent.Match.NONE,
              a.reason(),
              Optional.empty(),
              false,
              a.text());
        }
      };
}
