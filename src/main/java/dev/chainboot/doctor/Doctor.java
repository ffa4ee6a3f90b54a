package dev.chainboot.doctor;

import dev.chainboot.boot.MacAddress;
import dev.chainboot.dhcp.DhcpMessage;
import dev.chainboot.dhcp.DhcpOptions;
import dev.chainboot.firmware.BootBinary;
import dev.chainboot.text.Printable;
import dev.chainboot.tls.CertificateAuthority;
import dev.chainboot.tls.TlsMaterial;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Plays each client type against a server, step by step as its firmware would: DHCP (as the
 * firmware), the boot file (TFTP, or HTTP for UEFI HTTP boot) checked for the client's machine
 * type, DHCP again as the iPXE that file is, then the iPXE scripts it is sent to (following each
 * {@code chain}) and the kernel and initrds they name, and every HTTPS server's certificate as the
 * client would check it. Never throws on what a server answers: each answer is a {@link Finding}.
 */
public final class Doctor {

  /**
   * Where the server is and how to play the clients.
   *
   * @param serverIp the server's address on the clients' network (the next-server when no DHCP is
   *     asked)
   * @param dhcp where to ask for a boot file (port 4011: chainboot's proxyDHCP, unicast; else a
   *     DISCOVER from port 68); empty: ask nobody, assume what chainboot would answer
   * @param tftp the TFTP server to use instead of the DHCP answer's next-server
   * @param tftpPort the TFTP port on the next-server
   * @param httpBase {@code http://HOST:PORT} of the boot listener (when no DHCP is asked, and to
   *     look for a missing binary)
   * @param httpsBase {@code https://HOST:PORT} of the HTTPS listener, checked on its own when no
   *     client's chain reached it
   * @param ca CA certificates the clients trust besides what DHCP option 175.90 names (UEFI's
   *     {@code TlsCaCertificate}, or an iPXE built with {@code TRUST=})
   * @param mac the machine to play
   * @param timeout per exchange
   * @param tries DHCP and TFTP attempts
   * @param now the clients' clock (certificate dates)
   */
  public record Target(
      Inet4Address serverIp,
      Optional<InetSocketAddress> dhcp,
      Optional<InetSocketAddress> tftp,
      int tftpPort,
      String httpBase,
      Optional<String> httpsBase,
      List<X509Certificate> ca,
      MacAddress mac,
      Duration timeout,
      int tries,
      Instant now) {}

  /** Most chained scripts followed from one {@code /boot.ipxe}. */
  static final int MAX_DEPTH = 6;

  private final Target t;

  public Doctor(Target target) {
    this.t = target;
  }

  /** Every client in turn. */
  public List<Finding> run(List<ClientType> clients) {
    List<Finding> out = new ArrayList<>();
    for (ClientType c : clients) {
      try {
        out.addAll(play(c));
      } catch (RuntimeException e) {
        // a check that trips over an answer is a failed step, never a crash
        out.add(Finding.fail(c.id(), "doctor", "", "the check itself failed: " + e, ""));
      }
    }
    if (t.httpsBase().isPresent() && out.stream().noneMatch(f -> f.step().equals("https"))) {
      // no chain went there (no DHCP asked, or HTTPS not offered to iPXE): check it as iPXE would
      Play p = new Play(ClientType.IPXE);
      p.addTrust(seenTrust);
      String url = t.httpsBase().get() + "/boot.ipxe";
      HttpFetch.Response r = HttpFetch.fetch(url, "GET", t.timeout(), ScriptLinks.MAX_SCRIPT);
      if (p.trust.isEmpty() && !r.chain().isEmpty()) {
        // which CA the LAN's DHCP server tells machines to trust is not known here: check the rest
        p.out.add(
            Finding.warn(
                "ipxe",
                "https",
                url,
                "no DHCP answer with option 175.90 and no --ca: cannot tell whether clients trust"
                    + " the CA of this certificate",
                "--ca DATA/tls/ca.crt (the CA your DHCP server's 175.90 names)"));
        p.addTrust(List.of(CertificateAuthority.fingerprint(r.chain().get(r.chain().size() - 1))));
      }
      p.tls(url, r, true);
      out.addAll(p.out);
    }
    return out;
  }

  /** Every 175.90 fingerprint any client was sent. */
  private final List<byte[]> seenTrust = new ArrayList<>();

  /** Whether any finding is a FAIL. */
  public static boolean failed(List<Finding> findings) {
    return findings.stream().anyMatch(f -> f.status() == Finding.Status.FAIL);
  }

