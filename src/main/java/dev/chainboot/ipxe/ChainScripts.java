package dev.chainboot.ipxe;

import java.util.Optional;

/**
 * The one home of the chain into chainboot: the URL every chain lands on ({@link #BOOT_PATH}), the
 * query that carries a machine's identity, and the three scripts that chain there with retries:
 * {@code chain.ipxe} over TFTP, {@code /boot.ipxe} for an iPXE that did not say who it is, and the
 * script on boot media.
 */
public final class ChainScripts {

  /** Where every chain lands: resolves the machine (with {@code ?mac=}) or asks who it is. */
  public static final String BOOT_PATH = "/boot.ipxe";

  /**
   * Where iPXE that can continue over HTTPS is sent (over plain HTTP): a script that sets the clock
   * if configured and chains to {@code https://HOST:PORT/boot.ipxe} with the machine's identity.
   */
  public static final String HTTPS_ENTRY_PATH = "/boot-https.ipxe";

  /** Attempts of the chain to the HTTPS {@code /boot.ipxe}. */
  static final int HTTPS_TRIES = 2;

  /** The resolver {@code /boot.ipxe} chains to when the request carried no MAC. */
  public static final String RESOLVE_PATH = "/boot/resolve";

  /**
   * The iPXE query string that carries a machine's identity. Every free-text value is {@code
   * :uristring}-escaped. The UUID is not: iPXE formats a uuid-typed setting with {@code :uristring}
   * from its raw bytes and cuts the whole rest of the URL off after it (seen with QEMU's iPXE ROM:
   * {@code ?mac=..&uuid=} and nothing more), while plain {@code ${uuid}} is always the canonical
   * {@code 8-4-4-4-12} hex form, safe in a URL. It goes last so that no iPXE quirk with it can cost
   * the other fields.
   */
  public static final String IDENTITY_QUERY =
      "mac=${mac:hexhyp}&serial=${serial:uristring}"
          + "&hostname=${hostname:uristring}&buildarch=${buildarch:uristring}"
          + "&platform=${platform:uristring}&uuid=${uuid}";

  /** DHCP attempts the boot media script makes before it gives up. */
  public static final int MEDIA_DHCP_TRIES = 5;

  /** Attempts of {@code /boot.ipxe}'s chain to the resolver. */
  static final int RESOLVE_TRIES = 3;

  private ChainScripts() {}

  /** {@code BASE/boot.ipxe} */
  public static String bootUrl(String baseUrl) {
    return baseUrl + BOOT_PATH;
  }

  /** How long {@code chain.ipxe} waits for a key before it boots on: at most 2 s per boot. */
  public static final int MENU_PROMPT_MS = 2000;

  /** Where netboot.xyz's menu is fetched from, for the optional menu item. */
  public static final String NETBOOT_XYZ = "https://boot.netboot.xyz";

  /**
   * The {@code chain.ipxe} menu.
   *
   * @param bootPath the path (on the HTTP server) "boot this machine" chains to, a trusted
   *     constant: {@link #BOOT_PATH} with the identity query, or pixie's {@code
   *     /ipxe/${mac:hexhyp}.ipxe}
   * @param netbootXyz the netboot.xyz menu URL for the optional item (validated), or empty for no
   *     item
   */
  public record ChainMenu(String bootPath, Optional<String> netbootXyz) {
    /** chainboot's own: {@code /boot.ipxe} with the machine's identity, no netboot.xyz. */
    public static final ChainMenu DEFAULT =
        new ChainMenu(BOOT_PATH + "?" + IDENTITY_QUERY, Optional.empty());

    /** pixie's: its per-MAC script URL, and netboot.xyz as pixie offered it. */
    public static final ChainMenu PIXIE =
        new ChainMenu(
            "/ipxe/${mac:hexhyp}.ipxe?" + IDENTITY_QUERY.substring(IDENTITY_QUERY.indexOf('&') + 1),
            Optional.of(NETBOOT_XYZ));

