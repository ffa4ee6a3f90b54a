package dev.chainboot.http;

import dev.chainboot.firmware.MissingFirmwareException;
import dev.chainboot.media.MediaBuilder;
import dev.chainboot.media.MediaCache;
import dev.chainboot.media.MediaSpec;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Sends one boot image over HTTP: built on first use and cached by content (the SHA-256 of its
 * inputs, which is also its ETag), with Content-Length, Content-Disposition, HEAD and If-None-Match
 * (304). Every endpoint that serves media (/media/..., Zero-OS's /iso/ ...) uses this; the endpoint
 * only decides the {@link MediaSpec}.
 */
final class MediaResponder {

  private final MediaBuilder builder;
  private final MediaCache cache;

  MediaResponder(MediaBuilder builder, MediaCache cache) {
    this.builder = builder;
    this.cache = cache;
  }

  /** Answers with the image for {@code spec}, offered for download as {@code fileName}. */
  boolean respond(
      Request request, Response response, Callback callback, MediaSpec spec, String fileName) {
    return respondAs(
        request, response, callback, spec, "attachment; filename=\"" + fileName + "\"");
  }

  /**
   * Answers with the image for {@code spec} with the given {@code Content-Disposition} value (a
   * trusted constant with a checked file name).
   */
  boolean respondAs(
      Request request, Response response, Callback callback, MediaSpec spec, String disposition) {
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
      return Responses.text(
          request, response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, e.getMessage() + "\n");
    }
    response.getHeaders().put(HttpHeader.ETAG, etag);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
    response.getHeaders().put("Content-Disposition", disposition);
    return Responses.bytes(
        request, response, callback, HttpStatus.OK_200, spec.format().contentType(), image);
  }
}
