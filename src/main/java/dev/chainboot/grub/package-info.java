/**
 * The GRUB configuration language in one place, as {@code ipxe} is for iPXE: {@link
 * dev.chainboot.grub.GrubSafe} decides what may enter a configuration (nothing a client sends can
 * add a GRUB command), {@link dev.chainboot.grub.GrubConfig} builds one.
 *
 * <p>May import: {@code ipxe} (the URL and command-line alphabets), {@code text}.
 */
package dev.chainboot.grub;
