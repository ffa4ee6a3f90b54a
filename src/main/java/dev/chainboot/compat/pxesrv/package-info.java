/**
 * pxe_srv: its document root ({@code once/<ip>}, {@code static/<ip>}, {@code default}, GRUB files)
 * as assignments keyed by IP, and its import. May import: {@code boot}, {@code compat}, {@code fs}.
 */
package dev.chainboot.compat.pxesrv;
