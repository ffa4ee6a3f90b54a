package dev.chainboot.compat.pixie;

import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.BootEvent;
import dev.chainboot.compat.CoreDecision;
import dev.chainboot.compat.DecisionLog;
import dev.chainboot.http.DirectoryHandler;
import java.io.IOException;
import java.util.Locale;
import java.util.Optional;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * pixie's {@code /ipxe/<mac-with-hyphens>.ipxe}: the machine's script from the scripts
 * directory ({@code 00-11-22-33-44-55.ipxe}, lowercase hex; the MAC in the URL may be in any
 * case or use colons), other files of the directory as they are, and for a MAC without a file
 * the boot core's decision instead of pixie's 404 dead end.
 */
public final class PixieScripts {

  private final DirectoryHandler scripts;
  private final CoreDecision core;
  private final DecisionLog decisions;

  public PixieScripts(DirectoryHandler scripts, CoreDecision core, DecisionLog decisions) {
    this.scripts = scripts;
    this.core = core;
    this.decisions = decisions;
  }

  /** The MAC a pixie script name stands for ({@code 00-11-22-33-44-55.ipxe}), if it is one. */
  public static Optional<MacAddress> macOf(String fileName) {
    if (!fileName.toLowerCase(Locale.ROOT).endsWith(".ipxe") || fileName.indexOf('/') >= 0) {
      return Optional.empty();
    }
    return MacAddress.parse(fileName.substring(0, fileName.length() - ".ipxe".length()));
  }

  /** pixie's file name for {@code mac}. */
  public static String fileName(MacAddress mac) {
    return mac.hexhyp() + ".ipxe";
  }

  /**
   * @param relative the path after {@code /ipxe/}
   * @return false when this is neither a MAC script name nor an existing file
   */
  public boolean handle(String relative, Request request, Response response, Callback callback)
      throws IOException {
    Optional<MacAddress> mac = macOf(relative);
    if (mac.isEmpty()) {
      return scripts.serve(relative, request, response, callback);
    }
    String name = fileName(mac.get());
    if (scripts.serve(name, request, response, callback)) {
      if ("GET".equals(request.getMethod())) {
        decisions.record(request, mac, BootEvent.Match.STATIC, "pixie script " + name, "pixie", false);
      }
      return true;
    }
    core.answer(request, response, callback, mac, "no pixie script " + name);
    return true;
  }
}
