package dev.chainboot.server;

import dev.chainboot.boot.BootTimeline;
import dev.chainboot.config.ServerConfig;
import dev.chainboot.firmware.BootBinary;
import dev.chainboot.firmware.FirmwareCatalog;
import dev.chainboot.grub.GrubConfig;
import dev.chainboot.ipxe.ChainScripts;
import dev.chainboot.tftp.CompositeFileSource;
import dev.chainboot.tftp.DirectoryFileSource;
import dev.chainboot.tftp.InMemoryFileSource;
import dev.chainboot.tftp.TftpFileSource;
import dev.chainboot.tftp.TftpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the TFTP server serves and how it is started: files under {@code DATA/tftp/} first (so
 * operators can override anything), then {@code chain.ipxe} and the boot binaries under every name
 * in {@link BootBinary} (in any case), including pixie's i386 and arm32 names when a firmware
 * directory or an iPXE build has them.
 */
final class TftpService {

  private TftpService() {}

  static TftpFileSource files(ServerConfig config, FirmwareCatalog firmware, int httpPort) {
    Map<String, Supplier<Optional<byte[]>>> builtIn = new HashMap<>();
    // With a pixie scripts directory the menu's "boot" goes where pixie's did (its per-MAC script,
    // else the boot core's decision); otherwise to /boot.ipxe.
    ChainScripts.ChainMenu menu =
        new ChainScripts.ChainMenu(
            config.scriptsDir().isPresent()
                ? ChainScripts.ChainMenu.PIXIE.bootPath()
                : ChainScripts.ChainMenu.DEFAULT.bootPath(),
            config.netbootXyz());
    byte[] chain =
        ChainScripts.tftpChain(config.advertise(), httpPort, menu).getBytes(StandardCharsets.UTF_8);
    builtIn.put("chain.ipxe", () -> Optional.of(chain));
    byte[] grub = GrubConfig.entry(config.advertise(), httpPort).getBytes(StandardCharsets.UTF_8);
    for (String name : GrubConfig.TFTP_NAMES) {
      builtIn.put(name, () -> Optional.of(grub));
    }
    for (BootBinary b : BootBinary.values()) {
      builtIn.put(b.fileName(), () -> firmware.bytes(b));
      for (String alias : b.aliases()) {
        builtIn.putIfAbsent(alias, () -> firmware.bytes(b));
      }
    }
    return new CompositeFileSource(
        List.of(new DirectoryFileSource(config.tftpRoot()), new InMemoryFileSource(builtIn)));
  }

  static TftpServer start(
      ServerConfig config, FirmwareCatalog firmware, int httpPort, BootTimeline timeline)
      throws StartupException {
    InetSocketAddress bind = config.tftp().orElseThrow();
    TftpServer server =
        new TftpServer(
            bind,
            files(config, firmware, httpPort),
            TftpServer.Settings.DEFAULTS.withLimits(
                config.limits().maxTftp(), config.limits().maxTftpPerClient()),
            timeline,
            config.tftpSinglePort());
    try {
      return server.start();
    } catch (IOException e) {
      String where =
          (bind.getAddress() == null ? bind.getHostString() : bind.getAddress().getHostAddress())
              + ":"
              + bind.getPort();
      String msg = String.valueOf(e.getMessage());
      if (msg.contains("Permission denied") || msg.contains("Access denied")) {
        throw new StartupException(
            "cannot listen for TFTP on "
                + where
                + ": permission denied (ports below 1024 need privilege). Fix it one of these ways: "
                + "run as root; or `sudo setcap cap_net_bind_service=+ep "
                + ProcessHandle.current().info().command().orElse("$(readlink -f $(which java))")
                + "`; or `sudo sysctl net.ipv4.ip_unprivileged_port_start=69`; "
                + "or use an unprivileged port, e.g. --tftp 0.0.0.0:6969 "
                + "(or --tftp off to disable TFTP)",
            e);
      }
      throw new StartupException(
          "cannot listen for TFTP on "
              + where
              + ": "
              + msg
              + " (choose another with --tftp ADDR:PORT, or --tftp off)",
          e);
    }
  }
}
