/**
 * The iPXE script language, owned in one place: what may enter a script ({@link
 * dev.chainboot.ipxe.IpxeSafe}: escaping, URL, host and command-line validation), how scripts are
 * built ({@link dev.chainboot.ipxe.IpxeScript}, one retry loop) and the chain into chainboot
 * ({@link dev.chainboot.ipxe.ChainScripts}: {@code /boot.ipxe}, the identity query, the chain
 * scripts). A pure utility: imports only {@code text}.
 */
package dev.chainboot.ipxe;
