package dev.chainboot.boot;

import dev.chainboot.text.Printable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How a machine's firmware is served: the loader chain and the known firmware quirks, each with a
 * default that works for most machines and settable per group ({@code group add --firmware
 * KEY=VALUE,...}); a profile may choose the loader. An absent value means "the default" (or
 * whatever a less specific level says: see {@link #orElse}).
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>key</th><th>values</th><th>default</th><th>what it is for</th></tr>
 *   <tr><td>{@code loader}</td><td>{@code ipxe}, {@code shim-grub}</td><td>ipxe</td>
 *       <td>shim-grub: Debian's signed shim and GRUB, for Secure Boot (x86_64 UEFI)</td></tr>
 *   <tr><td>{@code efi-binary}</td><td>{@code snponly.efi}, {@code ipxe.efi}</td>
 *       <td>the server's {@code --efi-binary}</td>
 *       <td>iPXE's own NIC drivers fail on some NICs where the firmware's (snponly) work</td></tr>
 *   <tr><td>{@code efi-exit}</td><td>{@code failure}, {@code success}</td><td>failure</td>
 *       <td>how UEFI leaves when there is nothing to boot or the disk should boot: a failure
 *       status makes the firmware try its next boot device; an EFI application that exits with
 *       success drops some machines (Dell, Lenovo) into firmware setup</td></tr>
 *   <tr><td>{@code bios-local}</td><td>{@code sanboot}, {@code exit}</td><td>sanboot</td>
 *       <td>how a BIOS machine boots its disk: boot drive 0x80 directly, or return to the BIOS
 *       (which tries the next device; loops where the network is first)</td></tr>
 *   <tr><td>{@code dhcp-timeout}</td><td>seconds, 1-600</td><td>iPXE's own</td>
 *       <td>ports with spanning tree forward only 30-50 s after the link comes up: iPXE waits this
 *       long for the link and for DHCP before it gives up</td></tr>
 *   <tr><td>{@code https}</td><td>{@code on}, {@code off}</td><td>on when {@code serve --https}</td>
 *       <td>iPXE continues over HTTPS (only iPXE that can, and only where chainboot made the
 *       firmware trust its CA)</td></tr>
 * </table>
 */
public record FirmwareSettings(
    Optional<Loader> loader,
    Optional<EfiBinary> efiBinary,
    Optional<Exit> efiExit,
    Optional<BiosLocal> biosLocal,
    Optional<Integer> dhcpTimeout,
    Optional<Boolean> https) {

  /** Nothing set: every value is the default. */
  public static final FirmwareSettings NONE =
      new FirmwareSettings(
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty());

  /** Longest DHCP wait accepted, in seconds. */
  public static final int MAX_DHCP_TIMEOUT = 600;

  /** Which boot loader chain a machine gets. */
  public enum Loader {
    /** iPXE (chainboot's default): iPXE scripts. */
    IPXE("ipxe"),
    /** Debian's Microsoft-signed shim, then Debian's signed GRUB with a GRUB configuration. */
    SHIM_GRUB("shim-grub");

    private final String text;

    Loader(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }

    public static Optional<Loader> parse(String s) {
      return find(values(), s, Loader::text);
    }
  }

  /** The iPXE binary for x86_64 UEFI. */
  public enum EfiBinary {
    /** {@code snponly.efi}: drives the NIC through the firmware's own driver. */
    SNPONLY("snponly.efi"),
    /** {@code ipxe.efi}: iPXE's own NIC drivers. */
    IPXE("ipxe.efi");

    private final String text;

    EfiBinary(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }

    public static Optional<EfiBinary> parse(String s) {
      return find(values(), s, EfiBinary::text);
    }
  }

  /** The status a UEFI boot leaves with when it does not boot an operating system. */
  public enum Exit {
    /** A failure status: the firmware tries its next boot device. */
    FAILURE("failure"),
    /** Success (some firmware then shows its setup screen). */
    SUCCESS("success");

    private final String text;

    Exit(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }

    /** The iPXE {@code exit} status. */
    public int status() {
      return this == FAILURE ? 1 : 0;
    }

    public static Optional<Exit> parse(String s) {
      return find(values(), s, Exit::text);
    }
  }

  /** How a BIOS machine boots from its local disk. */
  public enum BiosLocal {
    /** {@code sanboot} the first hard disk (0x80). */
    SANBOOT("sanboot"),
    /** Return to the BIOS, which tries its next boot device. */
    EXIT("exit");

    private final String text;

    BiosLocal(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }

    public static Optional<BiosLocal> parse(String s) {
      return find(values(), s, BiosLocal::text);
    }
  }

  public FirmwareSettings {
    if (dhcpTimeout.isPresent()
        && (dhcpTimeout.get() < 1 || dhcpTimeout.get() > MAX_DHCP_TIMEOUT)) {
      throw new IllegalArgumentException(
          "dhcp-timeout must be 1-" + MAX_DHCP_TIMEOUT + " seconds, not " + dhcpTimeout.get());
    }
  }

  /** These settings, each value that is absent taken from {@code fallback}. */
  public FirmwareSettings orElse(FirmwareSettings fallback) {
    return new FirmwareSettings(
        loader.or(fallback::loader),
        efiBinary.or(fallback::efiBinary),
        efiExit.or(fallback::efiExit),
        biosLocal.or(fallback::biosLocal),
        dhcpTimeout.or(fallback::dhcpTimeout),
        https.or(fallback::https));
  }

  /** These settings with {@code loader} set. */
  public FirmwareSettings withLoader(Optional<Loader> l) {
    return new FirmwareSettings(l, efiBinary, efiExit, biosLocal, dhcpTimeout, https);
  }

  /** The loader, {@link Loader#IPXE} when not set. */
  public Loader loaderOrDefault() {
    return loader.orElse(Loader.IPXE);
  }

  /** The UEFI exit, {@link Exit#FAILURE} when not set. */
  public Exit efiExitOrDefault() {
    return efiExit.orElse(Exit.FAILURE);
  }

  /** The BIOS local boot, {@link BiosLocal#SANBOOT} when not set. */
  public BiosLocal biosLocalOrDefault() {
    return biosLocal.orElse(BiosLocal.SANBOOT);
  }

  public boolean isEmpty() {
    return equals(NONE);
  }

  /**
   * Parses {@code key=value[,key=value...]} (the keys of the table above); empty text is {@link
   * #NONE}.
   *
   * @throws IllegalArgumentException naming the key or value that is wrong and what is allowed
   */
  public static FirmwareSettings parse(String text) {
    FirmwareSettings s = NONE;
    if (text == null || text.isBlank()) {
      return s;
    }
    Map<String, String> seen = new LinkedHashMap<>();
    for (String item : text.split(",")) {
      String t = item.strip();
      int eq = t.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "firmware setting '" + Printable.of(t) + "' is not KEY=VALUE (keys: " + KEYS + ")");
      }
      String key = t.substring(0, eq).strip().toLowerCase(Locale.ROOT);
      String value = t.substring(eq + 1).strip();
      if (seen.put(key, value) != null) {
        throw new IllegalArgumentException("firmware setting " + key + " given twice");
      }
      s =
          switch (key) {
            case "loader" ->
                s.withLoader(Optional.of(must(Loader.parse(value), key, value, "ipxe, shim-grub")));
            case "efi-binary" ->
                new FirmwareSettings(
                    s.loader,
                    Optional.of(must(EfiBinary.parse(value), key, value, "snponly.efi, ipxe.efi")),
                    s.efiExit,
                    s.biosLocal,
                    s.dhcpTimeout,
                    s.https);
            case "efi-exit" ->
                new FirmwareSettings(
                    s.loader,
                    s.efiBinary,
                    Optional.of(must(Exit.parse(value), key, value, "failure, success")),
                    s.biosLocal,
                    s.dhcpTimeout,
                    s.https);
            case "bios-local" ->
                new FirmwareSettings(
                    s.loader,
                    s.efiBinary,
                    s.efiExit,
                    Optional.of(must(BiosLocal.parse(value), key, value, "sanboot, exit")),
                    s.dhcpTimeout,
                    s.https);
            case "dhcp-timeout" ->
                new FirmwareSettings(
                    s.loader,
                    s.efiBinary,
                    s.efiExit,
                    s.biosLocal,
                    Optional.of(seconds(value)),
                    s.https);
            case "https" ->
                new FirmwareSettings(
                    s.loader,
                    s.efiBinary,
                    s.efiExit,
                    s.biosLocal,
                    s.dhcpTimeout,
                    Optional.of(onOff(value)));
            default ->
                throw new IllegalArgumentException(
                    "unknown firmware setting '" + Printable.of(key) + "' (keys: " + KEYS + ")");
          };
    }
    return s;
  }

  /** The keys {@link #parse} accepts. */
  public static final String KEYS = "loader, efi-binary, efi-exit, bios-local, dhcp-timeout, https";

  /** The canonical text {@link #parse} reads back: the keys that are set, in table order. */
  public String text() {
    List<String> out = new ArrayList<>();
    loader.ifPresent(v -> out.add("loader=" + v.text()));
    efiBinary.ifPresent(v -> out.add("efi-binary=" + v.text()));
    efiExit.ifPresent(v -> out.add("efi-exit=" + v.text()));
    biosLocal.ifPresent(v -> out.add("bios-local=" + v.text()));
    dhcpTimeout.ifPresent(v -> out.add("dhcp-timeout=" + v));
    https.ifPresent(v -> out.add("https=" + (v ? "on" : "off")));
    return String.join(",", out);
  }

  @Override
  public String toString() {
    return isEmpty() ? "(defaults)" : text();
  }

  private static <T> T must(Optional<T> v, String key, String value, String allowed) {
    return v.orElseThrow(
        () ->
            new IllegalArgumentException(
                key + " must be one of " + allowed + ", not '" + Printable.of(value) + "'"));
  }

  private static int seconds(String value) {
    try {
      int s = Integer.parseInt(value);
      if (s >= 1 && s <= MAX_DHCP_TIMEOUT) {
        return s;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new IllegalArgumentException(
        "dhcp-timeout must be 1-"
            + MAX_DHCP_TIMEOUT
            + " seconds, not '"
            + Printable.of(value)
            + "'");
  }

  private static boolean onOff(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "on", "true", "yes" -> true;
      case "off", "false", "no" -> false;
      default ->
          throw new IllegalArgumentException(
              "https must be on or off, not '" + Printable.of(value) + "'");
    };
  }

  private static <E> Optional<E> find(
      E[] values, String s, java.util.function.Function<E, String> text) {
    if (s == null) {
      return Optional.empty();
    }
    String t = s.strip().toLowerCase(Locale.ROOT);
    for (E e : values) {
      if (text.apply(e).equals(t)) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }
}
