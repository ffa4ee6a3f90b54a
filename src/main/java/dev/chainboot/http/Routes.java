package dev.chainboot.http;

import static dev.chainboot.auth.Role.ADMIN;
import static dev.chainboot.auth.Role.OPERATOR;
import static dev.chainboot.auth.Role.VIEWER;

import dev.chainboot.api.LocalControl;
import dev.chainboot.api.OpenApiDocument;
import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.BootResolver;
import dev.chainboot.boot.CallbackToken;
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
import dev.chainboot.ipxebuild.BuildSpec;
import dev.chainboot.ipxebuild.IpxeBuilds;
import dev.chainboot.media.MediaBuilder;
import dev.chainboot.media.MediaCache;
import dev.chainboot.store.Store;
import dev.chainboot.text.Printable;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntSupplier;

/**
 * The one place that decides which URL reaches which endpoint. {@link #all} is what {@code
 * chainboot serve} answers; the groups are separate so that tests can mount a part.
 *
 * <pre>
 * The boot listener (--http), what firmware and installers use, without authentication:
 * /health                         ok
 * /boot.ipxe, /boot/resolve       the boot core                      BootEndpoints
 * /done/TOKEN                     an installer's callback (POST)     CallbackEndpoint
 * /boot/grub/MAC.cfg              the boot core, as GRUB config      GrubEndpoints
 * /assets/ /kernel/ /extra/       files (Range, ETag, HEAD)          DirectoryHandler
 * /ipxe/                          Zero-OS runmodes, pixie scripts    IpxeEndpoints
 * /redirect, /grub/clear/, /      pxe_srv (with --pxesrv-root)       PxeSrvEndpoints
 * /media/                         boot media by machine or profile   MediaEndpoints
 * /iso/ /usb/ /uefimg/ /uefi/ /krn/ /snponly/, /krn-generic, /uefi-generic
 *                                 Zero-OS images and iPXE builds     ZeroOsMediaEndpoints
 * /provision/                     Zero-OS provisioning by MAC        ProvisionEndpoint
 * /firmware/                      boot binaries for UEFI HTTP boot   FirmwareHandler
 * /boot-https.ipxe                on to HTTPS (with serve --https)   httpsEntry
 *
 * The admin listener (--admin), everything else, behind a token or a UI session ({@link #admin}):
 * /health                         ok (no authentication: probes)
 * /api/v1/...                     the REST API                       ApiEndpoints
 * /api/kernel, /api/symlink       Zero-OS bootstrap's kernel API     ApiEndpoints
 * /login, /logout                UI sessions                        LoginEndpoints
 * /, /machines, /profiles, ...    the web UI (see {@link #ui})       UiPages, EventStream
 * /metrics                        Prometheus (viewer role)           MetricsEndpoint
 * </pre>
 *
 * Downloads that are stages of a boot (files, boot binaries, media) are marked with {@link
 * StageLog#staged}, so that the client's boot timeline records them.
 */
public final class Routes {

  /**
   * Paths storm control never holds back (exact, or a prefix ending in '/'): the health check and
   * the API, so operators can look at a server under a boot storm.
   */
  public static final java.util.List<String> UNLIMITED = java.util.List.of("/health", "/api/");

