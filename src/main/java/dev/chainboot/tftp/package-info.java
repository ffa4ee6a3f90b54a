/**
 * The TFTP transport (RFC 1350, 2347-2349, 7440): codec (pure), transfers on selector threads,
 * read-only file sources. May import: {@code fs}, {@code text}.
 */
package dev.chainboot.tftp;
