package dev.chainboot.media;

import dev.chainboot.boot.Arch;
import dev.chainboot.boot.ChainScript;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.http.PlainTextHandler;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * {@code GET /media/<machine-or-profile>.iso|.img|.esp[?arch=x86_64,arm64]}: boot media whose
 * iPXE chains back to this server. A name that is a MAC address makes media for that machine
 * ({@code /boot.ipxe?mac=<mac>}); any other name is a profile ({@code /boot.ipxe?profile=NAME}
 * plus the identity settings iPXE fills in at boot). Images are built in memory, cached by
 * content (SHA-256 of the inputs, also the ETag), sent with Content-Length; HEAD and
 * If-None-Match work. Bad names and parameters get a 400 with the reason.
 */
public final class MediaHandler extends Handler.Abstract {

  public static final String PREFIX = "/media/";
  private static final String NAME = "[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}";

  private final MediaResponder responder;
  private final Optional<String> advertisedHost;
  private final java.util.function.IntSupplier httpPort;

  /**
   * @param advertisedHost host the media should chain back to; when empty, the host and port
   *     the request was addressed to
   */
  public MediaHandler(MediaResponder responder, Optional<String> advertisedHost,
      java.util.function.IntSupplier httpPort) {
    this.responder = responder;
    this.advertisedHost = advertisedHost;
    this.httpPort = httpPort;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String method = request.getMethod();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      return text(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, "only GET and HEAD\n");
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
      return text(response, callback, HttpStatus.NOT_FOUND_404,
          "not found: " + PlainTextHandler.printable(path) + " (use /media/<machine-or-profile>.iso, .img or .esp)\n");
    }
    String name = file.substring(0, dot);
    if (!name.matches(NAME)) {
      return text(response, callback, HttpStatus.BAD_REQUEST_400, "bad machine or profile name '"
          + PlainTextHandler.printable(name) + "': use 1-64 of A-Z a-z 0-9 _ . : - (or a MAC address)\n");
    }
    try {
      Fields q = Request.extractQueryParameters(request);
      Set<Arch> archs = q.getValue("arch") == null ? EnumSet.of(Arch.X86_64) : MediaSpec.parseArchs(q.getValue("arch"));
      String host = advertisedHost.orElseGet(() -> hostOf(request));
      int port = advertisedHost.isPresent() ? httpPort.getAsInt() : Request.getServerPort(request);
      MediaSpec spec = new MediaSpec(format, archs, script(host, port, name), null);
      return responder.respond(request, response, callback, spec, name.replace(':', '-') + "." + format.extension());
    } catch (IllegalArgumentException e) {
      return text(response, callback, HttpStatus.BAD_REQUEST_400, e.getMessage() + "\n");
    }
  }

  /** The chain script for a machine (MAC) or profile name, pointing back at host:port. */
  static byte[] script(String host, int port, String name) {
    if (!host.matches("[A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\]")) {
      throw new MediaInputException("cannot make media that chain back to host '" + PlainTextHandler.printable(host)
          + "': not a host name or address (start the server with --advertise HOST)");
    }
    String base = "http://" + host + ":" + port + "/boot.ipxe?";
    Optional<MacAddress> mac = MacAddress.parse(name);
    if (mac.isPresent()) {
      return BootScript.chainTo(ChainUrl.parse(base + "mac=" + mac.get().hexhyp()));
    }
    // The identity settings are ours (iPXE fills them in at boot); only the name is input,
    // and it is restricted to characters that need no escaping.
    return BootScript.chainTo(ChainUrl.parse(base + "profile=" + name), "&" + ChainScript.IDENTITY_QUERY);
  }

  private static String hostOf(Request request) {
    String h = Request.getServerName(request);
    return h.contains(":") && !h.startsWith("[") ? "[" + h + "]" : h;
  }

  private static boolean text(Response response, Callback callback, int status, String body) {
    return MediaResponder.text(response, callback, status, body);
  }
}
