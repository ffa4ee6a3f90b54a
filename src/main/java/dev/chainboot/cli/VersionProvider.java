package dev.chainboot.cli;

import dev.chainboot.firmware.FirmwareCatalog;
import dev.chainboot.ipxebuild.IpxeBuilds;
import java.nio.file.Path;
import picocli.CommandLine.IVersionProvider;

/** Prints the chainboot version (from the jar manifest) and where the boot binaries come from. */
public final class VersionProvider implements IVersionProvider {

  public static String version() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  @Override
  public String[] getVersion() {
    return new String[] {
      "chainboot " + version(),
      "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")",
      "boot binaries: " + FirmwareCatalog.embedded().describe(),
      "iPXE builds: " + IpxeBuilds.at(dataDir()).describe()
    };
  }

  /** The data directory {@code --version} reports on: {@code $CHAINBOOT_DATA}, else the default. */
  static Path dataDir() {
    String env = System.getenv("CHAINBOOT_DATA");
    return Path.of(env == null || env.isBlank() ? "chainboot-data" : env);
  }
}