  /** One client's boot, step by step. */
  List<Finding> play(ClientType c) {
    Play p = new Play(c);
    p.run();
    return p.out;
  }

  /** The machine's SMBIOS UUID: a fixed one derived from its MAC. */
  UUID uuid() {
    return UUID.nameUUIDFromBytes(("chainboot doctor " + t.mac()).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Option 97's 16 bytes as firmware sends them (SMBIOS order: first three fields little-endian).
   */
  static byte[] smbiosBytes(UUID u) {
    byte[] b =
        ByteBuffer.allocate(16)
            .putLong(u.getMostSignificantBits())
            .putLong(u.getLeastSignificantBits())
            .array();
    return new byte[] {
      b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
      b[15]
    };
  }

  /** The file chainboot offers a firmware client of this type, by its default settings. */
  static BootBinary expectedBinary(ClientType c) {
    return switch (c) {
      case BIOS -> BootBinary.UNDIONLY_KPXE;
      case UEFI_X64, HTTP_X64, IPXE -> BootBinary.SNPONLY_X86_64_EFI;
      case UEFI_ARM64, HTTP_ARM64 -> BootBinary.IPXE_ARM64_EFI;
      case UEFI_IA32 -> BootBinary.SNPONLY_I386_EFI;
    };
  }

  /** The SHA-256 fingerprints in option 175.90 of a reply (32 bytes each). */
  static List<byte[]> trustOf(DhcpMessage reply) {
    List<byte[]> out = new ArrayList<>();
    reply
        .options()
        .encapsulated(DhcpOptions.IPXE_ENCAPSULATED)
        .flatMap(e -> e.get(90))
        .ifPresent(
            v -> {
              for (int i = 0; i + 32 <= v.length; i += 32) {
                out.add(java.util.Arrays.copyOfRange(v, i, i + 32));
              }
            });
    return out;
  }

  /** The boot file of a reply: option 67, else the header's file field. */
  static String bootFile(DhcpMessage reply) {
    return reply.options().string(DhcpOptions.BOOTFILE_NAME).orElse(reply.file());
  }

  private final class Play {
    final ClientType c;
    final String id;
    final List<Finding> out = new ArrayList<>();
    final List<byte[]> trust = new ArrayList<>();
    final Map<String, Boolean> tlsChecked = new HashMap<>();
    final Map<String, String> settings = new LinkedHashMap<>();
    boolean ipxeHttps;

    Play(ClientType c) {
      this.c = c;
      this.id = c.id();
      for (X509Certificate ca : t.ca()) {
        addTrust(List.of(CertificateAuthority.fingerprint(ca)));
      }
      settings.put("mac:hexhyp", t.mac().hexhyp());
      settings.put("mac", t.mac().colon());
      settings.put("serial", "");
      settings.put("hostname", "");
      settings.put("buildarch", c.buildarch());
      settings.put("platform", c.platform());
      settings.put("uuid", uuid().toString());
      settings.put("next-server", t.serverIp().getHostAddress());
    }

    void run() {
      try {
        steps();
      } finally {
        seenTrust.addAll(trust);
      }
    }

    void steps() {
      if (!c.ipxe() && !firmware()) {
        return;
      }
      Optional<String> url = ipxeDhcp();
      if (url.isEmpty()) {
        return;
      }
      script(url.get(), 0);
    }

    void addTrust(List<byte[]> fps) {
      for (byte[] f : fps) {
        if (trust.stream().noneMatch(x -> java.util.Arrays.equals(x, f))) {
          trust.add(f);
        }
      }
    }

    void add(Finding f) {
      out.add(f);
    }

    void fail(String step, String got, String problem, String fix) {
      add(Finding.fail(id, step, got, problem, fix));
    }

    /** DHCP as the firmware, then its boot file; false when the boot stops there. */
    boolean firmware() {
      String file;
      Inet4Address next = t.serverIp();
      if (t.dhcp().isEmpty()) {
        BootBinary b = expectedBinary(c);
        file = c.http() ? t.httpBase() + BootBinary.HTTP_PATH + b.fileName() : b.fileName();
        add(
            Finding.warn(
                id,
                "dhcp",
                "not asked; assuming " + file,
                "no proxyDHCP to ask: the LAN's DHCP server must send this file (chainboot"
                    + " dhcp-config prints its settings)",
                "serve --proxy-dhcp, or --dhcp ADDR:67 as root to ask the LAN's DHCP server"));
      } else {
        Optional<DhcpMessage> reply = ask(false);
        if (reply.isEmpty()) {
          return false;
        }
        DhcpMessage r = reply.get();
        file = bootFile(r);
        if (!r.siaddr().equals(DhcpMessage.ZERO)) {
          next = r.siaddr();
        }
        String vendor = r.options().string(DhcpOptions.VENDOR_CLASS).orElse("");
        List<byte[]> fps = trustOf(r);
        addTrust(fps);
        String got =
            "file="
                + Printable.ascii(file, 200)
                + " next-server="
                + r.siaddr().getHostAddress()
                + " option60="
                + Printable.ascii(vendor, 40)
                + (fps.isEmpty()
                    ? ""
                    : " trust=" + TlsMaterial.hex(fps.getFirst()).substring(0, 16) + "...");
        String want = c.http() ? "HTTPClient" : "PXEClient";
        if (!vendor.startsWith(want)) {
          fail(
              "dhcp",
              got,
              "the answer says option 60 '"
                  + Printable.ascii(vendor, 40)
                  + "', but this firmware only takes an answer with '"
                  + want
                  + "'",
              "let chainboot's proxyDHCP answer, or set option 60 as chainboot dhcp-config prints");
          return false;
        }
        if (file.isEmpty()) {
          fail("dhcp", got, "the answer names no boot file", "chainboot dhcp-config");
          return false;
        }
        boolean url = file.startsWith("http://") || file.startsWith("https://");
        if (c.http() && !url) {
          fail(
              "dhcp",
              got,
              "UEFI HTTP boot needs a URL as boot file",
              "give HTTP boot clients (arch "
                  + c.arch()
                  + ") the URL chainboot dhcp-config prints");
          return false;
        }
        if (!c.http() && url) {
          fail(
              "dhcp",
              got,
              "PXE firmware fetches its boot file over TFTP, not a URL",
              "give PXE clients (arch " + c.arch() + ") a TFTP file name");
          return false;
        }
        if (!c.http() && r.siaddr().equals(DhcpMessage.ZERO) && t.tftp().isEmpty()) {
          fail("dhcp", got, "no next-server (siaddr): the firmware has no TFTP server", "");
          return false;
        }
        add(Finding.ok(id, "dhcp", got));
      }
      byte[] data;
      if (c.http()) {
        HttpFetch.Response resp = HttpFetch.fetch(file, "GET", t.timeout(), TftpFetch.MAX_BYTES);
        if (file.startsWith("https://") && !tls(file, resp, false)) {
          return false;
        }
        if (!resp.answered()) {
          fail("http", file, resp.error(), "is the HTTP listener on that address and port?");
          return false;
        }
        if (resp.status() != 200) {
          fail(
              "http",
              file + ": HTTP " + resp.status(),
              "the firmware gets no boot file",
              missingFix(file));
          return false;
        }
        data = resp.body();
      } else {
        InetSocketAddress server = t.tftp().orElse(new InetSocketAddress(next, t.tftpPort()));
        TftpFetch.Result r = TftpFetch.fetch(server, file, t.timeout(), t.tries());
        String where =
            "tftp://" + server.getAddress().getHostAddress() + ":" + server.getPort() + "/" + file;
        if (r instanceof TftpFetch.Failed(String why)) {
          fail("tftp", where, why, missingFix(file));
          return false;
        }
        data = ((TftpFetch.Got) r).data();
        file = where + " (blksize " + ((TftpFetch.Got) r).blksize() + ")";
      }
      String step = c.http() ? "http" : "tftp";
      Optional<String> problem =
          c.machine().isPresent()
              ? BootImage.efiProblem(data, c.machine().get())
              : BootImage.biosProblem(data);
      String what =
          c.machine().isPresent()
              ? BootImage.pe(data)
                  .map(pe -> "PE/COFF " + BootImage.machineName(pe.machine()))
                  .orElse("not PE/COFF")
              : "PXE program";
      String got = file + ": " + data.length + " bytes, " + what;
      if (problem.isPresent()) {
        fail(
            step,
            got,
            problem.get(),
            "serve the "
                + expectedBinary(c).fileName()
                + " built for this client ("
                + c.buildarch()
                + ", --firmware-dir)");
        return false;
      }
      // undionly.kpxe is compressed: only an EFI image shows iPXE's name
      if (c.machine().isPresent() && !BootImage.isIpxe(data)) {
        add(
            Finding.warn(
                id,
                step,
                got,
                "not iPXE (shim, GRUB or another loader): the doctor follows iPXE only",
                ""));
        return false;
      }
      add(Finding.ok(id, step, got + ", iPXE"));
      ipxeHttps = true; // chainboot's iPXE builds (Debian's) fetch https://
      return true;
    }

    /** The fix for a boot file that cannot be had. */
    String missingFix(String file) {
      String name = file.substring(file.lastIndexOf('/') + 1);
      return "does the server have "
          + name
          + "? (chainboot serve --firmware-dir DIR with it, or a jar built with the firmware)";
    }

    /** DHCP as iPXE: the URL of its first script. */
    Optional<String> ipxeDhcp() {
      if (t.dhcp().isEmpty()) {
        String url = t.httpBase() + "/boot.ipxe";
        if (c.ipxe()) {
          add(
              Finding.warn(
                  id,
                  "dhcp",
                  "not asked; assuming " + url,
                  "no proxyDHCP to ask: the LAN's DHCP server must send iPXE (user class iPXE)"
                      + " this URL",
                  "serve --proxy-dhcp, or --dhcp ADDR:67 as root"));
        }
        return Optional.of(url);
      }
      Optional<DhcpMessage> reply = ask(true);
      if (reply.isEmpty()) {
        return Optional.empty();
      }
      DhcpMessage r = reply.get();
      String file = bootFile(r);
      List<byte[]> fps = trustOf(r);
      addTrust(fps);
      String got =
          "file=" + Printable.ascii(file, 200) + (fps.isEmpty() ? "" : " trust=" + fps.size());
      String step = c.ipxe() ? "dhcp" : "ipxe-dhcp";
      if (!file.startsWith("http://") && !file.startsWith("https://")) {
        fail(
            step,
            got,
            "iPXE (user class iPXE) must get the URL of a script, or it loads iPXE again and"
                + " loops",
            "match user class iPXE in the DHCP server (chainboot dhcp-config)");
        return Optional.empty();
      }
      add(Finding.ok(id, step, got));
      return Optional.of(file);
    }

    /** Asks the DHCP server as this client's firmware (or its iPXE). */
    Optional<DhcpMessage> ask(boolean asIpxe) {
      String step = asIpxe && !c.ipxe() ? "ipxe-dhcp" : "dhcp";
      InetSocketAddress server = t.dhcp().orElseThrow();
      DhcpProbe.Outcome o =
          DhcpProbe.ask(
              server,
              c,
              asIpxe,
              asIpxe && ipxeHttps,
              t.mac(),
              smbiosBytes(uuid()),
              t.timeout(),
              t.tries());
      String where =
          (server.getPort() == 4011 ? "REQUEST to " : "DISCOVER to ")
              + server.getAddress().getHostAddress()
              + ":"
              + server.getPort()
              + " as arch "
              + c.arch()
              + (asIpxe || c.ipxe() ? " iPXE" : "");
      switch (o) {
        case DhcpProbe.Answered(DhcpMessage r) -> {
          return Optional.of(r);
        }
        case DhcpProbe.CannotAsk(String why) -> fail(step, where, why, "");
        case DhcpProbe.NoAnswer(String why, boolean malformed) ->
            fail(step, where, why, malformed ? "" : silenceFix(asIpxe));
      }
      return Optional.empty();
    }

    /** Why a proxyDHCP may stay silent for this client, with what the doctor can see. */
    String silenceFix(boolean asIpxe) {
      if (!asIpxe && !c.ipxe()) {
        BootBinary b = expectedBinary(c);
        HttpFetch.Response r =
            HttpFetch.probe(t.httpBase() + BootBinary.HTTP_PATH + b.fileName(), t.timeout());
        if (r.answered() && r.status() != 200 && r.status() != 206) {
          return "the server has no "
              + b.fileName()
              + " for arch "
              + c.arch()
              + " ("
              + c.buildarch()
              + "; HTTP "
              + r.status()
              + " for "
              + BootBinary.HTTP_PATH
              + b.fileName()
              + "), so it stays silent: add it (serve --firmware-dir DIR)";
        }
      }
      return "proxyDHCP stays silent when serve runs without --proxy-dhcp, when the boot core has"
          + " nothing for this MAC (no assignment, group or default profile), or when it has no"
          + " binary for the arch; its log says 'proxyDHCP no answer to "
          + t.mac()
          + "'";
    }

    /** Fetches an iPXE script and what it names, following chains. */
    void script(String url, int depth) {
      if (depth >= MAX_DEPTH) {
        fail("script", url, "more than " + MAX_DEPTH + " chained scripts: a loop?", "");
        return;
      }
      HttpFetch.Response r = HttpFetch.fetch(url, "GET", t.timeout(), ScriptLinks.MAX_SCRIPT);
      if (url.startsWith("https://") && !tls(url, r, true)) {
        return;
      }
      if (!r.answered()) {
        fail(
            "script",
            url,
            r.error(),
            "is the boot listener on this address and port (serve --http, --advertise)?");
        return;
      }
      if (r.status() != 200) {
        fail(
            "script",
            url + ": HTTP " + r.status(),
            "iPXE gets no script: "
                + Printable.ascii(new String(r.body(), StandardCharsets.UTF_8).strip(), 200),
            "a wrong URL in a profile's chain or the wrong port (serve --http, --advertise)");
        return;
      }
      String text = new String(r.body(), StandardCharsets.UTF_8);
      if (!ScriptLinks.isScript(text)) {
        if (BootImage.pe(r.body()).isPresent()) {
          add(Finding.ok(id, "script", url + ": an EFI image (" + r.body().length + " bytes)"));
        } else {
          fail(
              "script",
              url + ": HTTP 200, " + r.body().length + " bytes",
              "not an iPXE script (no #!ipxe line): iPXE refuses to run it",
              "");
        }
        return;
      }
      ScriptLinks.Parsed p = ScriptLinks.parse(text, settings);
      List<String> names = new ArrayList<>();
      for (ScriptLinks.Link l : p.links()) {
        names.add(l.command() + " " + shortUrl(l.url()));
      }
      String got = url + ": iPXE script" + (names.isEmpty() ? "" : ", " + String.join(", ", names));
      if (p.links().isEmpty()) {
        if (p.sanboot()) {
          add(Finding.ok(id, "script", got + ", boots the local disk"));
        } else {
          add(
              Finding.warn(
                  id,
                  "script",
                  got,
                  "the script boots nothing"
                      + (p.echoes().isEmpty()
                          ? ""
                          : ": " + Printable.ascii(String.join(" / ", p.echoes()), 300)),
                  "give this machine a profile (an assignment, its group's or the default)"));
        }
        return;
      }
      add(Finding.ok(id, "script", got));
      for (ScriptLinks.Link l : p.links()) {
        if (!l.unknown().isEmpty()) {
          add(
              Finding.warn(
                  id,
                  "script",
                  l.url(),
                  "uses settings the doctor cannot know: " + l.unknown(),
                  ""));
        }
        if (l.chain()) {
          script(l.url(), depth + 1);
        } else {
          file(l);
        }
      }
    }

    /** A kernel, initrd or module a script fetches. */
    void file(ScriptLinks.Link l) {
      HttpFetch.Response r = HttpFetch.probe(l.url(), t.timeout());
      if (l.url().startsWith("https://") && !tls(l.url(), r, true)) {
        return;
      }
      if (!r.answered()) {
        fail(l.command(), l.url(), r.error(), "is the URL's server reachable from the machines?");
      } else if (r.status() != 200 && r.status() != 206) {
        fail(
            l.command(),
            l.url() + ": HTTP " + r.status(),
            "the machine cannot fetch its " + l.command(),
            "correct the profile's " + l.command() + " URL, or put the file there");
      } else {
        add(Finding.ok(id, l.command(), l.url() + ": HTTP " + r.status()));
      }
    }

    /**
     * The HTTPS check of a response (once per server for this client); false when the client would
     * refuse the certificate (a FAIL is added).
     *
     * @param ipxe the client is iPXE (RSA only, 175.90)
     */
    boolean tls(String url, HttpFetch.Response r, boolean ipxe) {
      URI u = URI.create(url);
      String key = u.getHost() + ":" + u.getPort();
      Boolean done = tlsChecked.get(key);
      if (done != null) {
        return done;
      }
      if (!r.answered() && r.chain().isEmpty()) {
        fail("https", url, r.error(), "is the HTTPS listener on (serve --https)?");
        tlsChecked.put(key, false);
        return false;
      }
      CertCheck.Result cr = CertCheck.check(r.chain(), u.getHost(), trust, t.now(), ipxe);
      String got = key + ": " + cr.summary();
      if (!cr.accepted()) {
        fail(
            "https",
            got,
            String.join("; ", cr.problems()),
            "serve --https with the certificate chainboot's CA issued for this name/address"
                + " (chainboot ca init/renew), or --tls-ca with the CA that issued --tls-cert;"
                + " RSA for iPXE");
        tlsChecked.put(key, false);
        return false;
      }
      if (!cr.warnings().isEmpty()) {
        add(Finding.warn(id, "https", got, String.join("; ", cr.warnings()), "chainboot ca renew"));
      } else {
        add(Finding.ok(id, "https", got + ", trusted"));
      }
      tlsChecked.put(key, true);
      return true;
    }
  }

  private static String shortUrl(String url) {
    return url.length() > 120 ? url.substring(0, 117) + "..." : url;
  }
}
