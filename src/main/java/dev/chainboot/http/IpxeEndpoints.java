package dev.chainboot.http;

import dev.chainboot.boot.MacAddress;
import dev.chainboot.compat.pixie.PixieSource;
import dev.chainboot.compat.zeroos.ZeroOsBoot;
import dev.chainboot.compat.zeroos.ZeroOsRequest;
import dev.chainboot.text.Printable;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code /ipxe/} is shared by two seed tools, pixie first:
 *
 * <ol>
 *   <li>pixie's {@code /ipxe/<mac>.ipxe} is the machine's script (the file name matched without
 *       regard to case), or the boot core's decision when it has none;
 *   <li>any other file of the scripts directory is served as it is, so a script named like a
 *       runmode ({@code prod}) is never shadowed;
 *   <li>Zero-OS bootstrap's {@code /ipxe/<runmode>[/<farmer>[/<extra>[/<kernel>]]]} when the first
 *       segment is a configured runmode and Zero-OS is configured at all (see {@code
 *       Routes.zeroOsConfigured}).
 * </ol>
 */
final class IpxeEndpoints extends Handler.Abstract {

  static final String PREFIX = "/ipxe/";

  private final ZeroOsBoot zeroOs;
  private final BooleanSupplier zeroOsOn;
  private final Optional<String> httpsBase;
  private final PixieSource pixie;
  private final DirectoryHandler scripts;
  private final SeedAnswers answers;

  IpxeEndpoints(
      ZeroOsBoot zeroOs,
      BooleanSupplier zeroOsOn,
      Optional<String> httpsBase,
      PixieSource pixie,
      DirectoryHandler scripts,
      SeedAnswers answers) {
    this.zeroOs = zeroOs;
    this.zeroOsOn = zeroOsOn;
    this.httpsBase = httpsBase;
    this.pixie = pixie;
    this.scripts = scripts;
    this.answers = answers;
    addBean(scripts, true);
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    Optional<String> relative = Requests.pathAfter(request, PREFIX);
    if (relative.isEmpty()) {
      return false;
    }
    String rel = relative.get();
    int slash = rel.indexOf('/');
    String first = slash < 0 ? rel : rel.substring(0, slash);
    Optional<MacAddress> mac = PixieSource.macOf(rel);
    if (mac.isPresent()) {
      return answers.answer(request, response, callback, mac, pixie);
    }
    if (scripts.serve(rel, request, response, callback)) {
      return true;
    }
    boolean zeroOsConfigured = zeroOsOn.getAsBoolean();
    if (zeroOsConfigured && zeroOs.runmodes().containsKey(first)) {
      try {
        ZeroOsRequest req = ZeroOsRequest.parse(rel, zeroOs.runmodes().keySet());
        return answers.answer(
            request,
            response,
            callback,
            Optional.empty(),
            zeroOs.source(req, Requests.baseUrl(request), httpsBase));
      } catch (ZeroOsRequest.Invalid e) {
        return Responses.text(request, response, callback, e.status(), e.getMessage() + "\n");
      }
    }
    if (!zeroOsConfigured) {
      return Responses.text(
          request,
          response,
          callback,
          404,
          "not found: no file '" + Printable.of(rel) + "' in the scripts directory\n");
    }
    return Responses.text(
        request,
        response,
        callback,
        404,
        "not found: no file '"
            + Printable.of(rel)
            + "' in the scripts directory, and '"
            + Printable.of(first)
            + "' is not a Zero-OS runmode (configured: "
            + String.join(", ", zeroOs.runmodes().keySet())
            + ")\n");
  }
}
