/**
 * The {@code chainboot} command line (picocli): {@code serve} and the commands that drive the
 * store, media and DHCP configuration. May import anything; nothing imports it.
 */
package dev.chainboot.cli;
