package dev.chainboot.http;

import dev.chainboot.compat.zeroos.ZeroOsBoot;
import dev.chainboot.compat.zeroos.ZeroOsMedia;
import dev.chainboot.compat.zeroos.ZeroOsRequest;
import dev.chainboot.firmware.BootBinary;
import dev.chainboot.firmware.FirmwareCatalog;
import dev.chainboot.firmware.MissingFirmwareException;
import dev.chainboot.ipxe.ChainScripts;
import dev.chainboot.ipxebuild.BuildSpec;
import dev.chainboot.media.ChainUrl;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Zero-OS bootstrap's image URLs over HTTP, one handler per {@link ZeroOsMedia.Kind} ({@code
 * /iso/}, {@code /usb/}, {@code /uefimg/}, {@code /uefi/}, {@code /krn/}, {@code /snponly/}), and
 * the generic images {@code /krn-generic} and {@code /uefi-generic} ({@link #generic}); what each
 * serves is {@link ZeroOsMedia}'s translation into chainboot's media and iPXE builds.
 */
final class ZeroOsMediaEndpoints extends Handler.Abstract {

  /**
   * What every image endpoint shares.
   *
   * @param httpsBase this server's https base URL when it serves https (kernel and chain URLs are
   *     https then, as the seed's were)
   * @param trust roots built binaries trust ({@code TRUST=}; empty: iPXE's default)
   * @param cert certificates embedded in built binaries ({@code CERT=})
   * @param publicRoots roots the generic images trust besides {@code trust}
   */
  record Context(
      MediaResponder media,
      BuildResponder builds,
      FirmwareCatalog firmware,
      ZeroOsBoot zeroOs,
      Optional<String> advertise,
      Optional<String> httpsBase,
      List<String> trust,
      List<String> cert,
      List<String> publicRoots) {}

  private final ZeroOsMedia.Kind kind;
  private final Context cx;
  private final Optional<DirectoryHandler> pxesrvRoot;

  /**
   * @param pxesrvRoot a pxe_srv root served as static files at every path: a path under this prefix
   *     whose first segment is not a Zero-OS runmode is served from it when it names a file there
   *     (e.g. {@code /iso/centos.iso}), as pxe_srv did
   */
  ZeroOsMediaEndpoints(ZeroOsMedia.Kind kind, Context cx, Optional<DirectoryHandler> pxesrvRoot) {
    this.kind = kind;
    this.cx = cx;
    this.pxesrvRoot = pxesrvRoot;
    pxesrvRoot.ifPresent(h -> addBean(h, true));
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String prefix = kind.prefix();
    if (pxesrvRoot.isPresent()) {
      String rel = Requests.pathAfter(request, prefix).orElse("");
      if (!ZeroOsMedia.namesRunmode(rel, cx.zeroOs().runmodes().keySet())
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
      t = ZeroOsMedia.parse(kind, relative.get(), cx.zeroOs().runmodes().keySet());
      // The seed answered 404 for a runmode without a kernel: no image that cannot boot.
      cx.zeroOs().kernelFile(t.request());
    } catch (ZeroOsRequest.Invalid e) {
      return Responses.text(request, response, callback, e.status(), e.getMessage() + "\n");
    }
    String base = cx.zeroOs().kernelBase(Requests.baseUrl(request, cx.advertise()), cx.httpsBase());
    String runmode = t.request().runmode();
    try {
      ChainUrl chain = ZeroOsMedia.chainUrl(base, t);
      String path = ZeroOsMedia.encodePath(t.path());
      String seedName = ZeroOsMedia.fileName(kind, runmode);
      return switch (kind) {
        case ISO, USB, UEFIMG ->
            cx.media()
                .respondAs(
                    request,
                    response,
                    callback,
                    ZeroOsMedia.spec(kind, chain),
                    "inline; filename=" + seedName);
        case UEFI ->
            t.file().isEmpty()
                ? build(
                    request,
                    response,
                    callback,
                    t,
                    chain,
                    seedName,
                    "Without a build, "
                        + prefix
                        + path
                        + "/ serves the unmodified ipxe.efi with"
                        + " autoexec.ipxe beside it (for boot media that carry both files).\n")
                : uefiDirectory(request, response, callback, t, chain);
        case KRN, SNPONLY ->
            build(
                request,
                response,
                callback,
                t,
                chain,
                seedName,
                "Without a build: /iso/"
                    + path
                    + " (hybrid ISO) or /ipxe/"
                    + path
                    + " (the script).\n");
      };
    } catch (MissingFirmwareException e) {
      return Responses.text(request, response, callback, 503, e.getMessage() + "\n");
    } catch (IllegalArgumentException e) {
      return Responses.text(request, response, callback, 400, e.getMessage() + "\n");
    }
  }

  private boolean build(
      Request request,
      Response response,
      Callback callback,
      ZeroOsMedia.Target t,
      ChainUrl chain,
      String fileName,
      String hint) {
    BuildSpec spec =
        ZeroOsMedia.build(kind, chain, cx.zeroOs().options().ntp())
            .withCertificates(cx.trust(), cx.cert());
    return cx.builds().respond(request, response, callback, spec, fileName, hint);
  }

  private boolean uefiDirectory(
      Request request, Response response, Callback callback, ZeroOsMedia.Target t, ChainUrl chain) {
    if (t.file().equals("autoexec.ipxe")) {
      return Responses.text(request, response, callback, 200, ZeroOsMedia.autoexec(chain));
    }
    return Responses.bytes(
        request,
        response,
        callback,
        200,
        "application/efi",
        cx.firmware().require(BootBinary.IPXE_X86_64_EFI));
  }

  /**
   * {@code /krn-generic} (pcbios {@code ipxe.lkrn}) or {@code /uefi-generic} (x86_64 {@code
   * ipxe.efi}): an iPXE that hands any machine to {@code /boot.ipxe} with its identity, trusting
   * the configured CA and the public roots.
   */
  static Handler generic(boolean efi, Context cx) {
    return new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        if (!Methods.allowed(request, response, callback, Methods.GET_HEAD)) {
          return true;
        }
        String base =
            cx.zeroOs().kernelBase(Requests.baseUrl(request, cx.advertise()), cx.httpsBase());
        List<String> trust = new ArrayList<>(cx.trust());
        List<String> cert = new ArrayList<>(cx.cert());
        if (!trust.isEmpty()) {
          // With explicit roots, the public ones must be listed too; without, iPXE's default root
          // (and its cross-signing service) already covers public CAs.
          trust.addAll(cx.publicRoots());
          cert.addAll(cx.publicRoots());
        }
        BuildSpec spec =
            ZeroOsMedia.generic(
                    efi, ChainUrl.parse(ChainScripts.bootUrl(base)), cx.zeroOs().options().ntp())
                .withCertificates(trust, cert);
        return cx.builds()
            .respond(
                request,
                response,
                callback,
                spec,
                efi ? ZeroOsMedia.UEFI_GENERIC_FILE : ZeroOsMedia.KRN_GENERIC_FILE,
                "Without a build: /media/<machine-or-profile>.iso, or `chainboot media iso "
                    + ChainScripts.bootUrl(base)
                    + "`.\n");
      }
    };
  }
}
