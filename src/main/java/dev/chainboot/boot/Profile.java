package dev.chainboot.boot;

import dev.chainboot.text.Printable;
import java.util.List;
import java.util.Optional;

/**
 * What a machine boots: exactly one {@link Kind}. String fields may hold Mustache variables ({@code
 * {{base_url}}}, {@code {{mac}}}, {@code {{labels.rack}}}, ...) rendered per machine.
 *
 * @param name unique name: 1-64 letters, digits, '.', '_' or '-'
 * @param kind which of the fields below apply
 * @param kernel kernel URL ({@link Kind#KERNEL})
 * @param initrds initrd URLs ({@link Kind#KERNEL})
 * @param cmdline kernel command line ({@link Kind#KERNEL})
 * @param chainUrl the URL to chain to ({@link Kind#CHAIN})
 * @param script a raw iPXE script template ({@link Kind#SCRIPT})
 * @param menu names of the profiles offered ({@link Kind#MENU})
 * @param loader the boot loader chain this profile needs, whatever the machine's group says (a
 *     kernel profile with {@link FirmwareSettings.Loader#SHIM_GRUB} boots through Secure Boot's
 *     signed chain); empty: the group's, else iPXE
 */
public record Profile(
    String name,
    Kind kind,
    Optional<String> kernel,
    List<String> initrds,
    Optional<String> cmdline,
    Optional<String> chainUrl,
    Optional<String> script,
    List<String> menu,
    Optional<FirmwareSettings.Loader> loader) {

  /** A profile that leaves the loader to the machine's group. */
  public Profile(
      String name,
      Kind kind,
      Optional<String> kernel,
      List<String> initrds,
      Optional<String> cmdline,
      Optional<String> chainUrl,
      Optional<String> script,
      List<String> menu) {
    this(name, kind, kernel, initrds, cmdline, chainUrl, script, menu, Optional.empty());
  }

  /** The one thing a profile does. */
  public enum Kind {
    KERNEL,
    CHAIN,
    SCRIPT,
    LOCAL_DISK,
    MENU
  }

  public Profile {
    checkName(name);
    initrds = List.copyOf(initrds);
    menu = List.copyOf(menu);
    boolean ok =
        switch (kind) {
          case KERNEL ->
              kernel.isPresent() && chainUrl.isEmpty() && script.isEmpty() && menu.isEmpty();
          case CHAIN ->
              chainUrl.isPresent()
                  && kernel.isEmpty()
                  && initrds.isEmpty()
                  && cmdline.isEmpty()
                  && script.isEmpty()
                  && menu.isEmpty();
          case SCRIPT ->
              script.isPresent()
                  && kernel.isEmpty()
                  && initrds.isEmpty()
                  && cmdline.isEmpty()
                  && chainUrl.isEmpty()
                  && menu.isEmpty();
          case LOCAL_DISK ->
              kernel.isEmpty()
                  && initrds.isEmpty()
                  && cmdline.isEmpty()
                  && chainUrl.isEmpty()
                  && script.isEmpty()
                  && menu.isEmpty();
          case MENU ->
              !menu.isEmpty()
                  && kernel.isEmpty()
                  && initrds.isEmpty()
                  && cmdline.isEmpty()
                  && chainUrl.isEmpty()
                  && script.isEmpty();
        };
    if (!ok) {
      throw new IllegalArgumentException(
          "profile "
              + name
              + ": a "
              + kind.name().toLowerCase()
              + " profile takes exactly its own fields (kernel+initrds+cmdline, chain URL, script,"
              + " local disk, or menu)");
    }
    menu.forEach(Profile::checkName);
    loader = loader == null ? Optional.empty() : loader;
    if (loader.filter(l -> l == FirmwareSettings.Loader.SHIM_GRUB).isPresent()
        && kind != Kind.KERNEL
        && kind != Kind.LOCAL_DISK) {
      throw new IllegalArgumentException(
          "profile "
              + name
              + ": the shim-grub loader boots kernel and local-disk profiles only (GRUB cannot run"
              + " iPXE scripts, chain URLs or menus)");
    }
  }

  /** This profile with {@code loader}. */
  public Profile withLoader(Optional<FirmwareSettings.Loader> l) {
    return new Profile(name, kind, kernel, initrds, cmdline, chainUrl, script, menu, l);
  }

  public static Profile kernel(String name, String kernel, List<String> initrds, String cmdline) {
    return new Profile(
        name,
        Kind.KERNEL,
        Optional.of(kernel),
        initrds,
        Optional.ofNullable(cmdline),
        Optional.empty(),
        Optional.empty(),
        List.of());
  }

  public static Profile chain(String name, String url) {
    return only(name, Kind.CHAIN, null, url, null, List.of());
  }

  public static Profile script(String name, String template) {
    return only(name, Kind.SCRIPT, null, null, template, List.of());
  }

  public static Profile localDisk(String name) {
    return only(name, Kind.LOCAL_DISK, null, null, null, List.of());
  }

  public static Profile menu(String name, List<String> entries) {
    return only(name, Kind.MENU, null, null, null, entries);
  }

  /** A profile without kernel fields: the one of kernel, chain URL, script or menu given. */
  private static Profile only(
      String name, Kind kind, String kernel, String chain, String script, List<String> menu) {
    return new Profile(
        name,
        kind,
        Optional.ofNullable(kernel),
        List.of(),
        Optional.empty(),
        Optional.ofNullable(chain),
        Optional.ofNullable(script),
        menu);
  }

  /** Profile and group names: also used as iPXE labels, so kept to a safe alphabet. */
  public static String checkName(String name) {
    if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
      throw new IllegalArgumentException(
          "name must be 1-64 letters, digits, '.', '_' or '-' (starting with a letter or digit): "
              + (name == null ? "null" : Printable.of(name)));
    }
    return name;
  }
}
