package dev.chainboot.http;

import dev.chainboot.ipxe.ChainScripts;
import java.util.Optional;
import java.util.function.IntSupplier;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code /boot-https.ipxe}, over plain HTTP: the script that takes iPXE on to this server's HTTPS
 * {@code /boot.ipxe} ({@link ChainScripts#httpsChain}). It decides nothing: the machine is decided
 * on over HTTPS.
 */
final class HttpsEntryHandler extends Handler.Abstract.NonBlocking {

  private final Optional<String> advertise;
  private final Optional<String> ntp;
  private final IntSupplier httpsPort;

  HttpsEntryHandler(Optional<String> advertise, Optional<String> ntp, IntSupplier httpsPort) {
    this.advertise = advertise;
    this.ntp = ntp;
    this.httpsPort = httpsPort;
  }

  @Override
  public boolean handle(Request req, Response resp, Callback cb) {
    if (!Methods.allowed(req, resp, cb, Methods.GET_HEAD)) {
      return true;
    }
    String base = "https://" + Requests.host(req, advertise) + ":" + httpsPort.getAsInt();
    return Responses.script(req, resp, cb, 200, ChainScripts.httpsChain(base, ntp));
  }
}
