/**
 * Zero-OS bootstrap: its URL grammar, the script it boots, its image URLs as boot media, its
 * provisioning database (read with JDBC) and import. May import: {@code boot}, {@code compat},
 * {@code media}, {@code ipxe}, {@code text}, {@code fs}.
 */
package dev.chainboot.compat.zeroos;
