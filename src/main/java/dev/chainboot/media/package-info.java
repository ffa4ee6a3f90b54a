/**
 * Boot media as pure image writers: ISO9660 with El Torito, FAT, hybrid MBR/GPT, built in memory
 * from the firmware catalogue and a script. No HTTP. May import: {@code boot} (architectures),
 * {@code firmware}, {@code ipxe}.
 */
package dev.chainboot.media;
