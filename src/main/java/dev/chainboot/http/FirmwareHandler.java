package dev.chainboot.http;

import dev.chainboot.firmware.BootBinary;
import dev.chainboot.firmware.FirmwareCatalog;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /firmware/<name>}: a boot binary by one of its names (e.g. {@code snponly.efi},
 * {@code ipxe-arm64.efi}), for UEFI HTTP boot clients. Only the catalogue's names match, so no
 * path can reach the file system; anything else is not handled (the router's 404).
 */
public final class FirmwareHandler extends Handler.Abstract.NonBlocking {

  private final FirmwareCatalog catalog;
  private final String prefix;

  public FirmwareHandler(FirmwareCatalog catalog) {
    this(catalog, "/firmware/");
  }

  public FirmwareHandler(FirmwareCatalog catalog, String prefix) {
    this.catalog = catalog;
    this.prefix = prefix;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String path = Request.getPathInContext(request);
    if (!path.startsWith(prefix)) {
      return false;
    }
    String method = request.getMethod();
    if (!"GET".equals(method) && !"HEAD".equals(method)) {
      return false;
    }
    Optional<BootBinary> binary = BootBinary.byName(path.substring(prefix.length()));
    Optional<byte[]> bytes = binary.flatMap(catalog::bytes);
    if (bytes.isEmpty()) {
      return false;
    }
    byte[] b = bytes.get();
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, b.length);
    if ("HEAD".equals(method)) {
      callback.succeeded();
    } else {
      response.write(true, ByteBuffer.wrap(b), callback);
    }
    return true;
  }
}
