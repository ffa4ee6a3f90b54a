package dev.chainboot.http;

import dev.chainboot.compat.pxesrv.PxeSrvRoot;
import dev.chainboot.compat.pxesrv.PxeSrvSource;
import java.io.IOException;
import java.util.Optional;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * pxe_srv's two dynamic endpoints over its document root: {@code GET /redirect} (the root's
 * once/static/default for the client's IP, else the boot core's decision) and {@code GET
 * /grub/clear/<version>} (deletes the client's {@code grub.cfg-<HEXIP>}).
 */
final class PxeSrvEndpoints {

  static final String GRUB_CLEAR_PREFIX = "/grub/clear/";

  private final PxeSrvRoot root;
  private final SeedAnswers answers;

  PxeSrvEndpoints(PxeSrvRoot root, SeedAnswers answers) {
    this.root = root;
    this.answers = answers;
  }

  Handler redirect() {
    PxeSrvSource source = new PxeSrvSource(root);
    return new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        return answers.answer(request, response, callback, Optional.empty(), source);
      }
    };
  }

  Handler grubClear() {
    return new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback)
          throws IOException {
        if (!Methods.allowed(request, response, callback, Methods.GET_HEAD)) {
          return true;
        }
        String version = Requests.pathAfter(request, GRUB_CLEAR_PREFIX).orElse("");
        try {
          PxeSrvRoot.GrubCleared c = root.clearGrub(version, Requests.clientIp(request));
          return Responses.text(
              request,
              response,
              callback,
              200,
              (c.deleted() ? "deleted " : "nothing to clear: no ") + c.file() + "\n");
        } catch (IllegalArgumentException e) {
          return Responses.text(
              request, response, callback, 400, "bad request: " + e.getMessage() + "\n");
        }
      }
    };
  }
}
