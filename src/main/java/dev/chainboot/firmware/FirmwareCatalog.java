package dev.chainboot.firmware;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The boot binaries this process can hand out: first from a user's firmware directory ({@code serve
 * --firmware-dir}), then those embedded in the jar at build time from pinned Debian packages, then
 * those an iPXE build left ({@code DATA/ipxe/firmware}: the i386 and arm32 EFI binaries Debian does
 * not ship). Contents are read once and kept in memory (a few MiB in all); a binary not found is
 * looked for again later (a build may add it).
 */
public final class FirmwareCatalog {

  static final String EMBEDDED_PREFIX = "/dev/chainboot/firmware/bin/";
  private static volatile FirmwareCatalog embedded;

  private final Path userDir; // may be null
  private final Path builtDir; // may be null
  private final Map<BootBinary, Optional<byte[]>> cache = new ConcurrentHashMap<>();

  private FirmwareCatalog(Path userDir, Path builtDir) {
    this.userDir = userDir;
    this.builtDir = builtDir;
  }

  /**
   * This catalogue with {@code binaries} answered first, before every directory and the jar: boot
   * media made with iPXE binaries built for them ({@code media --trust-ca}).
   */
  public FirmwareCatalog withOverrides(Map<BootBinary, byte[]> binaries) {
    FirmwareCatalog c = new FirmwareCatalog(userDir, builtDir);
    binaries.forEach((b, bytes) -> c.cache.put(b, Optional.of(bytes.clone())));
    return c;
  }

  /** The catalogue of binaries embedded in the jar only. */
  public static FirmwareCatalog embedded() {
    FirmwareCatalog c = embedded;
    if (c == null) {
      c = embedded = new FirmwareCatalog(null, null);
    }
    return c;
  }

  /** A catalogue that prefers binaries from {@code dir} (may be null) over the embedded ones. */
  public static FirmwareCatalog withDirectory(Path dir) {
    if (dir != null && !Files.isDirectory(dir)) {
      throw new IllegalArgumentException("firmware directory " + dir + " is not a directory");
    }
    return new FirmwareCatalog(dir, null);
  }

  /**
   * A catalogue that prefers binaries from {@code dir} (may be null), then the embedded ones, then
   * those in {@code builtDir} (an iPXE build's output, {@code <platform>/<target>}; may be null or
   * missing).
   */
  public static FirmwareCatalog withDirectories(Path dir, Path builtDir) {
    if (dir != null && !Files.isDirectory(dir)) {
      throw new IllegalArgumentException("firmware directory " + dir + " is not a directory");
    }
    return new FirmwareCatalog(dir, builtDir);
  }

  /**
   * Contents of {@code binary}, or empty when neither the firmware directory nor the jar has it.
   */
  public Optional<byte[]> bytes(BootBinary binary) {
    Optional<byte[]> b = cache.computeIfAbsent(binary, this::load);
    if (b.isEmpty() && builtDir != null) {
      // A build may have added it since: look again (a stat per miss; hits are cached).
      b = load(binary);
      if (b.isPresent()) {
        cache.put(binary, b);
      }
    }
    return b;
  }

  /** Contents of the binary served under {@code name} (a file name or alias). */
  public Optional<byte[]> bytes(String name) {
    return BootBinary.byName(name).flatMap(this::bytes);
  }

  /** Like {@link #bytes(BootBinary)}, but a missing binary is an error that says how to fix it. */
  public byte[] require(BootBinary binary) {
    return bytes(binary)
        .orElseThrow(
            () ->
                new MissingFirmwareException(
                    binary.fileName()
                        + " is not available: "
                        + (userDir != null ? "not found in " + userDir + " and " : "")
                        + "not embedded in this build ("
                        + missingReason().orElse("unknown reason")
                        + "); pass --firmware-dir DIR with iPXE/syslinux binaries"));
  }

  private Optional<byte[]> load(BootBinary binary) {
    try {
      if (userDir != null) {
        for (String rel : binary.searchPaths()) {
          Path p = userDir.resolve(rel);
          if (Files.isRegularFile(p)) {
            return Optional.of(Files.readAllBytes(p));
          }
        }
      }
      try (InputStream in =
          FirmwareCatalog.class.getResourceAsStream(EMBEDDED_PREFIX + binary.fileName())) {
        if (in != null) {
          return Optional.of(in.readAllBytes());
        }
      }
      if (builtDir != null) {
        for (String rel : binary.searchPaths()) {
          Path p = builtDir.resolve(rel);
          if (Files.isRegularFile(p)) {
            return Optional.of(Files.readAllBytes(p));
          }
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("reading boot binary " + binary.fileName(), e);
    }
  }

  /** Why the build has no embedded binaries, if it has none. */
  public static Optional<String> missingReason() {
    try (InputStream in = FirmwareCatalog.class.getResourceAsStream(EMBEDDED_PREFIX + "MISSING")) {
      if (in != null) {
        return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).strip());
      }
      if (FirmwareCatalog.class.getResource(EMBEDDED_PREFIX + "SOURCES") == null) {
        return Optional.of("the build did not run scripts/fetch-firmware");
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of(e.toString());
    }
  }

  /** The binaries that can be served, with the source of each. */
  public Map<BootBinary, Boolean> availability() {
    Map<BootBinary, Boolean> m = new EnumMap<>(BootBinary.class);
    for (BootBinary b : BootBinary.values()) {
      m.put(b, bytes(b).isPresent());
    }
    return m;
  }

  /** One line for --version and the start-up log. */
  public String describe() {
    List<String> missing = new ArrayList<>();
    List<String> extra = new ArrayList<>();
    availability()
        .forEach(
            (b, ok) -> {
              if (b.fromDebian() && !ok) {
                missing.add(b.fileName());
              } else if (!b.fromDebian() && ok) {
                extra.add(b.fileName());
              }
            });
    String src =
        (userDir != null ? userDir + " then embedded" : "embedded")
            + (builtDir != null ? " then " + builtDir : "");
    String others =
        extra.isEmpty()
            ? "; no i386/arm32 EFI binaries (Debian ships none: --firmware-dir, DATA/tftp or"
                + " `chainboot ipxe prepare --platform i386-efi,arm32-efi`)"
            : "; also " + String.join(", ", extra);
    if (missing.isEmpty()) {
      return "all "
          + BootBinary.debian().size()
          + " available ("
          + src
          + "; "
          + embeddedVersions()
          + ")"
          + others;
    }
    return "missing "
        + String.join(", ", missing)
        + " ("
        + src
        + ")"
        + missingReason().map(r -> ": " + r).orElse("")
        + others;
  }

  private static String embeddedVersions() {
    try (InputStream in = FirmwareCatalog.class.getResourceAsStream(EMBEDDED_PREFIX + "SOURCES")) {
      if (in == null) {
        return "no embedded packages";
      }
      List<String> out = new ArrayList<>();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        String[] f = line.split("\t");
        if (!line.startsWith("#") && f.length >= 2) {
          out.add(f[0] + " " + f[1]);
        }
      }
      return "Debian " + String.join(", ", out);
    } catch (IOException e) {
      return e.toString();
    }
  }
}
