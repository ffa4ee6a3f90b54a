package dev.chainboot.media;

import dev.chainboot.firmware.MissingFirmwareException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Sends one boot image over HTTP: built on first use and cached by content (the SHA-256 of
 * its inputs, which is also its ETag), with Content-Length, Content-Disposition, HEAD and
 * If-None-Match (304). Any endpoint that serves media (/media/..., Zero-OS's /iso/ ...) uses
 * this; the endpoint only decides the {@link MediaSpec}.
 */
public final class MediaResponder {

  private final MediaBuilder builder;
  private final MediaCache cache;

  public MediaResponder(MediaBuilder builder, MediaCache cache) {
    this.builder = builder;
    this.cache = cache;
  }

  /** Answers with the image for {@code spec}, offered for download as {@code fileName}. */
  public boolean respond(Request request, Response response, Callback callback, MediaSpec spec, String fileName) {
    String method = request.getMethod();
    String etag = "\"" + spec.digestHex().substring(0, 32) + "\"";
    String inm = request.getHeaders().get(HttpHeader.IF_NONE_MATCH);
    if (inm != null && (inm.contains(etag) || inm.strip().equals("*"))) {
      response.getHeaders().put(HttpHeader.ETAG, etag);
      response.setStatus(HttpStatus.NOT_MODIFIED_304);
      callback.succeeded();
      return true;
    }
    byte[] image;
    try {
      image = cache.get(spec.digestHex(), () -> builder.build(spec));
    } catch (MissingFirmwareException e) {
      return text(request, response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, e.getMessage() + "\n");
    }
    response.setStatus(HttpStatus.OK_200);
    response.getHeaders().put(HttpHeader.ETAG, etag);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, spec.format().contentType());
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, image.length);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
    response.getHeaders().put("Content-Disposition", "attachment; filename=\"" + fileName + "\"");
    if (method.equals("HEAD")) {
      callback.succeeded();
    } else {
      response.write(true, ByteBuffer.wrap(image).asReadOnlyBuffer(), callback);
    }
    return true;
  }

  /** A plain-text answer (errors, explanations; no body for HEAD). */
  public static boolean text(Request request, Response response, Callback callback, int status, String body) {
    dev.chainboot.http.PlainTextHandler.send(request, response, callback, status, body);
    return true;
  }
}
