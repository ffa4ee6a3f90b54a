package dev.chainboot.cli;

import dev.chainboot.firmware.FirmwareCatalog;
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
      "boot binaries: " + FirmwareCatalog.embedded().describe()
    };
  }
}
