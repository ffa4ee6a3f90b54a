package dev.chainboot.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Everything {@code chainboot serve} needs to start, already validated.
 *
 * @param dataDir the data directory (created if missing)
 * @param tftp where TFTP listens, or empty to disable it
 * @param http where HTTP listens
 * @param firmwareDir a user's own iPXE/syslinux binaries, preferred over the embedded ones
 * @param advertise host or address clients are told to reach this server at, or empty to
 *     derive it (iPXE's next-server, the interface a DHCP request came in on)
 * @param proxyDhcp the proxyDHCP responder's settings, or empty when it is off (the default)
 */
public record ServerConfig(
    Path dataDir,
    Optional<InetSocketAddress> tftp,
    InetSocketAddress http,
    Optional<Path> firmwareDir,
    Optional<String> advertise,
    Optional<ProxyDhcpConfig> proxyDhcp) {

  /** Without proxyDHCP. */
  public ServerConfig(Path dataDir, Optional<InetSocketAddress> tftp, InetSocketAddress http,
      Optional<Path> firmwareDir, Optional<String> advertise) {
    this(dataDir, tftp, http, firmwareDir, advertise, Optional.empty());
  }

  public Path tftpRoot() {
    return dataDir.resolve("tftp");
  }
}
