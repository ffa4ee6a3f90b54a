package dev.chainboot.dhcp;

import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.BootTimeline;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxyDHCP transport: listens on UDP 67 (broadcast DISCOVERs) and 4011 (a PXE client's unicast
 * REQUEST) and sends what {@link ProxyDhcpAnswerer} decides.
 *
 * <p>Java cannot read which interface a broadcast arrived on (no IP_PKTINFO), so the server binds
 * one extra socket per local IPv4 address: an OFFER to a broadcast DISCOVER goes out through every
 * such socket to 255.255.255.255 (Linux sends a limited broadcast out of the interface that owns
 * the socket's source address), each naming its own interface's address as next-server. A client
 * only hears the copy from its own segment. A relayed request (giaddr set) is answered to the relay
 * from the interface on the relay's subnet; {@code --advertise} pins one address. The addresses are
 * re-read (at most every 10 s, when a request comes in), so an interface that comes up after the
 * start is served too.
 */
public final class ProxyDhcpServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ProxyDhcpServer.class);

  /** One local IPv4 address with its prefix, and the socket bound to it on port 67. */
  record Local(Inet4Address address, int prefix, DatagramSocket socket) {
    boolean contains(InetAddress a) {
      if (!(a instanceof Inet4Address)) {
        return false;
      }
      int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
      return (toInt(a) & mask) == (toInt(address) & mask);
    }
  }

  private final ProxyDhcpAnswerer answerer;
  private final BootTimeline timeline;
  private final Optional<String> advertise;
  private final int httpPort;
  private final int serverPort;
  private final int pxePort;
  private final int clientPort;

  /** Addresses are re-read at most this often, so interfaces that come up later are served. */
  private static final long RESCAN_NANOS = 10_000_000_000L;

  private final List<Local> locals = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile long lastScan;
  private volatile boolean running;
  private final List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
  private DatagramSocket any67;
  private DatagramSocket any4011;
  private volatile boolean closed;

  /**
   * Requests waiting to be answered; beyond this many a burst is dropped rather than queued without
   * bound (the client retries).
   */
  static final int MAX_QUEUED = 4096;

  /**
   * Threads answering. A few, not one per packet: answering is mostly CPU (the boot core's decision
   * comes from memory), and a thousand threads in a burst only contend for the log and the sockets
   * (measured: about half the CPU per answer went to that). More than one so that a decision that
   * has to read the store does not hold up the others.
   */
  static final int WORKERS = 4;

  private final java.util.concurrent.ThreadPoolExecutor workers =
      new java.util.concurrent.ThreadPoolExecutor(
          WORKERS,
          WORKERS,
          0,
          java.util.concurrent.TimeUnit.SECONDS,
          new java.util.concurrent.ArrayBlockingQueue<>(MAX_QUEUED),
          Thread.ofPlatform().daemon().name("proxydhcp-worker-", 0).factory(),
          (task, pool) -> {
            throw new java.util.concurrent.RejectedExecutionException("queue full");
          });

  public ProxyDhcpServer(ProxyDhcpAnswerer answerer, Optional<String> advertise, int httpPort) {
    this(answerer, BootTimeline.NONE, advertise, httpPort);
  }

  /**
   * @param timeline where each answer (and each silence, counted only) is recorded once per
   *     request, and where the address a PXE client requests from the LAN's DHCP server is told
   */
  public ProxyDhcpServer(
      ProxyDhcpAnswerer answerer, BootTimeline timeline, Optional<String> advertise, int httpPort) {
    this(
        answerer,
        timeline,
        advertise,
        httpPort,
        ProxyDhcpAnswerer.SERVER_PORT,
        ProxyDhcpAnswerer.PXE_PORT,
        ProxyDhcpAnswerer.CLIENT_PORT);
  }

  ProxyDhcpServer(
      ProxyDhcpAnswerer answerer,
      BootTimeline timeline,
      Optional<String> advertise,
      int httpPort,
      int serverPort,
      int pxePort,
      int clientPort) {
    this.answerer = answerer;
    this.timeline = timeline;
    this.advertise = advertise;
    this.httpPort = httpPort;
    this.serverPort = serverPort;
    this.pxePort = pxePort;
    this.clientPort = clientPort;
  }

  /**
   * Binds the sockets and starts answering.
   *
   * @throws IOException when a port cannot be bound (67 and 4011 need root or CAP_NET_BIND_SERVICE)
   */
  public ProxyDhcpServer start() throws IOException {
    try {
      any67 = open(new InetSocketAddress(serverPort));
      any4011 = open(new InetSocketAddress(pxePort));
      rescan();
    } catch (IOException e) {
      close();
      throw e;
    }
    if (locals.isEmpty()) {
      log.warn(
          "proxyDHCP: no IPv4 interface is up{}; nothing is answered on port {} until one is",
          advertise.map(a -> " with the advertised address " + a).orElse(""),
          serverPort);
    }
    warmUp();
    threads.add(
        Thread.ofPlatform().daemon().name("proxydhcp-67").start(() -> loop(any67, serverPort)));
    threads.add(
        Thread.ofPlatform().daemon().name("proxydhcp-4011").start(() -> loop(any4011, pxePort)));
    running = true;
    log.info(
        "proxyDHCP listening on UDP {} and {} (interfaces: {})",
        serverPort,
        pxePort,
        locals.stream().map(l -> l.address().getHostAddress() + "/" + l.prefix()).toList());
    return this;
  }

  /**
   * Runs the answer path once, on a made-up BIOS iPXE DISCOVER (a locally administered MAC; nothing
   * sent, nothing recorded), before the first client comes: a cold first answer took over a second
   * in the QEMU lab, and an iPXE ROM waits only 2 s from its first DISCOVER for a proxyDHCP offer
   * ({@code DHCP_DISC_PROXY_TIMEOUT_SEC} in iPXE's config/dhcp.h) before it goes on without one
   * ("Nothing to boot").
   */
  private void warmUp() {
    byte[] chaddr = new byte[16];
    chaddr[0] = 0x02; // locally administered: no real machine
    DhcpOptions o =
        DhcpOptions.builder()
            .putByte(DhcpOptions.MESSAGE_TYPE, DhcpMessage.DISCOVER)
            .put(DhcpOptions.VENDOR_CLASS, "PXEClient:Arch:00000:UNDI:002001")
            .putU16(DhcpOptions.CLIENT_ARCH, 0)
            .put(DhcpOptions.USER_CLASS, "iPXE")
            .build();
    DhcpMessage discover =
        new DhcpMessage(
            DhcpMessage.BOOTREQUEST,
            DhcpMessage.HTYPE_ETHERNET,
            6,
            0,
            0,
            0,
            DhcpMessage.FLAG_BROADCAST,
            DhcpMessage.ZERO,
            DhcpMessage.ZERO,
            DhcpMessage.ZERO,
            DhcpMessage.ZERO,
            chaddr,
            "",
            "",
            o);
    long start = System.nanoTime();
    try {
      DhcpMessage parsed = DhcpCodec.parse(DhcpCodec.encode(discover));
      PxeClient.of(parsed);
      ProxyDhcpAnswerer.Answer a =
          answerer.address(
              answerer.decide(parsed, serverPort, DhcpMessage.ZERO),
              DhcpMessage.ZERO,
              "127.0.0.1",
              httpPort);
      a.reply().ifPresent(DhcpCodec::encode);
    } catch (RuntimeException | MalformedPacketException e) {
      log.debug("proxyDHCP warm-up: {}", e.toString());
    }
    log.debug("proxyDHCP warm-up took {} ms", (System.nanoTime() - start) / 1_000_000);
  }

  /**
   * Re-reads the local IPv4 addresses: binds a socket (and a receiving thread) for each new one,
   * closes those of addresses that are gone.
   */
  private synchronized void rescan() throws IOException {
    lastScan = System.nanoTime();
    Optional<InetAddress> pinned = advertisedLocalAddress();
    List<InterfaceAddress> now = new ArrayList<>();
    for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nif.isUp() || nif.isLoopback()) {
        continue;
      }
      for (InterfaceAddress ia : nif.getInterfaceAddresses()) {
        if (ia.getAddress() instanceof Inet4Address a4
            && (pinned.isEmpty() || pinned.get().equals(a4))) {
          now.add(ia);
        }
      }
    }
    for (Local l : locals) {
      if (now.stream()
          .noneMatch(
              ia ->
                  ia.getAddress().equals(l.address())
                      && ia.getNetworkPrefixLength() == l.prefix())) {
        locals.remove(l);
        l.socket().close();
        log.info("proxyDHCP: address {}/{} is gone", l.address().getHostAddress(), l.prefix());
      }
    }
    for (InterfaceAddress ia : now) {
      Inet4Address a4 = (Inet4Address) ia.getAddress();
      if (locals.stream()
          .anyMatch(l -> l.address().equals(a4) && l.prefix() == ia.getNetworkPrefixLength())) {
        continue;
      }
      Local l =
          new Local(a4, ia.getNetworkPrefixLength(), open(new InetSocketAddress(a4, serverPort)));
      locals.add(l);
      threads.add(
          Thread.ofPlatform()
              .daemon()
              .name("proxydhcp-" + a4.getHostAddress())
              .start(() -> loop(l.socket(), serverPort)));
      if (running) {
        log.info("proxyDHCP: now also answering on {}/{}", a4.getHostAddress(), l.prefix());
      }
    }
  }

  private void rescanIfStale() {
    if (System.nanoTime() - lastScan > RESCAN_NANOS) {
      try {
        rescan();
      } catch (IOException e) {
        log.warn("proxyDHCP: re-reading interface addresses failed: {}", e.getMessage());
      }
    }
  }

  private Optional<InetAddress> advertisedLocalAddress() {
    if (advertise.isEmpty()) {
      return Optional.empty();
    }
    try {
      InetAddress a = InetAddress.getByName(advertise.get());
      return NetworkInterface.getByInetAddress(a) != null ? Optional.of(a) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static DatagramSocket open(InetSocketAddress bind) throws IOException {
    DatagramSocket s = new DatagramSocket(null);
    try {
      s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      s.setBroadcast(true);
      s.setReceiveBufferSize(4 << 20); // the kernel caps this at net.core.rmem_max
      s.bind(bind);
    } catch (SocketException e) {
      s.close();
      String why =
          e.getMessage() != null && e.getMessage().contains("ermission")
              ? " (ports below 1024 need root or: sudo setcap cap_net_bind_service=+ep $(readlink -f $(which java)))"
              : "";
      throw new IOException("cannot bind UDP " + bind + ": " + e.getMessage() + why, e);
    }
    return s;
  }

  private void loop(DatagramSocket socket, int port) {
    byte[] buf = new byte[DhcpCodec.MAX_LENGTH];
    while (!closed) {
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      try {
        socket.receive(p);
      } catch (IOException e) {
        if (closed || socket.isClosed()) {
          return;
        }
        log.warn("proxyDHCP receive on port {} failed: {}", port, e.toString());
        continue;
      }
      DatagramPacket copy =
          new DatagramPacket(
              java.util.Arrays.copyOf(p.getData(), p.getLength()),
              p.getLength(),
              p.getSocketAddress());
      try {
        workers.execute(
            () -> {
              try {
                handle(copy, port, socket);
              } catch (RuntimeException e) {
                log.warn(
                    "proxyDHCP: error answering {}: {}", copy.getSocketAddress(), e.toString());
              }
            });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        log.debug("proxyDHCP: busy, dropped a request from {}", p.getSocketAddress());
      }
    }
  }

  private void handle(DatagramPacket p, int port, DatagramSocket socket) {
    DhcpMessage request;
    try {
      request = DhcpCodec.parse(p.getData(), p.getOffset(), p.getLength());
    } catch (MalformedPacketException e) {
      log.debug(
          "proxyDHCP: dropped malformed packet from {}: {}", p.getSocketAddress(), e.getMessage());
      return;
    }
    if (request.op() != DhcpMessage.BOOTREQUEST) {
      return;
    }
    PxeClient client = PxeClient.of(request);
    if (!client.pxe() && !client.httpClient()) {
      log.debug(
          "proxyDHCP: ignored non-PXE client {}", request.mac().map(Object::toString).orElse("?"));
      return;
    }
    learnAddress(request);
    rescanIfStale();
    InetAddress source = p.getAddress();
    if (port == pxePort) {
      Local l = localFor(source).orElse(null);
      Inet4Address server = serverAddress(l);
      if (server == null) {
        log.info(
            "proxyDHCP no answer to {}: no local address on its network", source.getHostAddress());
        return;
      }
      send(
          socket,
          decided(request, port, source),
          server,
          new InetSocketAddress(source, p.getPort()));
      return;
    }
    // One decision per packet (the chooser and the boot core run once), then one answer per
    // interface, each naming that interface's address.
    ProxyDhcpAnswerer.Decision decision = decided(request, port, DhcpMessage.ZERO);
    if (decision == null) {
      return;
    }
    Inet4Address giaddr = request.giaddr();
    if (!giaddr.equals(DhcpMessage.ZERO)) {
      Local l = localFor(giaddr).orElse(locals.isEmpty() ? null : locals.getFirst());
      Inet4Address server = serverAddress(l);
      if (l != null && server != null) {
        send(l.socket(), decision, server, new InetSocketAddress(giaddr, serverPort));
      }
      return;
    }
    for (Local l : locals) {
      send(l.socket(), decision, serverAddress(l), new InetSocketAddress(broadcast(), clientPort));
    }
  }

  /**
   * A PXE client's REQUEST to the LAN's DHCP server (or to us on 4011) names the address it will
   * use: its later TFTP transfers and downloads come from there.
   */
  private void learnAddress(DhcpMessage request) {
    if (request.mac().isEmpty() || request.messageType().orElse(0) != DhcpMessage.REQUEST) {
      return;
    }
    Optional<Inet4Address> ip = request.options().ipv4(DhcpOptions.REQUESTED_IP);
    if (ip.isEmpty() && !request.ciaddr().equals(DhcpMessage.ZERO)) {
      ip = Optional.of(request.ciaddr());
    }
    ip.ifPresent(a -> timeline.seen(request.mac().get(), a.getHostAddress()));
  }

  /** The answerer's decision, or null (logged) when it is to stay silent. */
  private ProxyDhcpAnswerer.Decision decided(DhcpMessage request, int port, InetAddress clientIp) {
    ProxyDhcpAnswerer.Decision d = answerer.decide(request, port, clientIp);
    record(request, d, clientIp);
    if (d instanceof ProxyDhcpAnswerer.Silence(ProxyDhcpAnswerer.Answer a)) {
      if (a.routine()) {
        log.debug("{}", a.log());
      } else {
        log.info("{}", a.log());
      }
      return null;
    }
    return d;
  }

  /** The decision as a stage of the machine's boot: once per request, whatever it is sent by. */
  private void record(DhcpMessage request, ProxyDhcpAnswerer.Decision d, InetAddress clientIp) {
    try {
      PxeClient client = PxeClient.of(request);
      String arch =
          client
              .clientArch()
              .map(a -> a.code() + " (" + a + ")")
              .orElse(client.archCode().map(String::valueOf).orElse("none"));
      String ip = clientIp.getHostAddress();
      if (d instanceof ProxyDhcpAnswerer.Reply r) {
        boolean offer = r.type() == DhcpMessage.OFFER;
        Map<String, String> detail = new LinkedHashMap<>();
        detail.put("arch", arch);
        detail.put("file", r.target().name());
        detail.put("ipxe", Boolean.toString(client.ipxe()));
        detail.put("port", Integer.toString(r.port()));
        timeline.record(
            offer ? BootEvent.Stage.DHCP_OFFER : BootEvent.Stage.DHCP_ACK,
            request.mac(),
            ip,
            "dhcp",
            (offer ? "offer" : "ack")
                + " of "
                + r.target().name()
                + (r.target().http() ? " (HTTP)" : " (TFTP)")
                + " to arch "
                + arch
                + (client.ipxe() ? ", iPXE" : ""),
            detail);
      } else if (d instanceof ProxyDhcpAnswerer.Silence(ProxyDhcpAnswerer.Answer a)
          && !a.routine()) {
        timeline.record(
            BootEvent.Stage.DHCP_IGNORED, request.mac(), ip, "dhcp", a.log(), Map.of("arch", arch));
      }
    } catch (RuntimeException e) {
      log.warn("proxyDHCP: cannot record an answer: {}", e.toString());
    }
  }

  private void send(
      DatagramSocket socket,
      ProxyDhcpAnswerer.Decision decision,
      Inet4Address server,
      InetSocketAddress to) {
    if (decision == null) {
      return;
    }
    String urlHost = advertise.orElse(server.getHostAddress());
    ProxyDhcpAnswerer.Answer a = answerer.address(decision, server, urlHost, httpPort);
    byte[] wire = DhcpCodec.encode(a.reply().orElseThrow());
    try {
      socket.send(new DatagramPacket(wire, wire.length, to));
      log.info("{}", a.log());
    } catch (IOException e) {
      log.warn("{} failed: cannot send to {}: {}", a.log(), to, e.toString());
    }
  }

  /** The advertised address when it is an IPv4 literal, else the local interface address. */
  private Inet4Address serverAddress(Local l) {
    if (advertise.isPresent()) {
      try {
        InetAddress a = InetAddress.getByName(advertise.get());
        if (a instanceof Inet4Address a4) {
          return a4;
        }
      } catch (IOException e) {
        // a name that does not resolve: fall back to the interface address
      }
    }
    return l == null ? null : l.address();
  }

  private Optional<Local> localFor(InetAddress a) {
    for (Local l : locals) {
      if (l.contains(a)) {
        return Optional.of(l);
      }
    }
    return locals.size() == 1 ? Optional.of(locals.getFirst()) : Optional.empty();
  }

  private static InetAddress broadcast() {
    return DhcpMessage.ipv4(new byte[] {-1, -1, -1, -1});
  }

  private static int toInt(InetAddress a) {
    byte[] b = a.getAddress();
    return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
  }

  @Override
  public void close() {
    closed = true;
    for (Local l : locals) {
      l.socket().close();
    }
    if (any67 != null) {
      any67.close();
    }
    if (any4011 != null) {
      any4011.close();
    }
    workers.shutdown();
    for (Thread t : threads) {
      try {
        t.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
