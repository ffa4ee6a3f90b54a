package dev.chainboot.ipxebuild;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What building iPXE needs on this machine, checked before anything is compiled: {@code make},
 * {@code perl}, the host's {@code gcc} and binutils, the C library and lzma headers (iPXE's host
 * tools {@code zbin} and {@code elf2efi}), {@code openssl} (for {@code TRUST=}/{@code CERT=}) and a
 * cross compiler for each platform the host's gcc cannot build. Each missing piece is named with
 * the Debian package that provides it.
 *
 * @param path the directories searched for programs (like {@code PATH})
 * @param includeDirs the directories searched for C headers
 */
public record Toolchain(List<Path> path, List<Path> includeDirs) {

  /** A missing program or header and the Debian package that provides it. */
  public record Missing(String what, String debianPackage) {
    @Override
    public String toString() {
      return what + " (Debian package " + debianPackage + ")";
    }
  }

  /** This machine: {@code $PATH} and {@code /usr/include}. */
  public static Toolchain system() {
    String env = System.getenv("PATH");
    List<Path> dirs = new ArrayList<>();
    for (String d : (env == null ? "/usr/bin:/bin" : env).split(File.pathSeparator)) {
      if (!d.isEmpty()) {
        dirs.add(Path.of(d));
      }
    }
    List<Path> include = new ArrayList<>(List.of(Path.of("/usr/include")));
    try (var ds = Files.newDirectoryStream(Path.of("/usr/include"), "*-linux-gnu*")) {
      ds.forEach(include::add);
    } catch (java.io.IOException | RuntimeException e) {
      // no multiarch include directories
    }
    return new Toolchain(dirs, include);
  }

  /** The programs and headers missing for building {@code platforms} on {@code hostArch}. */
  public List<Missing> missing(Set<IpxePlatform> platforms, String hostArch) {
    Map<String, String> programs = new LinkedHashMap<>();
    programs.put("make", "make");
    programs.put("perl", "perl");
    programs.put("gcc", "gcc");
    programs.put("ld", "binutils");
    programs.put("objcopy", "binutils");
    programs.put("ar", "binutils");
    programs.put("openssl", "openssl");
    Set<String> crosses = new LinkedHashSet<>();
    for (IpxePlatform p : platforms) {
      p.cross(hostArch).ifPresent(crosses::add);
    }
    for (String c : crosses) {
      String pkg = IpxePlatform.crossPackage(c);
      programs.put(c + "gcc", pkg);
      programs.put(c + "ld", pkg);
      programs.put(c + "objcopy", pkg);
    }
    List<Missing> out = new ArrayList<>();
    programs.forEach(
        (prog, pkg) -> {
          if (which(prog).isEmpty()) {
            out.add(new Missing(prog, pkg));
          }
        });
    if (header("stdio.h").isEmpty()) {
      out.add(new Missing("stdio.h", "libc6-dev"));
    }
    if (header("lzma.h").isEmpty()) {
      out.add(new Missing("lzma.h", "liblzma-dev"));
    }
    return out;
  }

  /** The program {@code name} on the path, if it is there and executable. */
  public Optional<Path> which(String name) {
    for (Path d : path) {
      Path p = d.resolve(name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  private Optional<Path> header(String name) {
    return includeDirs.stream().map(d -> d.resolve(name)).filter(Files::isRegularFile).findFirst();
  }

  /** One message for {@code missing}: what is missing and the apt-get line that installs it. */
  public static String explain(List<Missing> missing) {
    Set<String> pkgs = new LinkedHashSet<>();
    missing.forEach(m -> pkgs.add(m.debianPackage()));
    return "cannot build iPXE: missing "
        + String.join(", ", missing.stream().map(Missing::toString).toList())
        + "; install them with: apt-get install --no-install-recommends "
        + String.join(" ", pkgs);
  }
}
