package dev.chainboot.compat.zeroos;

import dev.chainboot.boot.Arch;
import dev.chainboot.firmware.BootBinary;
import dev.chainboot.firmware.FirmwareCatalog;
import dev.chainboot.firmware.MissingFirmwareException;
import dev.chainboot.compat.CompatRoutes;
import dev.chainboot.http.BootEndpoints;
import dev.chainboot.http.DirectoryHandler;
import dev.chainboot.http.PlainTextHandler;
import dev.chainboot.http.RequestPath;
import dev.chainboot.http.Router;
import dev.chainboot.media.BootScript;
import dev.chainboot.media.ChainUrl;
import dev.chainboot.media.MediaFormat;
import dev.chainboot.media.MediaResponder;
import dev.chainboot.media.MediaSpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Zero-OS bootstrap's image URLs, with its grammar ({@link ZeroOsRequest}) after each prefix,
 * served from chainboot's in-memory media builder instead of {@code make EMBED=}: every image
 * carries a script that chains to {@code /ipxe/<same path>} on this server.
 *
 * <ul>
 *   <li>{@code /iso/...} hybrid ISO, {@code /usb/...} USB image, {@code /uefimg/...} FAT image;
 *   <li>{@code /uefi/<path>/} (and {@code /uefi/<path>/ipxe.efi}) the iPXE EFI binary, and
 *       beside it {@code /uefi/<path>/autoexec.ipxe}, the script an iPXE loaded over HTTP
 *       fetches relative to its own URL; {@code /uefi/<path>} redirects to {@code /uefi/<path>/};
 *   <li>{@code /krn/...} a 501 that explains why (a {@code .lkrn} with the script inside needs a
 *       compiler) and names the equivalent {@code /iso/} and {@code /uefi/} URLs.
 * </ul>
 */
public final class ZeroOsMedia extends Handler.Abstract {

  private enum Kind { ISO, USB, UEFIMG, UEFI, KRN }

  private final Kind kind;
  private final String prefix;
  private final MediaResponder responder;
  private final FirmwareCatalog firmware;
  private final Set<String> runmodes;
  private final Optional<String> advertise;
  private final Optional<DirectoryHandler> pxesrvRoot;

  private ZeroOsMedia(Kind kind, MediaResponder responder, FirmwareCatalog firmware, Set<String> runmodes,
      Optional<String> advertise, Optional<Path> pxesrvRoot) {
    this.kind = kind;
    this.prefix = "/" + kind.name().toLowerCase(java.util.Locale.ROOT) + "/";
    this.responder = responder;
    this.firmware = firmware;
    this.runmodes = runmodes;
    this.advertise = advertise;
    this.pxesrvRoot = pxesrvRoot.map(d -> new DirectoryHandler(d, "/", CompatRoutes.TEXT_PLAIN));
    this.pxesrvRoot.ifPresent(h -> addBean(h, true));
  }

