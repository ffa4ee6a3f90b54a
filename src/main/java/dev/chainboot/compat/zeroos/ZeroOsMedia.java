package dev.chainboot.compat.zeroos;

import dev.chainboot.boot.Arch;
import dev.chainboot.media.ChainUrl;
import dev.chainboot.media.MediaFormat;
import dev.chainboot.media.MediaScript;
import dev.chainboot.media.MediaSpec;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Zero-OS bootstrap's image URLs, with its grammar ({@link ZeroOsRequest}) after each prefix,
 * translated into chainboot's boot media instead of {@code make EMBED=}: every image carries a
 * script that chains to {@code /ipxe/<same path>} on this server.
 *
 * <ul>
 *   <li>{@code /iso/...} hybrid ISO, {@code /usb/...} USB image, {@code /uefimg/...} FAT image;
 *   <li>{@code /uefi/<path>/} (and {@code /uefi/<path>/ipxe.efi}) the iPXE EFI binary, and beside
 *       it {@code /uefi/<path>/autoexec.ipxe}, the script an iPXE loaded over HTTP fetches relative
 *       to its own URL; {@code /uefi/<path>} redirects to {@code /uefi/<path>/};
 *   <li>{@code /krn/...} not served: {@link #krnExplanation} says why and what to use instead.
 * </ul>
 */
public final class ZeroOsMedia {

  private ZeroOsMedia() {}

  /** The image families, each under its own URL prefix. */
  public enum Kind {
    ISO,
    USB,
    UEFIMG,
    UEFI,
    KRN;

    /** {@code /iso/}, {@code /usb/}, ... */
    public String prefix() {
      return "/" + name().toLowerCase(Locale.ROOT) + "/";
    }
  }

  /**
   * A parsed image URL.
   *
   * @param request the Zero-OS request in the path
   * @param path the request's path after the prefix, without a trailing slash and without the file
   *     name ({@code prod/1234})
   * @param file for {@link Kind#UEFI}: {@code ipxe.efi}, {@code autoexec.ipxe}, or "" when the path
   *     names the directory without its trailing slash (a redirect); "" otherwise
   */
  public record Target(ZeroOsRequest request, String path, String file) {}

  /**
   * Parses what follows {@code kind}'s prefix (already percent-decoded).
   *
   * @throws ZeroOsRequest.Invalid when the path does not fit the grammar
   */
  public static Target parse(Kind kind, String relative, Set<String> runmodes) {
    String rel = relative;
    String file = "";
    if (kind == Kind.UEFI) {
      if (rel.endsWith("/autoexec.ipxe") || rel.endsWith("/ipxe.efi")) {
        int slash = rel.lastIndexOf('/');
        file = rel.substring(slash + 1);
        rel = rel.substring(0, slash);
      } else if (rel.endsWith("/")) {
        file = "ipxe.efi";
        rel = rel.substring(0, rel.length() - 1);
      }
    }
    ZeroOsRequest req = ZeroOsRequest.parse(rel, runmodes);
    String path = rel.endsWith("/") ? rel.substring(0, rel.length() - 1) : rel;
    return new Target(req, path, file);
  }

  /**
   * Whether the first segment of {@code relative} is a runmode (else a pxe_srv root may own it).
   */
  public static boolean namesRunmode(String relative, Set<String> runmodes) {
    int slash = relative.indexOf('/');
    return runmodes.contains(slash < 0 ? relative : relative.substring(0, slash));
  }

  /** The URL an image's script chains to: the Zero-OS script for the same path. */
  public static ChainUrl chainUrl(String baseUrl, Target t) {
    return ChainUrl.parse(baseUrl + "/ipxe/" + encodePath(t.path()));
  }

  /** The media for an ISO, USB or UEFIMG image. */
  public static MediaSpec spec(Kind kind, ChainUrl chain) {
    MediaFormat f =
        switch (kind) {
          case ISO -> MediaFormat.ISO;
          case USB -> MediaFormat.IMG;
          case UEFIMG -> MediaFormat.ESP;
          default -> throw new IllegalArgumentException(kind + " is not a disk image");
        };
    return new MediaSpec(f, EnumSet.of(Arch.X86_64), MediaScript.chainTo(chain), null);
  }

  /** The seed's file name for an image of {@code runmode}: {@code ipxe-prod.iso}, ... */
  public static String fileName(Kind kind, String runmode) {
    return "ipxe-"
        + runmode
        + switch (kind) {
          case ISO -> ".iso";
          case USB -> ".img";
          case UEFIMG -> "-uefi.img";
          case UEFI -> ".efi";
          case KRN -> ".lkrn";
        };
  }

  /** {@code autoexec.ipxe} beside a {@code /uefi/} binary: the media script, as text. */
  public static String autoexec(ChainUrl chain) {
    return new String(MediaScript.chainTo(chain), StandardCharsets.US_ASCII);
  }

  /** Why {@code /krn/} is not served, and the URLs that do the same. */
  public static String krnExplanation(String baseUrl, Target t) {
    String path = encodePath(t.path());
    return "chainboot cannot serve /krn/: an ipxe.lkrn with the script inside must be compiled "
        + "(iPXE's EMBED=, a C toolchain), and chainboot builds media without a compiler.\n"
        + "Use instead:\n"
        + "  "
        + baseUrl
        + "/iso/"
        + path
        + "      hybrid ISO (CD, BMC virtual media, USB)\n"
        + "  "
        + baseUrl
        + "/usb/"
        + path
        + "      USB disk image\n"
        + "  "
        + baseUrl
        + "/uefi/"
        + path
        + "/     ipxe.efi with autoexec.ipxe beside it\n"
        + "  "
        + baseUrl
        + "/ipxe/"
        + path
        + "     the script itself, for an iPXE that is already running\n";
  }

  /** Percent-encodes everything but unreserved characters and '/', as UTF-8. */
  public static String encodePath(String s) {
    StringBuilder b = new StringBuilder();
    for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (x & 0xFF);
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || "-._~/".indexOf(c) >= 0) {
        b.append(c);
      } else {
        b.append(String.format("%%%02X", x & 0xFF));
      }
    }
    return b.toString();
  }
}
