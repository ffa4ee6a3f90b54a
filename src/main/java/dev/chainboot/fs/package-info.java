/**
 * File-system safety: {@link dev.chainboot.fs.SafePath} resolves a client's path inside a root or
 * refuses it. A pure utility: imports nothing of chainboot.
 */
package dev.chainboot.fs;
