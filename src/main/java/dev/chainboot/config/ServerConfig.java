package dev.chainboot.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Everything {@code chainboot serve} needs to start, already validated.
 *
 * @param dataDir the data directory (created if missing)
 * @param tftp where TFTP listens, or empty to disable it
 * @param http where HTTP listens
 * @param firmwareDir a user's own iPXE/syslinux binaries, preferred over the embedded ones
 * @param advertise host or address clients are told to reach this server at, or empty to derive it
 *     (iPXE's next-server, the interface a DHCP request came in on)
 * @param pxesrvRoot a pxe_srv document root ({@code --pxesrv-root} / {@code PXESRV_ROOT}), or empty
 *     when pxe_srv compatibility is off
 * @param scriptsDir pixie's per-MAC scripts directory ({@code --scripts}), default DATA/scripts
 * @param extraDir directory served at {@code /extra/} (pixie's {@code -e}), or empty
 * @param configFile the configuration file ({@code --config}), default DATA/chainboot.yaml
 * @param proxyDhcp the proxyDHCP responder's settings, or empty when it is off (the default)
 * @param https the HTTPS listener, or empty when it is off (the default)
 * @param ntp a time server iPXE sets its clock from before its first HTTPS fetch, or empty
 * @param admin where the admin listener (REST API, UI) listens, or empty when it is off (the
 *     builder's default; {@code serve}'s is 127.0.0.1:9090)
 * @param adminTls the admin listener's certificate and key, or empty for plain HTTP
 * @param db the database ({@code --db}): a {@code postgresql://} URL, or empty for SQLite in the
 *     data directory
 * @param dbPasswordFile the PostgreSQL password's file ({@code --db-password-file}), or empty
 * @param tftpSinglePort whether every TFTP transfer is answered from the listening port
 * @param trustedProxies reverse proxies ({@code --trusted-proxy CIDR}) whose {@code
 *     X-Forwarded-For} names the client; from anyone else the header is ignored
 * @param pxesrvLog pxe_srv's access log file ({@code PXESRV_LOG}): one Common Log Format line per
 *     request, as pxe_srv wrote; empty for none
 * @param netbootXyz the URL of the {@code chain.ipxe} menu's netboot.xyz item, or empty for no item
 * @param limits storm control: transfers and requests served at once
 * @param stallAfter how long a machine may stay between two stages of its boot before it is flagged
 *     stalled ({@code --stall-after}, default 10 minutes)
 */
public record ServerConfig(
    Path dataDir,
    Optional<InetSocketAddress> tftp,
    InetSocketAddress http,
    Optional<Path> firmwareDir,
    Optional<String> advertise,
    Optional<Path> pxesrvRoot,
    Optional<Path> scriptsDir,
    Optional<Path> extraDir,
    Optional<Path> configFile,
    Optional<ProxyDhcpConfig> proxyDhcp,
    Optional<HttpsConfig> https,
    Optional<String> ntp,
    Optional<InetSocketAddress> admin,
    Optional<TlsFiles> adminTls,
    Optional<String> db,
    Optional<Path> dbPasswordFile,
    boolean tftpSinglePort,
    java.util.List<String> trustedProxies,
    Optional<Path> pxesrvLog,
    Optional<String> netbootXyz,
    StormLimits limits,
    Duration stallAfter) {

  public ServerConfig {
    trustedProxies = java.util.List.copyOf(trustedProxies);
  }

  /** The default of {@code --stall-after}. */
  public static final Duration DEFAULT_STALL_AFTER = Duration.ofMinutes(10);

  /** A configuration for {@code dataDir} with every other setting at its default. */
  public static Builder builder(Path dataDir) {
    return new Builder(dataDir);
  }

  /** Builds a {@link ServerConfig}: only what differs from the defaults needs saying. */
  public static final class Builder {
    private final Path dataDir;
    private Optional<InetSocketAddress> tftp = Optional.empty();
    private InetSocketAddress http = new InetSocketAddress(8080);
    private Optional<Path> firmwareDir = Optional.empty();
    private Optional<String> advertise = Optional.empty();
    private Optional<Path> pxesrvRoot = Optional.empty();
    private Optional<Path> scriptsDir = Optional.empty();
    private Optional<Path> extraDir = Optional.empty();
    private Optional<Path> configFile = Optional.empty();
    private Optional<ProxyDhcpConfig> proxyDhcp = Optional.empty();
    private Duration stallAfter = DEFAULT_STALL_AFTER;
    private Optional<HttpsConfig> https = Optional.empty();
    private Optional<String> ntp = Optional.empty();
    private Optional<InetSocketAddress> admin = Optional.empty();
    private Optional<TlsFiles> adminTls = Optional.empty();
    private Optional<String> db = Optional.empty();
    private Optional<Path> dbPasswordFile = Optional.empty();
    private boolean tftpSinglePort;
    private java.util.List<String> trustedProxies = java.util.List.of();
    private Optional<Path> pxesrvLog = Optional.empty();
    private Optional<String> netbootXyz = Optional.empty();
    private StormLimits limits = StormLimits.DEFAULTS;

    private Builder(Path dataDir) {
      this.dataDir = dataDir;
    }

    public Builder tftp(Optional<InetSocketAddress> v) {
      tftp = v;
      return this;
    }

    public Builder http(InetSocketAddress v) {
      http = v;
      return this;
    }

    public Builder firmwareDir(Optional<Path> v) {
      firmwareDir = v;
      return this;
    }

    public Builder advertise(Optional<String> v) {
      advertise = v;
      return this;
    }

    public Builder pxesrvRoot(Optional<Path> v) {
      pxesrvRoot = v;
      return this;
    }

    public Builder scriptsDir(Optional<Path> v) {
      scriptsDir = v;
      return this;
    }

    public Builder extraDir(Optional<Path> v) {
      extraDir = v;
      return this;
    }

    public Builder configFile(Optional<Path> v) {
      configFile = v;
      return this;
    }

    public Builder proxyDhcp(Optional<ProxyDhcpConfig> v) {
      proxyDhcp = v;
      return this;
    }

    public Builder https(Optional<HttpsConfig> v) {
      https = v;
      return this;
    }

    public Builder ntp(Optional<String> v) {
      ntp = v;
      return this;
    }

    public Builder admin(Optional<InetSocketAddress> v) {
      admin = v;
      return this;
    }

    public Builder adminTls(Optional<TlsFiles> v) {
      adminTls = v;
      return this;
    }

    public Builder db(Optional<String> v) {
      db = v;
      return this;
    }

    public Builder dbPasswordFile(Optional<Path> v) {
      dbPasswordFile = v;
      return this;
    }

    public Builder tftpSinglePort(boolean v) {
      tftpSinglePort = v;
      return this;
    }

    public Builder trustedProxies(java.util.List<String> v) {
      trustedProxies = v;
      return this;
    }

    public Builder pxesrvLog(Optional<Path> v) {
      pxesrvLog = v;
      return this;
    }

    public Builder netbootXyz(Optional<String> v) {
      netbootXyz = v;
      return this;
    }

    public Builder limits(StormLimits v) {
      limits = v;
      return this;
    }

    public Builder stallAfter(Duration v) {
      stallAfter = v;
      return this;
    }

    public ServerConfig build() {
      return new ServerConfig(
          dataDir,
          tftp,
          http,
          firmwareDir,
          advertise,
          pxesrvRoot,
          scriptsDir,
          extraDir,
          configFile,
          proxyDhcp,
          https,
          ntp,
          admin,
          adminTls,
          db,
          dbPasswordFile,
          tftpSinglePort,
          trustedProxies,
          pxesrvLog,
          netbootXyz,
          limits,
          stallAfter);
    }
  }

  public Path tftpRoot() {
    return dataDir.resolve("tftp");
  }

  /** {@code DATA/assets/}, served at {@code /assets/}. */
  public Path assetsRoot() {
    return dataDir.resolve("assets");
  }

  /** {@code DATA/kernels/}, served at {@code /kernel/} (Zero-OS kernels). */
  public Path kernelsRoot() {
    return dataDir.resolve("kernels");
  }

  /** pixie's scripts directory: {@code --scripts DIR} or {@code DATA/scripts/}. */
  public Path scriptsRoot() {
    return scriptsDir.orElse(dataDir.resolve("scripts"));
  }

  /** {@code --config FILE} or {@code DATA/chainboot.yaml}. */
  public Path configPath() {
    return configFile.orElse(dataDir.resolve("chainboot.yaml"));
  }
}
