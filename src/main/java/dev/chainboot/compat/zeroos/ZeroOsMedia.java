package dev.chainboot.compat.zeroos;

import dev.chainboot.boot.Arch;
import dev.chainboot.ipxe.ChainScripts;
import dev.chainboot.ipxebuild.BuildSpec;
import dev.chainboot.ipxebuild.IpxePlatform;
import dev.chainboot.media.ChainUrl;
import dev.chainboot.media.MediaFormat;
import dev.chainboot.media.MediaScript;
import dev.chainboot.media.MediaSpec;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Zero-OS bootstrap's image URLs, with its grammar ({@link ZeroOsRequest}) after each prefix,
 * translated into chainboot's boot media instead of {@code make EMBED=}: every image carries a
 * script that chains to {@code /ipxe/<same path>} on this server.
 *
 * <ul>
 *   <li>{@code /iso/...} hybrid ISO, {@code /usb/...} USB image, {@code /uefimg/...} FAT image,
 *       built in-process from the unmodified binaries;
 *   <li>{@code /krn/...} an {@code ipxe.lkrn}, {@code /uefi/...} an {@code ipxe.efi} and {@code
 *       /snponly/...} a {@code snponly.efi}, each with the script inside: real iPXE builds ({@code
 *       EMBED=}) from a prepared tree ({@link #build});
 *   <li>{@code /uefi/<path>/} (and {@code /uefi/<path>/ipxe.efi}) the unmodified iPXE EFI binary,
 *       and beside it {@code /uefi/<path>/autoexec.ipxe}: the directory form for boot media that
 *       carry both files.
 * </ul>
 *
 * A runmode without a kernel has no media (404), as in the seed.
 */
public final class ZeroOsMedia {

  private ZeroOsMedia() {}

  /** The image families, each under its own URL prefix. */
  public enum Kind {
    ISO,
    USB,
    UEFIMG,
    UEFI,
    KRN,
    SNPONLY;

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
   * @param file for {@link Kind#UEFI}'s directory form: {@code ipxe.efi} or {@code autoexec.ipxe};
   *     "" for the self-contained binary (the path without a trailing slash) and other kinds
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

  /**
   * The seed's file name for an image of {@code runmode} (its {@code Content-Disposition}): {@code
   * ipxe-prod.iso}, {@code ipxe-prod.img}, {@code uefiusb-prod.img}, {@code ipxe-prod.efi}, {@code
   * ipxe-prod.lkrn}, {@code ipxe-snp-prod.efi}.
   */
  public static String fileName(Kind kind, String runmode) {
    return switch (kind) {
      case ISO -> "ipxe-" + runmode + ".iso";
      case USB -> "ipxe-" + runmode + ".img";
      case UEFIMG -> "uefiusb-" + runmode + ".img";
      case UEFI -> "ipxe-" + runmode + ".efi";
      case KRN -> "ipxe-" + runmode + ".lkrn";
      case SNPONLY -> "ipxe-snp-" + runmode + ".efi";
    };
  }

  /** The seed's file names of the generic images. */
  public static final String KRN_GENERIC_FILE = "ipxe-zero-os-generic.lkrn";

  public static final String UEFI_GENERIC_FILE = "ipxe-zero-os-generic.efi";

  /**
   * The iPXE build for a {@link Kind#KRN}, {@link Kind#UEFI} (self-contained) or {@link
   * Kind#SNPONLY} image whose script chains to {@code chain}: {@code pcbios/ipxe.lkrn}, {@code
   * x86_64-efi/ipxe.efi}, {@code x86_64-efi/snponly.efi}.
   *
   * @param ntp the NTP server synced with before an https chain, if the URL is https
   */
  public static BuildSpec build(Kind kind, ChainUrl chain, String ntp) {
    String script = ChainScripts.mediaChain(chain.value(), "", ntpFor(chain.value(), ntp));
    return switch (kind) {
      case KRN -> BuildSpec.embedding(IpxePlatform.PCBIOS, "ipxe.lkrn", script);
      case UEFI -> BuildSpec.embedding(IpxePlatform.X86_64_EFI, "ipxe.efi", script);
      case SNPONLY -> BuildSpec.embedding(IpxePlatform.X86_64_EFI, "snponly.efi", script);
      default -> throw new IllegalArgumentException(kind + " is not an iPXE build");
    };
  }

  /**
   * A generic image ({@code /krn-generic}: pcbios {@code ipxe.lkrn}; {@code /uefi-generic}: x86_64
   * {@code ipxe.efi}) whose script hands the machine to {@code bootUrl} ({@code /boot.ipxe}) with
   * its identity, where the boot core decides what it boots (an imported provisioning row's
   * profile, for instance: what the seed's {@code /provision/<mac>} answered).
   */
  public static BuildSpec generic(boolean efi, ChainUrl bootUrl, String ntp) {
    String script =
        ChainScripts.mediaChain(
            bootUrl.value(), "?" + ChainScripts.IDENTITY_QUERY, ntpFor(bootUrl.value(), ntp));
    return efi
        ? BuildSpec.embedding(IpxePlatform.X86_64_EFI, "ipxe.efi", script)
        : BuildSpec.embedding(IpxePlatform.PCBIOS, "ipxe.lkrn", script);
  }

  private static Optional<String> ntpFor(String url, String ntp) {
    return url.startsWith("https://") ? Optional.of(ntp) : Optional.empty();
  }

  /** {@code autoexec.ipxe} beside a {@code /uefi/} binary: the media script, as text. */
  public static String autoexec(ChainUrl chain) {
    return new String(MediaScript.chainTo(chain), StandardCharsets.US_ASCII);
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
