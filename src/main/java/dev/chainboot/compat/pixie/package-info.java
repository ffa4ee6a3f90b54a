/**
 * pixie: its scripts directory ({@code <mac>.ipxe}) as static assignments, and its import. May
 * import: {@code boot}, {@code compat}, {@code fs}.
 */
package dev.chainboot.compat.pixie;
