/**
 * The catalogue of boot binaries (iPXE, syslinux) from the pinned Debian packages embedded in the
 * jar or an operator's directory. May import nothing of chainboot.
 */
package dev.chainboot.firmware;
