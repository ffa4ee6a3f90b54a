package dev.chainboot.dhcp;

import dev.chainboot.boot.BootResolver;
import dev.chainboot.ipxe.ChainScripts;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Optional;

/**
 * The proxyDHCP decision for one request, with no sockets: answer a PXE client's DISCOVER (port 67)
 * with an OFFER, or its REQUEST to port 4011 with an ACK, naming the boot server and file and never
 * an address (yiaddr 0.0.0.0, no lease time); or stay silent and say why.
 */
public final class ProxyDhcpAnswerer {

  public static final int SERVER_PORT = 67;
  public static final int CLIENT_PORT = 68;
  public static final int PXE_PORT = 4011;

  /** PXE discovery control: skip boot-server discovery, boot the file in this reply. */
  static final int DISCOVERY_USE_BOOTFILE = 8;

  /** PXE vendor sub-option: boot item, echoed on port 4011. */
  static final int PXE_BOOT_ITEM = 71;

  /** iPXE's sub-option of option 175 with the SHA-256 fingerprints of trusted root CAs. */
  static final int IPXE_TRUST = 90;

  /** iPXE's sub-option of option 175 with a scriptlet run instead of its autoboot. */
  static final int IPXE_SCRIPTLET = 81;

  private final BootFileChooser chooser;
  private final BootResolver resolver;
  private final java.util.List<byte[]> trust;

  /**
   * @param resolver the boot core; a machine it has nothing for gets no answer. {@link
   *     BootResolver#NONE}: every PXE client with a known architecture is answered.
   */
  public ProxyDhcpAnswerer(BootFileChooser chooser, BootResolver resolver) {
    this(chooser, resolver, java.util.List.of());
  }

  /**
   * @param trust SHA-256 fingerprints of the CA certificates iPXE should trust (32 bytes each),
   *     sent in every answer as option 175.90 (iPXE reads it once, at its start, from the DHCP
   *     answer the firmware got: a firmware-started iPXE then trusts chainboot's private CA); empty
   *     for none
   */
  public ProxyDhcpAnswerer(
      BootFileChooser chooser, BootResolver resolver, java.util.List<byte[]> trust) {
    for (byte[] t : trust) {
      if (t.length != 32) {
        throw new IllegalArgumentException("a trust fingerprint is a SHA-256 digest (32 bytes)");
      }
    }
    if (trust.size() > 3) {
      throw new IllegalArgumentException("at most 3 trusted CA fingerprints fit in option 175");
    }
    this.chooser = chooser;
    this.resolver = resolver;
    this.trust = java.util.List.copyOf(trust);
  }

  /**
   * An answer to send, or silence; {@code log} describes either in one line. {@code routine} is
   * true for silences that are not about the client (the REQUEST every PXE client broadcasts to the
   * LAN's DHCP server), which need no log line at INFO level.
   */
  public record Answer(Optional<DhcpMessage> reply, String log, boolean routine) {
    Answer(Optional<DhcpMessage> reply, String log) {
      this(reply, log, false);
    }
  }

  /**
   * What to do with one request, decided once however many interfaces the answer then leaves by: a
   * reply to address ({@link #address}) or a silence, already an {@link Answer}.
   */
  public sealed interface Decision permits Reply, Silence {}

  /** A reply to send, not yet addressed: the chosen file is still without this server's host. */
  public record Reply(
      DhcpMessage request,
      PxeClient client,
      int type,
      BootFileChooser.Target target,
      String who,
      int port,
      dev.chainboot.boot.FirmwareSettings firmware)
      implements Decision {}

  /** No reply, and why. */
  public record Silence(Answer answer) implements Decision {}

  /**
   * Decides about one request: whether it is a PXE client's DISCOVER or port-4011 REQUEST, which
   * file its architecture gets, and whether the boot core has anything for the machine.
   *
   * @param request the parsed request
   * @param port the port it arrived on (67 or 4011)
   * @param clientIp the request's source address (0.0.0.0 for a client without one)
   */
  public Decision decide(DhcpMessage request, int port, InetAddress clientIp) {
    PxeClient client = PxeClient.of(request);
    String who =
        request.mac().map(Object::toString).orElse("hw " + request.htype() + "/" + request.hlen())
            + " arch="
            + client.archCode().map(String::valueOf).orElse("-")
            + client.clientArch().map(a -> "(" + a + ")").orElse("")
            + (client.ipxe() ? " iPXE" : "");
    if (request.op() != DhcpMessage.BOOTREQUEST) {
      return silence(who, "not a BOOTREQUEST");
    }
    int type = request.messageType().orElse(0);
    int replyType;
    if (port == PXE_PORT) {
      if (type != DhcpMessage.REQUEST && type != DhcpMessage.INFORM) {
        return silence(who, "message type " + type + " on port 4011");
      }
      replyType = DhcpMessage.ACK;
    } else {
      if (type != DhcpMessage.DISCOVER) {
        return new Silence(
            new Answer(
                Optional.empty(),
                "proxyDHCP no answer to "
                    + who
                    + ": message type "
                    + type
                    + " (only DISCOVER is answered on port 67)",
                true));
      }
      replyType = DhcpMessage.OFFER;
    }
    var unanswerable = chooser.unanswerable(client);
    if (unanswerable.isPresent()) {
      return silence(who, unanswerable.get().reason());
    }
    if (request.mac().isEmpty()) {
      return silence(who, "not an Ethernet hardware address");
    }
    var firmware = resolver.firmwareFor(client.toBootRequest(clientIp));
    if (firmware.isEmpty()) {
      return silence(
          who, "the boot core has nothing for this machine (no assignment, group or default)");
    }
    BootFileChooser.Choice choice = chooser.choose(client, firmware.get());
    if (choice instanceof BootFileChooser.NoFile(String reason)) {
      return silence(who, reason);
    }
    BootFileChooser.Target target = (BootFileChooser.Target) choice;
    return new Reply(request, client, replyType, target, who, port, firmware.get());
  }