  /**
   * Routes {@code /iso/}, {@code /usb/}, {@code /uefimg/}, {@code /uefi/} and {@code /krn/}.
   *
   * @param pxesrvRoot a pxe_srv root served as static files at every path: a path under these
   *     prefixes whose first segment is not a Zero-OS runmode is served from it when it names a
   *     file there (e.g. {@code /iso/centos.iso}), as pxe_srv did
   */
  public static void install(Router router, MediaResponder responder, FirmwareCatalog firmware,
      Set<String> runmodes, Optional<String> advertise, Optional<Path> pxesrvRoot) {
    for (Kind k : Kind.values()) {
      ZeroOsMedia h = new ZeroOsMedia(k, responder, firmware, Set.copyOf(runmodes), advertise, pxesrvRoot);
      router.prefix(h.prefix, h);
    }
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    if (pxesrvRoot.isPresent()) {
      Optional<String> rel = RequestPath.after(request, prefix);
      String first = rel.map(r -> r.contains("/") ? r.substring(0, r.indexOf('/')) : r).orElse("");
      if (!runmodes.contains(first) && pxesrvRoot.get().handle(request, response, callback)) {
        return true;
      }
    }
    String method = request.getMethod();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
      return text(request, response, callback, 405, "use GET or HEAD\n");
    }
    Optional<String> relative = RequestPath.after(request, prefix);
    if (relative.isEmpty()) {
      return text(request, response, callback, 400, "malformed percent-encoding in the path\n");
    }
    String rel = relative.get();
    String file = "";
    if (kind == Kind.UEFI) {
      if (rel.endsWith("/autoexec.ipxe") || rel.endsWith("/ipxe.efi")) {
        int slash = rel.lastIndexOf('/');
        file = rel.substring(slash + 1);
        rel = rel.substring(0, slash);
      } else if (rel.endsWith("/")) {
        file = "ipxe.efi";
        rel = rel.substring(0, rel.length() - 1);
      }
    }
    ZeroOsRequest req;
    try {
      req = ZeroOsRequest.parse(rel, runmodes);
    } catch (ZeroOsRequest.Invalid e) {
      return text(request, response, callback, e.status(), e.getMessage() + "\n");
    }
    String base = BootEndpoints.baseUrl(request, advertise);
    String path = encodePath(rel.endsWith("/") ? rel.substring(0, rel.length() - 1) : rel);
    ChainUrl chain = ChainUrl.parse(base + "/ipxe/" + path);
    try {
      switch (kind) {
        case ISO, USB, UEFIMG -> {
          MediaFormat f = kind == Kind.ISO ? MediaFormat.ISO : kind == Kind.USB ? MediaFormat.IMG : MediaFormat.ESP;
          MediaSpec spec = new MediaSpec(f, EnumSet.of(Arch.X86_64), BootScript.chainTo(chain), null);
          String name = "ipxe-" + req.runmode() + (kind == Kind.ISO ? ".iso" : kind == Kind.USB ? ".img" : "-uefi.img");
          return responder.respond(request, response, callback, spec, name);
        }
        case UEFI -> {
          if (file.isEmpty()) {
            response.setStatus(HttpStatus.MOVED_PERMANENTLY_301);
            response.getHeaders().put(HttpHeader.LOCATION, prefix + path + "/");
            return text(request, response, callback, 301,
                "the iPXE binary is at " + prefix + path + "/ (with autoexec.ipxe beside it)\n");
          }
          if (file.equals("autoexec.ipxe")) {
            return text(request, response, callback, 200, new String(BootScript.chainTo(chain), StandardCharsets.US_ASCII));
          }
          byte[] efi = firmware.require(BootBinary.IPXE_X86_64_EFI);
          response.setStatus(200);
          response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/efi");
          response.getHeaders().put(HttpHeader.CONTENT_LENGTH, efi.length);
          if (method.equals("HEAD")) {
            callback.succeeded();
          } else {
            response.write(true, ByteBuffer.wrap(efi), callback);
          }
          return true;
        }
        case KRN -> {
          return text(request, response, callback, 501,
              "chainboot cannot serve /krn/: an ipxe.lkrn with the script inside must be compiled "
                  + "(iPXE's EMBED=, a C toolchain), and chainboot builds media without a compiler.\n"
                  + "Use instead:\n"
                  + "  " + base + "/iso/" + path + "      hybrid ISO (CD, BMC virtual media, USB)\n"
                  + "  " + base + "/usb/" + path + "      USB disk image\n"
                  + "  " + base + "/uefi/" + path + "/     ipxe.efi with autoexec.ipxe beside it\n"
                  + "  " + base + "/ipxe/" + path + "     the script itself, for an iPXE that is already running\n");
        }
        default -> throw new IllegalStateException();
      }
    } catch (MissingFirmwareException e) {
      return text(request, response, callback, 503, e.getMessage() + "\n");
    } catch (IllegalArgumentException e) {
      return text(request, response, callback, 400, e.getMessage() + "\n");
    }
  }

  /** Percent-encodes everything but unreserved characters and '/', as UTF-8. */
  static String encodePath(String s) {
    StringBuilder b = new StringBuilder();
    for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (x & 0xFF);
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "-._~/".indexOf(c) >= 0) {
        b.append(c);
      } else {
        b.append(String.format("%%%02X", x & 0xFF));
      }
    }
    return b.toString();
  }

  private static boolean text(Request request, Response response, Callback callback, int status, String body) {
    PlainTextHandler.send(request, response, callback, status, body);
    return true;
  }
}
