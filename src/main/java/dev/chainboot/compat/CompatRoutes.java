package dev.chainboot.compat;

import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.BootResolver;
import dev.chainboot.compat.pixie.PixieScripts;
import dev.chainboot.compat.pxesrv.PxeSrvHandlers;
import dev.chainboot.compat.pxesrv.PxeSrvRoot;
import dev.chainboot.compat.zeroos.ZeroOsBoot;
import dev.chainboot.compat.zeroos.ZeroOsScripts;
import dev.chainboot.config.ChainbootConfig;
import dev.chainboot.config.ServerConfig;
import dev.chainboot.http.DirectoryHandler;
import dev.chainboot.http.Router;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Installs the file endpoints and the seed tools' URLs on the router:
 * {@code /assets/} (DATA/assets), {@code /kernel/} (DATA/kernels), {@code /extra/} (pixie's
 * {@code -e} directory, if given), {@code /ipxe/} (Zero-OS runmodes and pixie scripts), and,
 * when a pxe_srv root is configured, {@code /redirect}, {@code /grub/clear/<version>} and the
 * root itself as static files at every otherwise unrouted path.
 */
public final class CompatRoutes {

  public static final String TEXT_PLAIN = "text/plain; charset=utf-8";

  private CompatRoutes() {}

  /**
   * @param resolver the boot core, or null (then a request nothing matches gets a 404)
   */
  public static void install(Router router, ServerConfig config, ChainbootConfig settings,
      BootResolver resolver) {
    install(router, config, settings, resolver, null);
  }

  /**
   * @param resolver the boot core, or null (then a request nothing matches gets a 404)
   * @param events where the adapters' own decisions are recorded (the server's event writer),
   *     or null
   */
  public static void install(Router router, ServerConfig config, ChainbootConfig settings,
      BootResolver resolver, Consumer<BootEvent> events) {
    CoreDecision core = new CoreDecision(resolver);
    DecisionLog log = new DecisionLog(events);

    router.prefix("/assets/", new DirectoryHandler(config.assetsRoot(), "/assets/", null));
    router.prefix("/kernel/", new DirectoryHandler(config.kernelsRoot(), "/kernel/", "application/octet-stream"));
    config.extraDir().ifPresent(extra -> router.prefix("/extra/", new DirectoryHandler(extra, "/extra/", null)));

    ZeroOsScripts zeroOs = new ZeroOsScripts(
        new ZeroOsBoot(settings.zeroOsRunmodes(), config.kernelsRoot()), core, log);
    PixieScripts pixie = new PixieScripts(
        new DirectoryHandler(config.scriptsRoot(), IpxeRoutes.PREFIX, TEXT_PLAIN), core, log);
    router.prefix(IpxeRoutes.PREFIX, new IpxeRoutes(zeroOs, pixie));

    config.pxesrvRoot().ifPresent(dir -> installPxeSrv(router, dir, core, log));
  }

  private static void installPxeSrv(Router router, Path dir, CoreDecision core, DecisionLog log) {
    PxeSrvRoot root = new PxeSrvRoot(dir);
    router.exact("/redirect", PxeSrvHandlers.redirect(root, core, log));
    router.prefix(PxeSrvHandlers.GRUB_CLEAR_PREFIX, PxeSrvHandlers.grubClear(root));
    // The catch-all: exact paths and longer prefixes are routed first.
    router.prefix("/", new DirectoryHandler(dir, "/", TEXT_PLAIN));
  }
}
