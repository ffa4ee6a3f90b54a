package dev.chainboot.compat.pxesrv;

import dev.chainboot.boot.BootEvent;
import dev.chainboot.compat.CoreDecision;
import dev.chainboot.compat.DecisionLog;
import dev.chainboot.http.PlainTextHandler;
import dev.chainboot.http.RequestPath;
import java.net.InetAddress;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** pxe_srv's two dynamic endpoints, {@code GET /redirect} and {@code GET /grub/clear/<version>}. */
public final class PxeSrvHandlers {

  private static final Logger log = LoggerFactory.getLogger(PxeSrvHandlers.class);

  public static final String GRUB_CLEAR_PREFIX = "/grub/clear/";

  private PxeSrvHandlers() {}

  /** {@code /redirect}: once, static, default from the root, else the boot core's decision. */
  public static Handler redirect(PxeSrvRoot root, CoreDecision core, DecisionLog decisions) {
    return new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        String method = request.getMethod();
        boolean head = "HEAD".equals(method);
        if (!head && !"GET".equals(method)) {
          response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
          PlainTextHandler.send(request, response, callback, 405, "method not allowed\n");
          return true;
        }
        InetAddress client = CoreDecision.clientIp(request);
        Optional<PxeSrvRoot.Choice> choice = root.choose(client, !head);
        if (choice.isEmpty()) {
          core.answer(request, response, callback, Optional.empty(),
              "no pxe_srv once/static/default for " + PxeSrvRoot.key(client));
          return true;
        }
        String file = root.root().relativize(choice.get().file()).toString();
        log.info("pxe_srv /redirect {}: {} {}", PxeSrvRoot.key(client), choice.get().rule(), file);
        if (!head) {
          BootEvent.Match match = switch (choice.get().rule()) {
            case "once" -> BootEvent.Match.ONCE;
            case "static" -> BootEvent.Match.STATIC;
            default -> BootEvent.Match.DEFAULT;
          };
          decisions.record(request, Optional.empty(), match, "pxe_srv " + choice.get().rule() + " -> "
              + file, "pxesrv", match == BootEvent.Match.ONCE);
        }
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        PlainTextHandler.send(request, response, callback, 200, choice.get().content());
        return true;
      }
    };
  }

  /** {@code /grub/clear/<version>}: deletes the client's {@code grub.cfg-<HEXIP>}. */
  public static Handler grubClear(PxeSrvRoot root) {
    return new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String version = RequestPath.after(request, GRUB_CLEAR_PREFIX).orElse("");
        try {
          PxeSrvRoot.GrubCleared c = root.clearGrub(version, CoreDecision.clientIp(request));
          PlainTextHandler.send(request, response, callback, 200,
              (c.deleted() ? "deleted " : "nothing to clear: no ") + c.file() + "\n");
        } catch (IllegalArgumentException e) {
          PlainTextHandler.send(request, response, callback, 400, "bad request: " + e.getMessage() + "\n");
        }
        return true;
      }
    };
  }
}
