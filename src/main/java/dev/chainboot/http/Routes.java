package dev.chainboot.http;

import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.BootResolver;
import dev.chainboot.boot.LayeredResolver;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.compat.pixie.PixieSource;
import dev.chainboot.compat.pxesrv.PxeSrvRoot;
import dev.chainboot.compat.zeroos.ZeroOsBoot;
import dev.chainboot.compat.zeroos.ZeroOsMedia;
import dev.chainboot.config.ConfigFile;
import dev.chainboot.config.ServerConfig;
import dev.chainboot.firmware.BootBinary;
import dev.chainboot.firmware.FirmwareCatalog;
import dev.chainboot.grub.GrubConfig;
import dev.chainboot.ipxe.ChainScripts;
import dev.chainboot.media.MediaBuilder;
import dev.chainboot.media.MediaCache;
import dev.chainboot.store.Store;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * The one place that decides which URL reaches which endpoint. {@link #all} is what {@code
 * chainboot serve} answers; the groups are separate so that tests can mount a part.
 *
 * <pre>
 * /health                         ok
 * /boot.ipxe, /boot/resolve       the boot core                      BootEndpoints
 * /boot/grub/MAC.cfg              the boot core, as GRUB config      GrubEndpoints
 * /api/v1/machines, /events       read-only JSON                     ApiEndpoints
 * /assets/ /kernel/ /extra/       files (Range, ETag, HEAD)          DirectoryHandler
 * /ipxe/                          Zero-OS runmodes, pixie scripts    IpxeEndpoints
 * /redirect, /grub/clear/, /      pxe_srv (with --pxesrv-root)       PxeSrvEndpoints
 * /media/                         boot media by machine or profile   MediaEndpoints
 * /iso/ /usb/ /uefimg/ /uefi/ /krn/  Zero-OS images                  ZeroOsMediaEndpoints
 * /firmware/                      boot binaries for UEFI HTTP boot   FirmwareHandler
 * /boot-https.ipxe                on to HTTPS (with serve --https)   httpsEntry
 * </pre>
 */
public final class Routes {

  /** Memory for built boot media served under /media/ (least recently used out). */
  private static final long MEDIA_CACHE_BYTES = 64L << 20;

  private Routes() {}

  /** Everything {@code serve} answers. */
  public static void all(
      Router router,
      ServerConfig config,
      ConfigFile file,
      BootResolver resolver,
      Consumer<BootEvent> events,
      Store store,
      FirmwareCatalog firmware) {
    health(router);
    boot(router, resolver);
    api(router, store);
    files(router, config);
    seedTools(router, config, file, resolver, events);
    media(router, config, file, store, firmware);
  }

  /** {@code /health} */
  public static void health(Router router) {
    router.exact("/health", new PlainTextHandler(req -> "ok\n"));
  }

  /** {@code /boot.ipxe} and {@code /boot/resolve}. */
  public static void boot(Router router, BootResolver resolver) {
    BootEndpoints boot = new BootEndpoints(resolver);
    router.exact(ChainScripts.BOOT_PATH, boot.boot());
    router.exact(ChainScripts.RESOLVE_PATH, boot.resolve());
    router.prefix(GrubConfig.MACHINE_PATH, new GrubEndpoints(resolver));
  }

  /**
   * {@code /boot-https.ipxe}: where proxyDHCP sends iPXE that can continue over HTTPS; answers a
   * script (over plain HTTP) that sets the clock when {@code --ntp} is given and chains to this
   * server's HTTPS {@code /boot.ipxe} with the machine's identity.
   *
   * @param httpsPort the HTTPS listener's bound port (known once it is started)
   */
  public static void httpsEntry(Router router, ServerConfig config, IntSupplier httpsPort) {
    router.exact(
        ChainScripts.HTTPS_ENTRY_PATH,
        new HttpsEntryHandler(config.advertise(), config.ntp(), httpsPort));
  }

  /** {@code /api/v1/}. */
  public static void api(Router router, Store store) {
    ApiEndpoints api = new ApiEndpoints(store);
    router.exact("/api/v1/machines", api.machines());
    router.exact("/api/v1/events", api.events());
  }

  /** {@code /assets/} (DATA/assets), {@code /kernel/} (DATA/kernels), {@code /extra/}. */
  public static void files(Router router, ServerConfig config) {
    router.prefix("/assets/", new DirectoryHandler(config.assetsRoot(), "/assets/", null));
    router.prefix(
        "/kernel/",
        new DirectoryHandler(config.kernelsRoot(), "/kernel/", "application/octet-stream"));
    config
        .extraDir()
        .ifPresent(extra -> router.prefix("/extra/", new DirectoryHandler(extra, "/extra/", null)));
  }

  /**
   * The seed tools' boot URLs: {@code /ipxe/} (Zero-OS runmodes and pixie scripts), and, when a
   * pxe_srv root is configured, {@code /redirect}, {@code /grub/clear/<version>} and the root
   * itself as static files at every otherwise unrouted path. Their layouts are assignment sources
   * of the boot core; the core decides and records.
   *
   * @param events where decisions taken from the seed layouts are recorded
   */
  public static void seedTools(
      Router router,
      ServerConfig config,
      ConfigFile file,
      BootResolver resolver,
      Consumer<BootEvent> events) {
    SeedAnswers answers = new SeedAnswers(new LayeredResolver(resolver, events));
    router.prefix(
        IpxeEndpoints.PREFIX,
        new IpxeEndpoints(
            new ZeroOsBoot(file.zeroOsRunmodes(), config.kernelsRoot()),
            new PixieSource(config.scriptsRoot()),
            new DirectoryHandler(config.scriptsRoot(), IpxeEndpoints.PREFIX, Responses.TEXT_PLAIN),
            answers));
    config
        .pxesrvRoot()
        .ifPresent(
            dir -> {
              PxeSrvEndpoints pxesrv = new PxeSrvEndpoints(new PxeSrvRoot(dir), answers);
              router.exact("/redirect", pxesrv.redirect());
              router.prefix(PxeSrvEndpoints.GRUB_CLEAR_PREFIX, pxesrv.grubClear());
              // The catch-all: exact paths and longer prefixes are routed first.
              router.prefix("/", pxesrvRoot(dir));
            });
  }

  /** {@code /media/}, Zero-OS's image URLs and {@code /firmware/}. */
  public static void media(
      Router router, ServerConfig config, ConfigFile file, Store store, FirmwareCatalog firmware) {
    MediaResponder media =
        new MediaResponder(new MediaBuilder(firmware), new MediaCache(MEDIA_CACHE_BYTES));
    router.prefix(
        MediaEndpoints.PREFIX,
        new MediaEndpoints(
            media,
            config.advertise(),
            name ->
                MacAddress.parse(name)
                    .map(mac -> store.machine(mac).isPresent())
                    .orElseGet(() -> store.profile(name).isPresent())));
    for (ZeroOsMedia.Kind k : ZeroOsMedia.Kind.values()) {
      router.prefix(
          k.prefix(),
          new ZeroOsMediaEndpoints(
              k,
              media,
              firmware,
              file.zeroOsRunmodes().keySet(),
              config.advertise(),
              config.pxesrvRoot().map(Routes::pxesrvRoot)));
    }
    router.prefix(BootBinary.HTTP_PATH, new FirmwareHandler(firmware, BootBinary.HTTP_PATH));
  }

  /** A pxe_srv root's files, all {@code text/plain} as pxe_srv sent them. */
  private static DirectoryHandler pxesrvRoot(Path dir) {
    return new DirectoryHandler(dir, "/", Responses.TEXT_PLAIN);
  }
}
