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
 * pxe_srv's dynamic endpoints over its document root: {@code GET /redirect} (the root's
 * once/static/default for the client's IP, else the boot core's decision), {@code GET
 * /grub/clear/<version>} (deletes the client's {@code grub.cfg-<HEXIP>}: 200 when it did, 400 when
 * there was nothing to delete, as pxe_srv answered) and {@code GET /pxelinux.cfg/<name>} (the
 * root's file, else pxe_srv's empty stub).
 */
final class PxeSrvEndpoints {

  static final String GRUB_CLEAR_PREFIX = "/grub/clear/";
  static final String PXELINUX_PREFIX = "/pxelinux.cfg/";

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

  /**
   * {@code /pxelinux.cfg/<name>}: the root's file when it has one (served by {@code files}); else
   * pxe_srv's stub, an empty 200 (its ERB route returned nothing), except {@code default}, which
   * pxe_srv sent from the root and answered 404 when missing.
   */
  Handler pxelinux(DirectoryHandler files) {
    return new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback)
          throws IOException {
        if (!Methods.allowed(request, response, callback, Methods.GET_HEAD)) {
          return true;
        }
        Optional<String> rel = Requests.pathAfter(request, "/");
        if (rel.isPresent() && files.serve(rel.get(), request, response, callback)) {
          return true;
        }
        String name = Requests.pathAfter(request, PXELINUX_PREFIX).orElse("");
        if (name.equals("default") || name.isEmpty() || name.contains("/")) {
          return Responses.text(
              request, response, callback, 404, "The requested route is not available\n");
        }
        return Responses.text(request, response, callback, 200, "");
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
          // pxe_srv: 200 "Delete <file>", or 400 "Missing <file>" (a `curl -f` sees the failure).
          return c.deleted()
              ? Responses.text(request, response, callback, 200, "Delete " + c.file() + "\n")
              : Responses.text(request, response, callback, 400, "Missing " + c.file() + "\n");
        } catch (IllegalArgumentException e) {
          return Responses.text(
              request, response, callback, 400, "bad request: " + e.getMessage() + "\n");
        }
      }
    };
  }
}
