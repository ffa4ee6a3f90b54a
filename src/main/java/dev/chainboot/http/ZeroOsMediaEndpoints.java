package dev.chainboot.http;

import dev.chainboot.compat.zeroos.ZeroOsMedia;
import dev.chainboot.compat.zeroos.ZeroOsRequest;
import dev.chainboot.firmware.BootBinary;
import dev.chainboot.firmware.FirmwareCatalog;
import dev.chainboot.firmware.MissingFirmwareException;
import dev.chainboot.media.ChainUrl;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Zero-OS bootstrap's image URLs over HTTP, one handler per {@link ZeroOsMedia.Kind} ({@code
 * /iso/}, {@code /usb/}, {@code /uefimg/}, {@code /uefi/}, {@code /krn/}); what each serves is
 * {@link ZeroOsMedia}'s translation into chainboot's boot media.
 */
final class ZeroOsMediaEndpoints extends Handler.Abstract {

  private final ZeroOsMedia.Kind kind;
  private final MediaResponder responder;
  private final FirmwareCatalog firmware;
  private final Set<String> runmodes;
  private final Optional<String> advertise;
  private final Optional<DirectoryHandler> pxesrvRoot;

  /**
   * @param pxesrvRoot a pxe_srv root served as static files at every path: a path under this prefix
   *     whose first segment is not a Zero-OS runmode is served from it when it names a file there
   *     (e.g. {@code /iso/centos.iso}), as pxe_srv did
   */
  ZeroOsMediaEndpoints(
      ZeroOsMedia.Kind kind,
      MediaResponder responder,
      FirmwareCatalog firmware,
      Set<String> runmodes,
      Optional<String> advertise,
      Optional<DirectoryHandler> pxesrvRoot) {
    this.kind = kind;
    this.responder = responder;
    this.firmware = firmware;
    this.runmodes = Set.copyOf(runmodes);
    this.advertise = advertise;
    this.pxesrvRoot = pxesrvRoot;
    pxesrvRoot.ifPresent(h -> addBean(h, true));
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String prefix = kind.prefix();
    if (pxesrvRoot.isPresent()) {
      String rel = Requests.pathAfter(request, prefix).orElse("");
      if (!ZeroOsMedia.namesRunmode(rel, runmodes)
          && pxesrvRoot.get().handle(request, response, callback)) {
        return true;
      }
    }
    if (!Methods.allowed(request, response, callback, Methods.GET_HEAD)) {
      return true;
    }
    Optional<String> relative = Requests.pathAfter(request, prefix);
    if (relative.isEmpty()) {
      return Responses.text(
          request, response, callback, 400, "malformed percent-encoding in the path\n");
    }
    ZeroOsMedia.Target t;
    try {
      t = ZeroOsMedia.parse(kind, relative.get(), runmodes);
    } catch (ZeroOsRequest.Invalid e) {
      return Responses.text(request, response, callback, e.status(), e.getMessage() + "\n");
    }
    String base = Requests.baseUrl(request, advertise);
    try {
      ChainUrl chain = ZeroOsMedia.chainUrl(base, t);
      String path = ZeroOsMedia.encodePath(t.path());
      return switch (kind) {
        case ISO, USB, UEFIMG ->
            responder.respond(
                request,
                response,
                callback,
                ZeroOsMedia.spec(kind, chain),
                ZeroOsMedia.fileName(kind, t.request().runmode()));
        case UEFI -> uefi(request, response, callback, t, chain, prefix + path + "/");
        case KRN ->
            Responses.text(
                request,
                response,
                callback,
                HttpStatus.NOT_IMPLEMENTED_501,
                ZeroOsMedia.krnExplanation(base, t));
      };
    } catch (MissingFirmwareException e) {
      return Responses.text(request, response, callback, 503, e.getMessage() + "\n");
    } catch (IllegalArgumentException e) {
      return Responses.text(request, response, callback, 400, e.getMessage() + "\n");
    }
  }

  private boolean uefi(
      Request request,
      Response response,
      Callback callback,
      ZeroOsMedia.Target t,
      ChainUrl chain,
      String directory) {
    switch (t.file()) {
      case "" -> {
        response.getHeaders().put(HttpHeader.LOCATION, directory);
        return Responses.text(
            request,
            response,
            callback,
            HttpStatus.MOVED_PERMANENTLY_301,
            "the iPXE binary is at " + directory + " (with autoexec.ipxe beside it)\n");
      }
      case "autoexec.ipxe" -> {
        return Responses.text(request, response, callback, 200, ZeroOsMedia.autoexec(chain));
      }
      default -> {
        return Responses.bytes(
            request,
            response,
            callback,
            200,
            "application/efi",
            firmware.require(BootBinary.IPXE_X86_64_EFI));
      }
    }
  }
}
