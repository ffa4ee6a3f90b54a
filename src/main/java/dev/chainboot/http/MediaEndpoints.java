package dev.chainboot.http;

import dev.chainboot.boot.Arch;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.ipxe.ChainScripts;
import dev.chainboot.media.ChainUrl;
import dev.chainboot.media.MediaFormat;
import dev.chainboot.media.MediaScript;
import dev.chainboot.media.MediaSpec;
import dev.chainboot.text.Printable;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * {@code GET /media/<machine-or-profile>.iso|.img|.esp[?arch=x86_64,arm64]}: boot media whose iPXE
 * chains back to this server. A name that is a MAC address of a known machine makes media for that
 * machine ({@code /boot.ipxe?mac=<mac>}); any other name must be a known profile ({@code
 * /boot.ipxe?profile=NAME} plus the identity settings iPXE fills in at boot). Unknown names get a
 * 404 that says what exists. Images are built in memory and cached by content ({@link
 * MediaResponder}). Bad names and parameters get a 400 with the reason.
 */
final class MediaEndpoints extends Handler.Abstract {

  static final String PREFIX = "/media/";
  private static final String NAME = "[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}";

  private final MediaResponder responder;
  private final Optional<String> advertisedHost;
  private final Predicate<String> known;

  /**
   * @param advertisedHost host the media should chain back to ({@code --advertise}); when empty,
   *     the host the request was addressed to
   * @param known whether the store has this machine (a name that is a MAC) or profile
   */
  MediaEndpoints(
      MediaResponder responder, Optional<String> advertisedHost, Predicate<String> known) {
    this.responder = responder;
    this.advertisedHost = advertisedHost;
    this.known = known;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    if (!Methods.allowed(request, response, callback, Methods.GET_HEAD)) {
      return true;
    }
    String path = Request.getPathInContext(request);
    String file = path.substring(PREFIX.length());
    int dot = file.lastIndexOf('.');
    MediaFormat format = null;
    for (MediaFormat f : MediaFormat.values()) {
      if (dot > 0 && file.substring(dot + 1).equals(f.extension())) {
        format = f;
      }
    }
    if (format == null) {
      return Responses.text(
          request,
          response,
          callback,
          HttpStatus.NOT_FOUND_404,
          "not found: "
              + Printable.of(path)
              + " (use /media/<machine-or-profile>.iso, .img or .esp)\n");
    }
    String name = file.substring(0, dot);
    if (!name.matches(NAME)) {
      return Responses.text(
          request,
          response,
          callback,
          HttpStatus.BAD_REQUEST_400,
          "bad machine or profile name '"
              + Printable.of(name)
              + "': use 1-64 of A-Z a-z 0-9 _ . : - (or a MAC address)\n");
    }
    Optional<MacAddress> mac = MacAddress.parse(name);
    if (!known.test(name)) {
      return Responses.text(
          request,
          response,
          callback,
          HttpStatus.NOT_FOUND_404,
          (mac.isPresent()
                  ? "no machine "
                      + mac.get().hexhyp()
                      + ": add it first (chainboot machine add) or ask for a profile's media"
                  : "no machine or profile named '"
                      + name
                      + "' (a machine is named by its MAC address)")
              + "\n");
    }
    try {
      Fields q = Requests.query(request);
      Set<Arch> archs =
          q.getValue("arch") == null
              ? EnumSet.of(Arch.X86_64)
              : MediaSpec.parseArchs(q.getValue("arch"));
      MediaSpec spec =
          new MediaSpec(
              format, archs, script(Requests.baseUrl(request, advertisedHost), name), null);
      return responder.respond(
          request, response, callback, spec, name.replace(':', '-') + "." + format.extension());
    } catch (IllegalArgumentException e) {
      return Responses.text(
          request, response, callback, HttpStatus.BAD_REQUEST_400, e.getMessage() + "\n");
    }
  }

  /**
   * The chain script for a machine (a MAC address: {@code /boot.ipxe?mac=<mac>}, which the boot
   * core resolves for that machine) or a profile ({@code /boot.ipxe?profile=<name>&<identity>}:
   * iPXE fills in the identity settings at boot; the boot core renders that profile for the
   * machine, whatever its assignments say, and records the boot).
   */
  static byte[] script(String baseUrl, String name) {
    String boot = ChainScripts.bootUrl(baseUrl);
    Optional<MacAddress> mac = MacAddress.parse(name);
    if (mac.isPresent()) {
      return MediaScript.chainTo(ChainUrl.parse(boot + "?mac=" + mac.get().hexhyp()));
    }
    // The identity settings are ours; only the name is input, restricted to characters that
    // need no escaping, and ChainUrl checks the whole URL again.
    return MediaScript.chainTo(
        ChainUrl.parse(boot + "?profile=" + name), "&" + ChainScripts.IDENTITY_QUERY);
  }
}