    public ChainMenu {
      if (!bootPath.matches("/[^\\s\"'\\\\]*")) {
        throw new IllegalArgumentException("boot path would change the script");
      }
      netbootXyz = netbootXyz.map(IpxeSafe::url);
    }

    public ChainMenu withNetbootXyz(Optional<String> url) {
      return new ChainMenu(bootPath, url);
    }
  }

  /** {@link #tftpChain(Optional, int, ChainMenu)} with chainboot's own menu. */
  public static String tftpChain(Optional<String> advertisedHost, int httpPort) {
    return tftpChain(advertisedHost, httpPort, ChainMenu.DEFAULT);
  }

  /**
   * The {@code chain.ipxe} script served over TFTP: it hands a machine running iPXE to the HTTP
   * server, carrying the settings that identify it, and keeps trying until the server answers. For
   * {@link #MENU_PROMPT_MS} a key press opens a menu (boot this machine, the iPXE shell, exit to
   * the next boot device, netboot.xyz when configured); an unattended boot waits no longer than
   * that. The HTTP host is the operator's advertised address when one is configured, otherwise
   * iPXE's own {@code ${next-server}} (the TFTP server it was loaded from, per DHCP).
   *
   * @param advertisedHost host name or address (validated) to put in the URL, or empty to use
   *     {@code ${next-server}}
   * @param httpPort the HTTP server's port
   */
  public static String tftpChain(Optional<String> advertisedHost, int httpPort, ChainMenu menu) {
    String host = advertisedHost.map(IpxeSafe::hostName).orElse("${next-server}");
    String base = "http://" + host + ":" + httpPort;
    String url = base + menu.bootPath();
    IpxeScript s =
        new IpxeScript()
            .line("# chainboot: hand this machine to the HTTP boot server (any key: a menu)");
    if (advertisedHost.isEmpty()) {
      s.line("isset ${next-server} || set next-server ${dhcp-server}");
    }
    s.line(
        "prompt --timeout "
            + MENU_PROMPT_MS
            + " Press any key within "
            + MENU_PROMPT_MS / 1000
            + " seconds for the chainboot menu && goto cb_menu ||");
    s.retryForever(
            "cb_boot",
            "chain --autofree " + url,
            "cb_done",
            "chainboot: could not reach " + base + ", retrying in 5 seconds (Ctrl-C for a shell)",
            5)
        .label("cb_menu")
        .line("menu chainboot")
        .line("item --key b cb_boot (b) Boot this machine from " + base)
        .line("item --key s cb_shell (s) iPXE shell")
        .line("item --key e cb_exit (e) Exit to the next boot device");
    menu.netbootXyz().ifPresent(u -> s.line("item --key n cb_xyz (n) netboot.xyz"));
    s.line(
            "choose --default cb_boot --timeout 30000 cb_choice && goto ${cb_choice} || goto cb_boot")
        .label("cb_shell")
        .line("echo chainboot: type 'exit' to return to the menu")
        .line("shell")
        .line("goto cb_menu")
        .label("cb_exit")
        .line("echo chainboot: exiting to the next boot device")
        .line("exit 1");
    menu.netbootXyz()
        .ifPresent(
            u ->
                s.label("cb_xyz")
                    .line("chain --autofree " + u + " ||")
                    .line("echo chainboot: could not load " + u)
                    .line("sleep 3")
                    .line("goto cb_menu"));
    return s.label("cb_done").text();
  }

  /**
   * What {@code /boot.ipxe} answers an iPXE that did not say who it is: a chain to the resolver
   * with iPXE's identity settings, three tries, then exit to the next boot device.
   *
   * @param baseUrl this server's base URL (validated)
   * @param extraQuery a trusted, already-encoded query suffix ({@code &profile=NAME}) or ""
   */
  public static String resolveChain(String baseUrl, String extraQuery) {
    String resolve = baseUrl + RESOLVE_PATH;
    return new IpxeScript()
        .counter("cb-try")
        .retry(
            "cb_resolve",
            "chain --autofree " + resolve + "?" + IDENTITY_QUERY + extraQuery,
            "cb_done",
            "cb-try",
            RESOLVE_TRIES,
            "cb_failed",
            "chainboot: could not reach " + resolve + ", retrying",
            3)
        .label("cb_failed")
        .line("echo chainboot: giving up, exiting to the next boot device")
        .line("sleep 5")
        .line("exit 1")
        .label("cb_done")
        .text();
  }

