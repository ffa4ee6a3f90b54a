package dev.chainboot.compat;

import dev.chainboot.compat.pixie.PixieScripts;
import dev.chainboot.compat.zeroos.ZeroOsScripts;
import dev.chainboot.http.PlainTextHandler;
import dev.chainboot.http.RequestPath;
import java.util.Optional;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code /ipxe/} is shared by two seed tools: Zero-OS bootstrap's
 * {@code /ipxe/<runmode>/...} when the first segment is a configured runmode, pixie's scripts
 * directory ({@code /ipxe/<mac>.ipxe} and any other file in it) otherwise.
 */
public final class IpxeRoutes extends Handler.Abstract {

  public static final String PREFIX = "/ipxe/";

  private final ZeroOsScripts zeroOs;
  private final PixieScripts pixie;

  public IpxeRoutes(ZeroOsScripts zeroOs, PixieScripts pixie) {
    this.zeroOs = zeroOs;
    this.pixie = pixie;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    Optional<String> relative = RequestPath.after(request, PREFIX);
    if (relative.isEmpty()) {
      return false;
    }
    String rel = relative.get();
    int slash = rel.indexOf('/');
    String first = slash < 0 ? rel : rel.substring(0, slash);
    if (zeroOs.isRunmode(first)) {
      zeroOs.handle(rel, request, response, callback);
      return true;
    }
    if (pixie.handle(rel, request, response, callback)) {
      return true;
    }
    PlainTextHandler.send(request, response, callback, 404, "not found: no file '"
        + PlainTextHandler.printable(rel) + "' in the scripts directory, and '"
        + PlainTextHandler.printable(first) + "' is not a Zero-OS runmode (configured: "
        + String.join(", ", zeroOs.boot().runmodes().keySet()) + ")\n");
    return true;
  }
}
