package dev.chainboot.http;

import dev.chainboot.boot.Arch;
import dev.chainboot.boot.BootAnswer;
import dev.chainboot.boot.BootRequest;
import dev.chainboot.boot.BootResolver;
import dev.chainboot.boot.BootStore;
import dev.chainboot.boot.CommitWait;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Platform;
import dev.chainboot.boot.ScriptRenderer;
import dev.chainboot.ipxe.ChainScripts;
import dev.chainboot.ipxe.IpxeSafe;
import dev.chainboot.text.Printable;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * The native boot endpoints.
 *
 * <ul>
 *   <li>{@code /boot.ipxe} — where every chain lands. With a valid {@code mac} parameter (as {@code
 *       chain.ipxe} sends) it answers with the machine's script at once; without one it answers a
 *       script that chains to the resolver with iPXE's identity settings ({@link
 *       ChainScripts#resolveChain}).
 *   <li>{@code /boot/resolve?mac=..&uuid=..&serial=..&hostname=..&buildarch=..&platform=..} — the
 *       resolver. Without a valid MAC: 400 with a message, except for iPXE (User-Agent iPXE), which
 *       gets a 200 {@code #!ipxe} script that prints the error and exits, since iPXE shows nothing
 *       useful for a 4xx.
 * </ul>
 *
 * Resolving consumes once-assignments: only GET may do it.
 */
final class BootEndpoints {

  private final BootResolver resolver;

  BootEndpoints(BootResolver resolver) {
    this.resolver = resolver;
  }

  Handler boot() {
    return new Handler.Abstract() {
      @Override
      public boolean handle(Request req, Response resp, Callback cb) {
        Fields q = Requests.query(req);
        if (MacAddress.parse(q.getValue("mac")).isPresent()) {
          return resolve(req, resp, cb, q);
        }
        return Responses.script(
            req, resp, cb, 200, ChainScripts.resolveChain(Requests.baseUrl(req), profileParam(q)));
      }
    };
  }

  Handler resolve() {
    return new Handler.Abstract() {
      @Override
      public boolean handle(Request req, Response resp, Callback cb) {
        return resolve(req, resp, cb, Requests.query(req));
      }
    };
  }

  private boolean resolve(Request req, Response resp, Callback cb, Fields q) {
    if (!Methods.allowed(req, resp, cb, Methods.GET)) {
      return true;
    }
    try {
      return decide(req, resp, cb, q);
    } catch (BootStore.UnavailableException e) {
      return Unavailable.bootScript(req, resp, cb, e);
    }
  }

  private boolean decide(Request req, Response resp, Callback cb, Fields q) {
    String macText = q.getValue("mac");
    Optional<MacAddress> mac = MacAddress.parse(macText);
    if (mac.isEmpty()) {
      String msg =
          macText == null || macText.isEmpty()
              ? "missing mac parameter (e.g. ?mac=${mac:hexhyp})"
              : "invalid mac parameter: " + Printable.of(macText);
      return refuse(req, resp, cb, 400, msg);
    }
    BootRequest br =
        new BootRequest(
            mac,
            Requests.clientIp(req),
            Requests.param(q, "uuid"),
            Requests.param(q, "serial"),
            Requests.param(q, "hostname"),
            Arch.parse(q.getValue("buildarch")),
            Platform.parse(q.getValue("platform")),
            BootRequest.Protocol.HTTP);
    String profile = q.getValue("profile");
    if (profile != null) {
      Optional<BootAnswer> named = resolver.resolveProfile(br, profile, Requests.baseUrl(req));
      if (named.isEmpty()) {
        return refuse(req, resp, cb, 404, "no profile named " + Printable.of(profile));
      }
      return Responses.script(req, resp, cb, 200, named.get().body());
    }
    byte[] body;
    CompletableFuture<Void> commit;
    try (CommitWait wait = CommitWait.open()) {
      body = resolver.resolve(br, Requests.baseUrl(req)).body();
      commit = wait.pending();
    }
    if (commit == null || (commit.isDone() && !commit.isCompletedExceptionally())) {
      return Responses.script(req, resp, cb, 200, body);
    }
    // The event is not committed yet: answer when it is, without holding this thread.
    commit.whenComplete(
        (ok, ex) -> {
          try {
            if (ex == null) {
              Responses.script(req, resp, cb, 200, body);
            } else {
              Unavailable.bootScript(req, resp, cb, Unavailable.of(ex));
            }
          } catch (RuntimeException e) {
            cb.failed(e);
          }
        });
    return true;
  }

  /**
   * A request that cannot be answered: {@code status} with the message, except for iPXE, which
   * shows nothing useful for a 4xx and gets a 200 script that prints the message and exits.
   */
  private static boolean refuse(Request req, Response resp, Callback cb, int status, String msg) {
    return Requests.fromIpxe(req)
        ? Responses.script(req, resp, cb, 200, ScriptRenderer.error(msg))
        : Responses.script(req, resp, cb, status, "chainboot: " + msg + "\n");
  }

  /** {@code &profile=NAME} (percent-encoded) when the request names a profile, else nothing. */
  static String profileParam(Fields q) {
    String profile = q.getValue("profile");
    return profile == null || profile.length() > Requests.MAX_PARAM
        ? ""
        : "&profile=" + IpxeSafe.value(profile);
  }
}