  /** Seconds a machine waits before asking again while the database cannot be reached. */
  public static final int TRY_AGAIN_SECONDS = 5;

  /**
   * What a boot URL answers while the database cannot be reached: wait, then ask the same URL again
   * (replacing this script, so the chain does not grow), for as long as it takes; Ctrl-C during the
   * pause opens the iPXE shell. A URL that cannot be written into a script as it is (a client's
   * query may hold anything) is replaced by {@code fallbackBase}'s {@code /boot.ipxe} with the
   * identity query, which resolves the same machine.
   *
   * @param url the URL the request asked for, as the client sent it (checked here)
   * @param fallbackBase this server's base URL (validated)
   */
  public static String tryAgain(String url, String fallbackBase) {
    String again =
        IpxeSafe.urlProblem(url, IpxeSafe.CHAIN_SCHEMES).isEmpty()
            ? url
            : bootUrl(fallbackBase) + "?" + IDENTITY_QUERY;
    return new IpxeScript()
        .line("# chainboot: the boot database cannot be reached just now; ask again")
        .line(
            "echo chainboot: the boot database is not reachable, asking again in "
                + TRY_AGAIN_SECONDS
                + " seconds")
        .line("sleep " + TRY_AGAIN_SECONDS + " || shell")
        .retryForever(
            "cb_again",
            "chain --replace --autofree " + again,
            "cb_done",
            "chainboot: could not reach the boot server, retrying in "
                + TRY_AGAIN_SECONDS
                + " seconds (Ctrl-C for a shell)",
            TRY_AGAIN_SECONDS)
        .label("cb_done")
        .text();
  }

  /**
   * What {@link #HTTPS_ENTRY_PATH} answers: optionally {@code ntp} (certificates are checked
   * against the machine's clock, which may be wrong before the first sync), then a chain to this
   * server's HTTPS {@code /boot.ipxe} with the machine's identity; when that fails (an iPXE that
   * does not trust chainboot's CA gets "Permission denied"), a message that says so and an exit to
   * the next boot device.
   *
   * @param httpsBase {@code https://HOST:PORT} (validated)
   * @param ntpServer a host name or address (validated) to set the clock from, or empty
   */
  public static String httpsChain(String httpsBase, Optional<String> ntpServer) {
    IpxeScript s =
        new IpxeScript().line("# chainboot: continue over HTTPS with chainboot's certificate");
    ntpServer
        .map(IpxeSafe::hostName)
        .ifPresent(
            n ->
                s.line(
                    "ntp "
                        + n
                        + " || echo chainboot: could not set the clock from "
                        + n
                        + " (certificate dates are checked against this machine's clock)"));
    String url = bootUrl(httpsBase);
    return s.counter("cb-try")
        .retry(
            "cb_https",
            "chain --autofree " + url + "?" + IDENTITY_QUERY,
            "cb_done",
            "cb-try",
            HTTPS_TRIES,
            "cb_failed",
            "chainboot: could not load " + url + ", retrying",
            3)
        .label("cb_failed")
        .line("echo chainboot: could not continue over HTTPS to " + url)
        .line(
            "echo chainboot: Permission denied above means this iPXE does not trust the server's"
                + " certificate (DHCP option 175.90 names the CA chainboot trusts)")
        .line("sleep 5")
        .leave(1)
        .label("cb_done")
        .text();
  }