  /**
   * Paths that are file downloads (kernels, initrds, boot binaries, images): storm control counts
   * them apart from everything else, so that a machine asking for its script never waits behind
   * other machines' kernel and initrd transfers (exact, or a prefix ending in '/').
   */
  public static final java.util.List<String> DOWNLOADS =
      java.util.List.of(
          "/assets/",
          "/kernel/",
          "/extra/",
          "/firmware/",
          "/media/",
          "/iso/",
          "/usb/",
          "/uefimg/",
          "/uefi/",
          "/krn/",
          "/snponly/",
          "/krn-generic",
          "/uefi-generic");

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
      FirmwareCatalog firmware,
      MeterRegistry registry,
      List<String> httpsCa) {
    health(router);
    boot(router, resolver);
    files(router, config);
    seedTools(router, config, file, resolver, events);
    media(router, config, file, store, firmware, registry, httpsCa);
    provision(router, resolver, store);
  }

  /**
   * {@code /provision/<mac>}: Zero-OS's provisioning route, answered from the store (a machine
   * imported with {@code chainboot import zeroos} boots its profile).
   */
  public static void provision(Router router, BootResolver resolver, Store store) {
    router.prefix(
        ProvisionEndpoint.PREFIX,
        new ProvisionEndpoint(resolver, mac -> store.machine(mac).isPresent()));
  }

  /**
   * This server's https base URL, when it serves https: Zero-OS kernel and chain URLs use it then
   * (as the seed's did). None yet: plain HTTP only until {@code serve --https} exists.
   */
  static Optional<String> httpsBase(ServerConfig config) {
    return Optional.empty();
  }

  /** Zero-OS's script settings from the configuration file. */
  static ZeroOsBoot zeroOsBoot(ServerConfig config, ConfigFile file) {
    ConfigFile.ZeroOs z = file.zeroOs();
    return new ZeroOsBoot(
        file.zeroOsRunmodes(),
        config.kernelsRoot(),
        new ZeroOsBoot.Options(z.cmdline(), z.runmodeCmdlines(), z.unsecureHosts(), z.ntp()));
  }

  /**
   * Whether Zero-OS's runmodes are answered under {@code /ipxe/}: when the configuration file has a
   * {@code zeroos} section or {@code DATA/kernels/net/} (the runmodes' kernels) exists. On a
   * pixie-only server a scripts file named {@code prod} is then never shadowed by a runmode.
   */
  static BooleanSupplier zeroOsConfigured(ServerConfig config, ConfigFile file) {
    Path net = config.kernelsRoot().resolve("net");
    return () -> file.zeroOs().configured() || Files.isDirectory(net);
  }

  /**
   * {@code /metrics}: on the admin listener, behind {@code guard} (the viewer role: a Prometheus
   * scrape job's bearer token).
   */
  public static void metrics(Router router, Guard guard, Function<String, String> scrape) {
    router.exact("/metrics", guard.require(VIEWER, new MetricsEndpoint(scrape)));
  }

  /** {@code /health} */
  public static void health(Router router) {
    router.exact("/health", new PlainTextHandler(req -> "ok\n"));
  }

  /** {@code /boot.ipxe}, {@code /boot/resolve} and installers' callbacks at {@code /done/}. */
  public static void boot(Router router, BootResolver resolver) {
    BootEndpoints boot = new BootEndpoints(resolver);
    router.exact(ChainScripts.BOOT_PATH, boot.boot());
    router.exact(ChainScripts.RESOLVE_PATH, boot.resolve());
    router.prefix(CallbackToken.PATH, new CallbackEndpoint(resolver));
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

  /**
   * The admin listener: the REST API ({@code /api/v1/}, roles per route below), UI sessions ({@code
   * /login}, {@code /logout}) and the signed-in page at {@code /}. Every path but {@code /health}
   * and {@code /login} needs a token or a session; unknown paths too (so that nothing answers
   * without one).
   *
   * @param bootBaseUrl the boot listener's URL for a request (a preview's default base URL)
   */
  public static void admin(
      Router router,
      LocalControl control,
      Guard guard,
      java.util.function.Function<org.eclipse.jetty.server.Request, String> bootBaseUrl) {
    ApiEndpoints api =
        new ApiEndpoints(
            control, new MediaCache(MEDIA_CACHE_BYTES), bootBaseUrl, OpenApiDocument.json());
    String v1 = ApiEndpoints.PREFIX;
    health(router);
    router.exact(v1 + "openapi.json", guard.require(VIEWER, api.openapi()));
    router.exact(v1 + "whoami", guard.require(VIEWER, api.whoami()));
    router.exact(v1 + "machines", guard.require(VIEWER, OPERATOR, api.machines()));
    router.prefix(v1 + "machines/", guard.require(VIEWER, OPERATOR, api.machine()));
    router.exact(v1 + "assignments", guard.require(VIEWER, api.assignments()));
    router.exact(v1 + "default", guard.require(VIEWER, OPERATOR, api.defaultProfile()));
    router.exact(v1 + "profiles", guard.require(VIEWER, OPERATOR, api.profiles()));
    router.prefix(v1 + "profiles/", guard.require(VIEWER, OPERATOR, api.profile()));
    router.exact(v1 + "groups", guard.require(VIEWER, OPERATOR, api.groups()));
    router.prefix(v1 + "groups/", guard.require(VIEWER, OPERATOR, api.group()));
    router.exact(v1 + "events", guard.require(VIEWER, api.events()));
    router.exact(v1 + "media", guard.require(OPERATOR, api.mediaBuild()));
    router.prefix(v1 + "media/", guard.require(VIEWER, api.mediaDownload()));
    router.prefix(v1 + "imports/", guard.require(OPERATOR, api.imports()));
    router.exact(v1 + "zeroos/kernels", guard.require(VIEWER, api.zeroOsKernels()));
    router.prefix(v1 + "zeroos/kernels/", guard.require(VIEWER, OPERATOR, api.zeroOsKernel()));
    router.exact(v1 + "zeroos/runmodes", guard.require(VIEWER, api.zeroOsRunmodes()));
    router.prefix(v1 + "zeroos/runmodes/", guard.require(VIEWER, OPERATOR, api.zeroOsRunmode()));
    router.exact("/api/kernel", guard.require(VIEWER, OPERATOR, api.compatKernel()));
    router.exact("/api/symlink", guard.require(VIEWER, OPERATOR, api.compatSymlink()));
    router.exact(v1 + "tokens", guard.require(ADMIN, api.tokens()));
    router.prefix(v1 + "tokens/", guard.require(ADMIN, api.token()));
    router.prefix("/api/", guard.require(VIEWER, api.unknown()));
    ui(router, guard, new UiPages(control, bootBaseUrl), new EventStream(control));
  }

  /**
   * UI sessions and the web UI ({@link UiPages}): {@code /login} (open), {@code /logout}, the pages
   * (GET: a session or token with at least the viewer role; POST: operator, and a session's CSRF
   * token), the live event stream, and every other path (404 only after authentication).
   *
   * <pre>
   * /                          redirects to /machines
   * /machines                  list (search, paged); POST pre-provisions one
   * /machines/{mac}            a machine, its timeline; POST .../assign|clear|labels
   * /profiles, /profiles/{n}   list, editor; POST saves, POST .../delete
   * /ui/preview                POST: the editor's profile rendered for a machine (nothing saved)
   * /groups, /groups/{n}       groups and the default; POST saves, POST .../delete
   * /default                   POST: sets the default profile
   * /events, /events/stream    the newest events; the live stream (server-sent events)
   * /ui/media/{name}.iso|img|esp   boot media for a machine or profile
   * /zeroos                    Zero-OS runmodes and kernels; POST /zeroos/switch|upload,
   *                            /zeroos/kernels/{file}/delete
   * /ui/static/                the UI's script and style
   * </pre>
   */
  static void ui(Router router, Guard guard, UiPages ui, EventStream stream) {
    LoginEndpoints login = new LoginEndpoints(guard);
    router.exact(LoginEndpoints.LOGIN_PATH, login.login());
    router.exact(LoginEndpoints.LOGOUT_PATH, guard.require(VIEWER, login.logout()));
    router.exact("/", guard.require(VIEWER, ui.home()));
    router.exact("/machines", guard.require(VIEWER, OPERATOR, ui.machines()));
    router.prefix("/machines/", guard.require(VIEWER, OPERATOR, ui.machine()));
    router.exact("/profiles", guard.require(VIEWER, OPERATOR, ui.profiles()));
    router.prefix("/profiles/", guard.require(VIEWER, OPERATOR, ui.profile()));
    router.exact("/ui/preview", guard.require(VIEWER, ui.preview()));
    router.exact("/groups", guard.require(VIEWER, OPERATOR, ui.groups()));
    router.prefix("/groups/", guard.require(OPERATOR, ui.group()));
    router.exact("/default", guard.require(OPERATOR, ui.defaultProfile()));
    router.exact("/events", guard.require(VIEWER, ui.events()));
    router.exact(EventStream.PATH, guard.require(VIEWER, stream));
    router.prefix("/ui/media/", guard.require(VIEWER, ui.media()));
    router.exact("/zeroos", guard.require(VIEWER, ui.zeroOs()));
    router.prefix("/zeroos/", guard.require(OPERATOR, ui.zeroOsAction()));
    router.prefix("/ui/static/", guard.require(VIEWER, ui.staticFiles()));
    router.prefix(
        "/",
        guard.require(
            VIEWER,
            new PlainTextHandler(
                404, req -> "not found: " + Printable.of(req.getHttpURI().getPath()) + "\n")));
  }

  /** {@code /assets/} (DATA/assets), {@code /kernel/} (DATA/kernels), {@code /extra/}. */
  public static void files(Router router, ServerConfig config) {
    router.prefix(
        "/assets/", download(new DirectoryHandler(config.assetsRoot(), "/assets/", null)));
    router.prefix(
        "/kernel/",
        download(
            new DirectoryHandler(config.kernelsRoot(), "/kernel/", "application/octet-stream")));
    config
        .extraDir()
        .ifPresent(
            extra ->
                router.prefix("/extra/", download(new DirectoryHandler(extra, "/extra/", null))));
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
            zeroOsBoot(config, file),
            zeroOsConfigured(config, file),
            httpsBase(config),
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
              router.prefix(PxeSrvEndpoints.PXELINUX_PREFIX, pxesrv.pxelinux(pxesrvRoot(dir)));
              // The catch-all: exact paths and longer prefixes are routed first.
              router.prefix("/", download(pxesrvRoot(dir)));
            });
  }

  /**
   * {@code /media/}, Zero-OS's image URLs and {@code /firmware/}.
   *
   * @param registry where media builds are timed
   * @param httpsCa the CA certificate(s) (PEM) that {@code serve --https} makes firmware trust, or
   *     empty without HTTPS: the built images trust it ({@link #buildTrust})
   */
  public static void media(
      Router router,
      ServerConfig config,
      ConfigFile file,
      Store store,
      FirmwareCatalog firmware,
      MeterRegistry registry,
      List<String> httpsCa) {
    MediaResponder media =
        new MediaResponder(new MediaBuilder(firmware), new MediaCache(MEDIA_CACHE_BYTES), registry);
    router.prefix(
        MediaEndpoints.PREFIX,
        StageLog.staged(
            BootEvent.Stage.MEDIA,
            new MediaEndpoints(
                media,
                config.advertise(),
                name ->
                    MacAddress.parse(name)
                        .map(mac -> store.machine(mac).isPresent())
                        .orElseGet(() -> store.profile(name).isPresent()))));
    ConfigFile.IpxeTrust trust = buildTrust(file.ipxe(), httpsCa);
    ZeroOsMediaEndpoints.Context cx =
        new ZeroOsMediaEndpoints.Context(
            media,
            new BuildResponder(IpxeBuilds.at(config.dataDir())),
            firmware,
            zeroOsBoot(config, file),
            config.advertise(),
            httpsBase(config),
            trust.trust(),
            trust.cert(),
            trust.publicRoots());
    for (ZeroOsMedia.Kind k : ZeroOsMedia.Kind.values()) {
      router.prefix(
          k.prefix(),
          StageLog.staged(
              BootEvent.Stage.MEDIA,
              new ZeroOsMediaEndpoints(k, cx, config.pxesrvRoot().map(Routes::pxesrvRoot))));
    }
    router.exact(
        "/krn-generic",
        StageLog.staged(BootEvent.Stage.MEDIA, ZeroOsMediaEndpoints.generic(false, cx)));
    router.exact(
        "/uefi-generic",
        StageLog.staged(BootEvent.Stage.MEDIA, ZeroOsMediaEndpoints.generic(true, cx)));
    router.prefix(
        BootBinary.HTTP_PATH, download(new FirmwareHandler(firmware, BootBinary.HTTP_PATH)));
  }

  /**
   * What the built images ({@code /krn/}, {@code /uefi/}, {@code /snponly/}, the generic ones)
   * trust: the {@code ipxe} section of {@code chainboot.yaml} when it names roots or certificates;
   * else, when {@code serve --https} is on with a CA, that CA and the public roots ({@link
   * BuildSpec#caTrust}: an operator who turned HTTPS on expects the images chainboot builds to
   * fetch from it without DHCP option 175.90, and public https to keep working); else iPXE's
   * default root.
   */
  static ConfigFile.IpxeTrust buildTrust(ConfigFile.IpxeTrust configured, List<String> httpsCa) {
    if (!configured.trust().isEmpty() || !configured.cert().isEmpty() || httpsCa.isEmpty()) {
      return configured;
    }
    List<String> all = BuildSpec.caTrust(httpsCa, configured.publicRoots());
    // the public roots are in the list already: the generic images add none
    return new ConfigFile.IpxeTrust(all, all, List.of());
  }

  /** A file handler whose GETs are {@link BootEvent.Stage#DOWNLOAD} stages of a boot. */
  private static org.eclipse.jetty.server.Handler download(
      org.eclipse.jetty.server.Handler handler) {
    return StageLog.staged(BootEvent.Stage.DOWNLOAD, handler);
  }

  /**
   * A pxe_srv root's files, typed by extension as pxe_srv (Sinatra's static files) sent them:
   * {@code .txt} text/plain, {@code .html} text/html, no or an unknown extension
   * application/octet-stream.
   */
  private static DirectoryHandler pxesrvRoot(Path dir) {
    return new DirectoryHandler(dir, "/", null);
  }
}
