package dev.chainboot.http;

import dev.chainboot.firmware.BootBinary;
import dev.chainboot.firmware.FirmwareCatalog;
import java.util.Optional;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /firmware/<name>}: a boot binary by one of its names (e.g. {@code snponly.efi}, {@code
 * ipxe-arm64.efi}), for UEFI HTTP boot clients. Only the catalogue's names match, so no path can
 * reach the file system; anything else is not handled (the router's 404).
 */
final class FirmwareHandler extends Handler.Abstract.NonBlocking {

  private final FirmwareCatalog catalog;
  private final String prefix;

  FirmwareHandler(FirmwareCatalog catalog, String prefix) {
    this.catalog = catalog;
    this.prefix = prefix;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String path = Request.getPathInContext(request);
    if (!path.startsWith(prefix)) {
      return false;
    }
    Optional<byte[]> bytes =
        BootBinary.byName(path.substring(prefix.length())).flatMap(catalog::bytes);
    if (bytes.isEmpty()) {
      return false;
    }
    if (!Methods.allowed(request, response, callback, Methods.GET_HEAD)) {
      return true;
    }
    return Responses.bytes(
        request, response, callback, 200, "application/octet-stream", bytes.get());
  }
}
