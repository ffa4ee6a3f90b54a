package dev.chainboot.media;

import java.util.Locale;

/** The boot media chainboot writes. */
public enum MediaFormat {
  /** Hybrid ISO: BIOS and UEFI from a CD, BMC virtual media, or a USB stick after dd. */
  ISO("chainboot.iso", "application/x-iso9660-image"),
  /** dd-able USB disk image: the same hybrid layout (MBR + GPT + ISO9660), boots BIOS and UEFI. */
  IMG("chainboot.img", "application/octet-stream"),
  /** dd-able FAT image (a bare EFI system partition) for UEFI machines: Zero-OS's uefimg. */
  ESP("chainboot.esp", "application/octet-stream");

  private final String defaultFileName;
  private final String contentType;

  MediaFormat(String defaultFileName, String contentType) {
    this.defaultFileName = defaultFileName;
    this.contentType = contentType;
  }

  public String defaultFileName() {
    return defaultFileName;
  }

  public String contentType() {
    return contentType;
  }

  public String extension() {
    return name().toLowerCase(Locale.ROOT);
  }
}
