package dev.chainboot.http;

import dev.chainboot.ipxebuild.BuildException;
import dev.chainboot.ipxebuild.BuildSpec;
import dev.chainboot.ipxebuild.IpxeBuilds;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one iPXE build over HTTP: from the build cache, or relinked in the platform's warm tree
 * ({@link IpxeBuilds}), with the cache key as ETag (so {@code If-None-Match} needs no build),
 * {@code Content-Disposition: inline; filename=NAME} as the Zero-OS seed sent it, and clear
 * statuses: 501 naming the command that prepares the tree, 503 with {@code Retry-After} when the
 * build queue is full, 500 when make fails (details in the server log).
 */
final class BuildResponder {

  private static final Logger log = LoggerFactory.getLogger(BuildResponder.class);

  private final IpxeBuilds builds;

  BuildResponder(IpxeBuilds builds) {
    this.builds = builds;
  }

  /**
   * @param notPreparedHint added to the 501 message (an alternative that needs no build), or ""
   */
  boolean respond(
      Request request,
      Response response,
      Callback callback,
      BuildSpec spec,
      String fileName,
      String notPreparedHint) {
    String key;
    try {
      key = builds.key(spec);
    } catch (BuildException e) {
      return Responses.text(
          request,
          response,
          callback,
          HttpStatus.NOT_IMPLEMENTED_501,
          e.getMessage() + "\n" + notPreparedHint);
    }
    String etag = "\"" + key.substring(0, 32) + "\"";
    String inm = request.getHeaders().get(HttpHeader.IF_NONE_MATCH);
    if (inm != null && (inm.contains(etag) || inm.strip().equals("*"))) {
      response.getHeaders().put(HttpHeader.ETAG, etag);
      response.setStatus(HttpStatus.NOT_MODIFIED_304);
      callback.succeeded();
      return true;
    }
    IpxeBuilds.Built built;
    try {
      built = builds.build(spec, key);
    } catch (BuildException e) {
      return switch (e.kind()) {
        case NOT_PREPARED ->
            Responses.text(
                request,
                response,
                callback,
                HttpStatus.NOT_IMPLEMENTED_501,
                e.getMessage() + "\n" + notPreparedHint);
        case BUSY -> {
          response.getHeaders().put(HttpHeader.RETRY_AFTER, "10");
          yield Responses.text(
              request,
              response,
              callback,
              HttpStatus.SERVICE_UNAVAILABLE_503,
              e.getMessage() + "\n");
        }
        case BAD_INPUT ->
            Responses.text(
                request, response, callback, HttpStatus.BAD_REQUEST_400, e.getMessage() + "\n");
        default -> {
          log.warn(
              "ipxe build for {} failed: {}",
              Requests.clientIp(request).getHostAddress(),
              e.getMessage());
          yield Responses.text(
              request,
              response,
              callback,
              HttpStatus.INTERNAL_SERVER_ERROR_500,
              "building " + fileName + " failed; the server log has make's output\n");
        }
      };
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Responses.text(
          request,
          response,
          callback,
          HttpStatus.SERVICE_UNAVAILABLE_503,
          "the server is stopping\n");
    }
    response.getHeaders().put(HttpHeader.ETAG, etag);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
    response.getHeaders().put("Content-Disposition", "inline; filename=" + fileName);
    return Responses.buffer(
        request, response, callback, HttpStatus.OK_200, "application/octet-stream", built.buffer());
  }
}
