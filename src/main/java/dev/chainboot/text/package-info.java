/**
 * Text from outside made safe for logs and messages ({@link dev.chainboot.text.Printable}). A pure
 * utility: imports nothing of chainboot.
 */
package dev.chainboot.text;
