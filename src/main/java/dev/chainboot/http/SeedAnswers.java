package dev.chainboot.http;

import dev.chainboot.boot.Arch;
import dev.chainboot.boot.AssignmentSource;
import dev.chainboot.boot.BootAnswer;
import dev.chainboot.boot.BootRequest;
import dev.chainboot.boot.BootStore;
import dev.chainboot.boot.LayeredResolver;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Platform;
import java.util.Optional;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * Answers a seed tool's boot URL ({@code /redirect}, {@code /ipxe/<mac>.ipxe}, {@code
 * /ipxe/<runmode>/...}) through the boot core, with the seed layout as the request's {@link
 * AssignmentSource}: the HTTP request becomes a {@link BootRequest}, the core decides ({@link
 * LayeredResolver}), the script goes back as it is. GET decides (and may consume a
 * once-assignment); HEAD only looks at the source, and is refused (405) where only the core could
 * answer, since asking it may consume.
 */
final class SeedAnswers {

  private final LayeredResolver resolver;

  SeedAnswers(LayeredResolver resolver) {
    this.resolver = resolver;
  }

  boolean answer(
      Request request,
      Response response,
      Callback callback,
      Optional<MacAddress> mac,
      AssignmentSource source) {
    if (!Methods.allowed(request, response, callback, Methods.GET_HEAD)) {
      return true;
    }
    // chain.ipxe adds iPXE's identity settings to pixie's URL; other seed URLs carry none.
    Fields q = Requests.query(request);
    BootRequest br =
        new BootRequest(
            mac,
            Requests.clientIp(request),
            Requests.param(q, "uuid"),
            Requests.param(q, "serial"),
            Requests.param(q, "hostname"),
            Arch.parse(q.getValue("buildarch")),
            Platform.parse(q.getValue("platform")),
            BootRequest.Protocol.HTTP);
    if ("HEAD".equals(request.getMethod())) {
      Optional<BootAnswer> seen = resolver.peek(br, source);
      if (seen.isEmpty()) {
        Methods.allowed(request, response, callback, Methods.GET);
        return true;
      }
      return Responses.script(request, response, callback, 200, seen.get().body());
    }
    BootAnswer a;
    try {
      a = resolver.resolve(br, Requests.baseUrl(request), source);
    } catch (BootStore.UnavailableException e) {
      return Unavailable.bootScript(request, response, callback, e);
    }
    return Responses.script(request, response, callback, 200, a.body());
  }
}
