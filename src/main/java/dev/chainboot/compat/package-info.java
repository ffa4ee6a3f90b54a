/**
 * The seed tools (pxe_srv, pixie, Zero-OS bootstrap) translated into the core's terms: their
 * layouts as {@link dev.chainboot.boot.AssignmentSource}s, their URL grammars as requests, their
 * data as imports ({@link dev.chainboot.compat.ImportPlan}). Pure: no HTTP, no precedence rules of
 * its own. May import: {@code boot}, {@code store} (imports), {@code media}, {@code ipxe}, {@code
 * text}, {@code fs}.
 */
package dev.chainboot.compat;
