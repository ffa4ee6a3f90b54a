package dev.chainboot.media;

import dev.chainboot.boot.Arch;
import dev.chainboot.boot.ChainScript;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.http.BootEndpoints;
import dev.chainboot.http.PlainTextHandler;
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
 * {@code GET /media/<machine-or-profile>.iso|.img|.esp[?arch=x86_64,arm64]}: boot media whose
 * iPXE chains back to this server. A name that is a MAC address of a known machine makes media
 * for that machine ({@code /boot.ipxe?mac=<mac>}); any other name must be a known profile
 * ({@code /boot.ipxe?profile=NAME} plus the identity settings iPXE fills in at boot).
 * Unknown names get a 404 that says what exists. Images are built in memory, cached by
 * content (SHA-256 of the inputs, also the ETag), sent with Content-Length; HEAD and
 * If-None-Match work. Bad names and parameters get a 400 with the reason.
 */
public final class MediaHandler extends Handler.Abstract {

  public static final String PREFIX = "/media/";
  private static final String NAME = "[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}";

  private final MediaResponder responder;
  private final Optional<String> advertisedHost;
  private final Predicate<MacAddress> knownMachine;
  private final Predicate<String> knownProfile;

  /**
   * @param advertisedHost host the media should chain back to ({@code --advertise}); when
   *     empty, the host the request was addressed to ({@link BootEndpoints#baseUrl(Request, Optional)})
   * @param knownMachine whether the store has this machine
   * @param knownProfile whether the store has this profile
   */
  public MediaHandler(MediaResponder responder, Optional<String> advertisedHost,
      Predicate<MacAddress> knownMachine, Predicate<String> knownProfile) {
    this.responder = responder;
    this.advertisedHost = advertisedHost;
    this.knownMachine = knownMachine;
    this.knownProfile = knownProfile;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String method = request.getMethod();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      return text(request, response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, "only GET and HEAD\n");
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
      return text(request, response, callback, HttpStatus.NOT_FOUND_404,
          "not found: " + PlainTextHandler.printable(path) + " (use /media/<machine-or-profile>.iso, .img or .esp)\n");
    }
    String name = file.substring(0, dot);
    if (!name.matches(NAME)) {
      return text(request, response, callback, HttpStatus.BAD_REQUEST_400, "bad machine or profile name '"
          + PlainTextHandler.printable(name) + "': use 1-64 of A-Z a-z 0-9 _ . : - (or a MAC address)\n");
    }
    Optional<MacAddress> mac = MacAddress.parse(name);
    if (mac.isPresent() ? !knownMachine.test(mac.get()) : !knownProfile.test(name)) {
      return text(request, response, callback, HttpStatus.NOT_FOUND_404, (mac.isPresent()
          ? "no machine " + mac.get().hexhyp() + ": add it first (chainboot machine add) or ask for a profile's media"
          : "no machine or profile named '" + name + "' (a machine is named by its MAC address)") + "\n");
    }
    try {
      Fields q = Request.extractQueryParameters(request);
      Set<Arch> archs = q.getValue("arch") == null ? EnumSet.of(Arch.X86_64) : MediaSpec.parseArchs(q.getValue("arch"));
      MediaSpec spec = new MediaSpec(format, archs, script(BootEndpoints.baseUrl(request, advertisedHost), name), null);
      return responder.respond(request, response, callback, spec, name.replace(':', '-') + "." + format.extension());
    } catch (IllegalArgumentException e) {
      return text(request, response, callback, HttpStatus.BAD_REQUEST_400, e.getMessage() + "\n");
    }
  }

  /**
   * The chain script for a machine (a MAC address: {@code /boot.ipxe?mac=<mac>}, which the boot
   * core resolves for that machine) or a profile ({@code /boot.ipxe?profile=<name>&<identity>}:
   * iPXE fills in the identity settings at boot; the boot core renders that profile for the
   * machine, whatever its assignments say, and records the boot).
   */
  static byte[] script(String baseUrl, String name) {
    Optional<MacAddress> mac = MacAddress.parse(name);
    if (mac.isPresent()) {
      return BootScript.chainTo(ChainUrl.parse(baseUrl + "/boot.ipxe?mac=" + mac.get().hexhyp()));
    }
    // The identity settings are ours; only the name is input, restricted to characters that
    // need no escaping, and ChainUrl checks the whole URL again.
    return BootScript.chainTo(ChainUrl.parse(baseUrl + "/boot.ipxe?profile=" + name), "&" + ChainScript.IDENTITY_QUERY);
  }

  private static boolean text(Request request, Response response, Callback callback, int status, String body) {
    return MediaResponder.text(request, response, callback, status, body);
  }
}
