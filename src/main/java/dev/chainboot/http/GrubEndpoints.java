package dev.chainboot.http;

import dev.chainboot.boot.Arch;
import dev.chainboot.boot.BootRequest;
import dev.chainboot.boot.BootResolver;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Platform;
import dev.chainboot.grub.GrubConfig;
import dev.chainboot.text.Printable;
import java.util.Optional;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code /boot/grub/<mac>.cfg}: a machine's GRUB configuration, the last step of the signed chain
 * (shim, GRUB; see {@link GrubConfig#entry}). The boot core decides exactly as for {@code
 * /boot.ipxe} (once &gt; static &gt; group &gt; default, the once consumed, the event recorded);
 * only the answer's language is GRUB's. GET only: it may consume a once-assignment.
 */
final class GrubEndpoints extends Handler.Abstract {

  private final BootResolver resolver;

  GrubEndpoints(BootResolver resolver) {
    this.resolver = resolver;
  }

  @Override
  public boolean handle(Request req, Response resp, Callback cb) {
    if (!Methods.allowed(req, resp, cb, Methods.GET)) {
      return true;
    }
    String name = Requests.pathAfter(req, GrubConfig.MACHINE_PATH).orElse("");
    Optional<MacAddress> mac =
        name.endsWith(".cfg")
            ? MacAddress.parse(name.substring(0, name.length() - 4))
            : Optional.empty();
    if (mac.isEmpty()) {
      return Responses.text(
          req,
          resp,
          cb,
          404,
          "chainboot: a GRUB configuration is "
              + GrubConfig.MACHINE_PATH
              + "<mac>.cfg, not "
              + Printable.of(name)
              + "\n");
    }
    // the signed chain is x86_64 UEFI's (shim and GRUB are x86_64 EFI applications)
    BootRequest br =
        new BootRequest(
            mac,
            Requests.clientIp(req),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.of(Arch.X86_64),
            Optional.of(Platform.EFI),
            BootRequest.Protocol.HTTP);
    return Responses.script(req, resp, cb, 200, resolver.resolveGrub(br, baseUrl(req)).body());
  }

  /**
   * The base URL for GRUB's requests: GRUB's http module sends {@code Host} without the port it
   * connected to, so a Host without a port gets the port the connection arrived on (GRUB talks to
   * chainboot directly: the signed chain has no proxy in between).
   */
  static String baseUrl(Request req) {
    String base = Requests.baseUrl(req);
    String hostPart = base.substring(base.indexOf("://") + 3);
    boolean hasPort =
        hostPart.startsWith("[") ? hostPart.contains("]:") : hostPart.indexOf(':') >= 0;
    return hasPort ? base : base + ":" + Request.getLocalPort(req);
  }
}