  /**
   * What an overloaded server answers iPXE on {@code /boot.ipxe} and the resolver (with HTTP 503
   * and {@code Retry-After: seconds}, which iPXE itself honours by asking again after that long):
   * the same as a script, for any client that runs the answer: say so, wait, and chain to the
   * resolver again with the machine's identity.
   *
   * @param baseUrl this server's base URL (validated)
   * @param extraQuery a trusted, already-encoded query suffix ({@code &profile=NAME}) or ""
   * @param seconds the wait, already jittered by the caller
   * @param waiting requests waiting at the server when this one was turned away
   */
  public static String busy(String baseUrl, String extraQuery, int seconds, int waiting) {
    return new IpxeScript()
        .line(
            "echo chainboot: server busy ("
                + waiting
                + " requests waiting), retrying in "
                + seconds
                + " seconds")
        .line("sleep " + seconds)
        .line(
            "chain --replace --autofree "
                + baseUrl
                + RESOLVE_PATH
                + "?"
                + IDENTITY_QUERY
                + extraQuery)
        .text();
  }

  /**
   * A one-line iPXE scriptlet (DHCP option 175.81) for iPXE started by the firmware: it runs
   * instead of iPXE's own autoboot, waiting up to {@code seconds} for the link (ports with spanning
   * tree forward only 30-50 s after link-up) and again for DHCP, then chains to {@code url}.
   *
   * @param url where iPXE continues (this server's {@code /boot.ipxe}; validated)
   * @param seconds 1-600
   */
  public static String scriptlet(String url, int seconds) {
    if (seconds < 1 || seconds > 600) {
      throw new IllegalArgumentException("DHCP timeout out of range: " + seconds);
    }
    long ms = seconds * 1000L;
    return "iflinkwait --timeout "
        + ms
        + " ; dhcp --timeout "
        + ms
        + " && chain --autofree "
        + IpxeSafe.url(url)
        + " || exit 1";
  }

  /**
   * The script on boot media: DHCP with retries, then {@code chain URL}; on failure a clear message
   * and the iPXE shell (never a reboot loop).
   *
   * @param url a URL that passed {@link IpxeSafe#urlProblem} for {@link IpxeSafe#CHAIN_SCHEMES}
   * @param trustedSuffix appended to the URL in the {@code chain} line: a constant of chainboot's
   *     own (such as {@code &} + {@link #IDENTITY_QUERY}), never input
   */
  public static String mediaChain(String url, String trustedSuffix) {
    return mediaChain(url, trustedSuffix, Optional.empty());
  }

  /**
   * Like {@link #mediaChain(String, String)}; with {@code ntpServer}, the clock is synced first
   * ({@code ntp SERVER ||}: certificates of an https URL need the time, and a failure is not
   * fatal).
   *
   * @param ntpServer a host name that passes {@link IpxeSafe#hostName}
   */
  public static String mediaChain(String url, String trustedSuffix, Optional<String> ntpServer) {
    if (!trustedSuffix.matches("[^\\s\"'\\\\]*")) {
      throw new IllegalArgumentException("suffix would change the script");
    }
    String ntp = ntpServer.map(IpxeSafe::hostName).map(h -> "ntp " + h + " ||").orElse(null);
    int n = MEDIA_DHCP_TRIES;
    IpxeScript s =
        new IpxeScript()
            .line("# chainboot boot media: get an address, then chain to the boot server")
            .line("echo chainboot: booting from " + url)
            .line("set chainboot_try:int32 0")
            .retry(
                "dhcp",
                "dhcp",
                "chain",
                "chainboot_try",
                n,
                "nonet",
                "chainboot: no DHCP answer (attempt ${chainboot_try} of "
                    + n
                    + "), retrying in 3 s",
                3)
            .label("chain");
    if (ntp != null) {
      s.line("echo chainboot: synchronizing the clock for https").line(ntp);
    }
    return s.line("chain " + url + trustedSuffix + " ||")
        .propagateLeave()
        .line("echo chainboot: could not boot from " + url)
        .line(
            "echo chainboot: check that the server is reachable from ${net0/ip}, then type: chain "
                + url)
        .line("goto shell")
        .label("nonet")
        .line(
            "echo chainboot: no network configuration after "
                + n
                + " DHCP attempts; check the cable and the DHCP server")
        .label("shell")
        .line(
            "echo chainboot: starting the iPXE shell (type 'help'; 'dhcp' then 'chain URL' to"
                + " retry)")
        .line("shell")
        .text();
  }
}