  /**
   * The answer to send out of one interface.
   *
   * @param server this server's address on the client's network (next-server, option 54)
   * @param urlHost host for URLs (the advertised name, or {@code server})
   * @param httpPort this server's HTTP port
   */
  public Answer address(Decision decision, Inet4Address server, String urlHost, int httpPort) {
    if (decision instanceof Silence(Answer silent)) {
      return silent;
    }
    Reply r = (Reply) decision;
    BootFileChooser.BootFile file = r.target().at(urlHost, httpPort);
    DhcpOptions.Builder ipxe = DhcpOptions.builder();
    if (!trust.isEmpty()) {
      ipxe.put(IPXE_TRUST, concat(trust));
    }
    Optional<Integer> wait = r.firmware().dhcpTimeout().filter(t -> !r.client().ipxe());
    if (wait.isPresent()) {
      String url =
          "http://" + urlHost + ":" + httpPort + chooser.ipxeEntry(r.firmware()) + "?via=scriptlet";
      ipxe.put(IPXE_SCRIPTLET, ChainScripts.scriptlet(url, wait.get()));
      if (ipxe.build().encodeEncapsulated().length > 255) {
        // iPXE does not join a split option 175 (RFC 3396): better no scriptlet than a broken one
        ipxe.remove(IPXE_SCRIPTLET);
        wait = Optional.empty();
      }
    }
    DhcpMessage reply = reply(r.request(), r.client(), r.type(), server, file, ipxe.build());
    String verb = r.type() == DhcpMessage.OFFER ? "offer" : "ack";
    return new Answer(
        Optional.of(reply),
        "proxyDHCP "
            + verb
            + " to "
            + r.who()
            + " file="
            + file.file()
            + " server="
            + server.getHostAddress()
            + (trust.isEmpty() ? "" : " trust=" + trust.size())
            + (wait.isPresent() ? " dhcp-timeout=" + wait.get() : "")
            + (r.port() == PXE_PORT ? " (port 4011)" : ""));
  }

  /** {@link #decide} and {@link #address} for a request answered out of one interface. */
  public Answer answer(
      DhcpMessage request,
      int port,
      InetAddress clientIp,
      Inet4Address server,
      String urlHost,
      int httpPort) {
    return address(decide(request, port, clientIp), server, urlHost, httpPort);
  }

  private static Silence silence(String who, String reason) {
    return new Silence(
        new Answer(Optional.empty(), "proxyDHCP no answer to " + who + ": " + reason));
  }

  private static byte[] concat(java.util.List<byte[]> parts) {
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    parts.forEach(b::writeBytes);
    return b.toByteArray();
  }

  static DhcpMessage reply(
      DhcpMessage req,
      PxeClient client,
      int type,
      Inet4Address server,
      BootFileChooser.BootFile file) {
    return reply(req, client, type, server, file, DhcpOptions.empty());
  }

  /**
   * @param ipxe sub-options of option 175 for iPXE (trust, scriptlet), sent whether or not the
   *     client asked for option 175 (the firmware does not; the iPXE it starts reads them)
   */
  static DhcpMessage reply(
      DhcpMessage req,
      PxeClient client,
      int type,
      Inet4Address server,
      BootFileChooser.BootFile file,
      DhcpOptions ipxe) {
    DhcpOptions.Builder o =
        DhcpOptions.builder()
            .putByte(DhcpOptions.MESSAGE_TYPE, type)
            .put(DhcpOptions.SERVER_ID, server)
            .put(DhcpOptions.VENDOR_CLASS, client.httpClient() ? "HTTPClient" : "PXEClient");
    client.uuidOption().ifPresent(v -> o.put(DhcpOptions.CLIENT_UUID, v));
    if (client.pxe()) {
      DhcpOptions.Builder pxe =
          DhcpOptions.builder().putByte(DhcpOptions.PXE_DISCOVERY_CONTROL, DISCOVERY_USE_BOOTFILE);
      req.options()
          .encapsulated(DhcpOptions.VENDOR_SPECIFIC)
          .flatMap(v -> v.get(PXE_BOOT_ITEM))
          .filter(item -> item.length == 4)
          .ifPresent(item -> pxe.put(PXE_BOOT_ITEM, item));
      o.put(DhcpOptions.VENDOR_SPECIFIC, pxe.build());
    }
    if (!ipxe.codes().isEmpty()) {
      o.put(DhcpOptions.IPXE_ENCAPSULATED, ipxe);
    }
    String fileField = file.file().length() <= 127 ? file.file() : "";
    if (fileField.isEmpty()) {
      o.put(DhcpOptions.BOOTFILE_NAME, file.file());
    }
    return new DhcpMessage(
        DhcpMessage.BOOTREPLY,
        req.htype(),
        req.hlen(),
        0,
        req.xid(),
        0,
        req.flags(),
        req.ciaddr(),
        DhcpMessage.ZERO,
        server,
        req.giaddr(),
        req.chaddr(),
        "",
        fileField,
        o.build());
  }
}
