package dev.chainboot.config;

import dev.chainboot.firmware.BootBinary;

/**
 * Settings of the proxyDHCP responder ({@code serve --proxy-dhcp}).
 *
 * @param x86_64Efi the binary offered to x86_64 UEFI clients (option 93 = 7 or 9)
 */
public record ProxyDhcpConfig(BootBinary x86_64Efi) {

  public static ProxyDhcpConfig defaults() {
    return new ProxyDhcpConfig(BootBinary.SNPONLY_X86_64_EFI);
  }
}
