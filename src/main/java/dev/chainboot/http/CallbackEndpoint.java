package dev.chainboot.http;

import dev.chainboot.boot.BootResolver;
import dev.chainboot.boot.BootStore;
import dev.chainboot.boot.CallbackToken;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code POST /done/<token>}: an installer says its install is done ({@code boot once
 * --until-done}). The token is the authentication: 256 random bits in the URL the machine's script
 * handed it ({@code {{done_url}}}), valid for one call. 200 when the install is done now; 410 for a
 * URL already used or of an install that is no longer held; 404 for anything else. Only POST: a
 * crawler or a prefetch never ends an install.
 */
final class CallbackEndpoint extends Handler.Abstract {

  private static final List<String> POST = List.of("POST");

  private final BootResolver resolver;

  CallbackEndpoint(BootResolver resolver) {
    this.resolver = resolver;
  }

  @Override
  public boolean handle(Request req, Response resp, Callback cb) {
    if (!Methods.allowed(req, resp, cb, POST)) {
      return true;
    }
    Optional<String> token = Requests.pathAfter(req, CallbackToken.PATH);
    BootStore.CallbackResult r =
        resolver.confirmInstall(token.orElse(""), Requests.clientIp(req).getHostAddress());
    return switch (r) {
      case BootStore.Confirmed c ->
          Responses.text(
              req,
              resp,
              cb,
              HttpStatus.OK_200,
              "ok: install of " + c.profile() + " on " + c.mac() + " done\n");
      case BootStore.Refused f when f.mac().isPresent() ->
          Responses.text(req, resp, cb, HttpStatus.GONE_410, "refused: " + f.why() + "\n");
      case BootStore.Refused f ->
          Responses.text(req, resp, cb, HttpStatus.NOT_FOUND_404, "not found\n");
    };
  }
}
