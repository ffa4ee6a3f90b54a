package dev.chainboot.http;

import dev.chainboot.boot.BootRequest;
import dev.chainboot.boot.BootResolver;
import dev.chainboot.boot.MacAddress;
import java.util.Optional;
import java.util.function.Predicate;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Zero-OS bootstrap's {@code GET /provision/<mac>} (its generic images chain there with {@code
 * ${net0/mac}}): a machine the store knows gets the boot core's decision for it (a machine imported
 * with {@code chainboot import zeroos} boots its {@code zeroos-<mac>} profile); any other client
 * gets a 404, as in the seed, where the provisioning database had no row for it. Only GET:
 * resolving may consume a once-assignment.
 */
final class ProvisionEndpoint extends Handler.Abstract {

  static final String PREFIX = "/provision/";

  private final BootResolver resolver;
  private final Predicate<MacAddress> known;

  ProvisionEndpoint(BootResolver resolver, Predicate<MacAddress> known) {
    this.resolver = resolver;
    this.known = known;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    if (!Methods.allowed(request, response, callback, Methods.GET)) {
      return true;
    }
    Optional<MacAddress> mac =
        Requests.pathAfter(request, PREFIX).flatMap(MacAddress::parse).filter(known);
    if (mac.isEmpty()) {
      return Responses.text(
          request,
          response,
          callback,
          HttpStatus.NOT_FOUND_404,
          "no client registered with this identifier (import Zero-OS's provisioning database"
              + " with `chainboot import zeroos`, or add the machine)\n");
    }
    BootRequest br =
        new BootRequest(
            mac,
            Requests.clientIp(request),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            BootRequest.Protocol.HTTP);
    return Responses.script(
        request, response, callback, 200, resolver.resolve(br, Requests.baseUrl(request)).body());
  }
}
