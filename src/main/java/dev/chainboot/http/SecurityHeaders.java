package dev.chainboot.http;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The security headers of every answer of the admin listener (API and UI): a strict Content
 * Security Policy (only this origin's own scripts, styles and images; no frames, plugins or foreign
 * form targets), no MIME sniffing, no framing, no referrer, isolated browsing context, nothing
 * cached, and HSTS when it speaks TLS. A handler may override {@code Cache-Control} (media
 * downloads) by setting it again.
 */
public final class SecurityHeaders extends Handler.Wrapper {

  public static final String CSP =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self';"
          + " frame-ancestors 'none'";

  private final boolean tls;

  public SecurityHeaders(Handler next, boolean tls) {
    super(next);
    this.tls = tls;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    HttpFields.Mutable h = response.getHeaders();
    h.put("Content-Security-Policy", CSP);
    h.put("X-Content-Type-Options", "nosniff");
    h.put("X-Frame-Options", "DENY");
    h.put("Referrer-Policy", "no-referrer");
    h.put("Cross-Origin-Opener-Policy", "same-origin");
    h.put("Cross-Origin-Resource-Policy", "same-origin");
    h.put("Permissions-Policy", "camera=(), microphone=(), geolocation=(), usb=(), serial=()");
    h.put("Cache-Control", "no-store");
    if (tls) {
      h.put("Strict-Transport-Security", "max-age=31536000");
    }
    return super.handle(request, response, callback);
  }
}
