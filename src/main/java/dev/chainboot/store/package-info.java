/**
 * Storage: {@link dev.chainboot.store.Store} (the core's {@link dev.chainboot.boot.BootStore} port
 * plus management and events) and its implementation on SQLite, with the per-machine boot-view
 * cache kept coherent across processes and the background event writer. Every implementation passes
 * the store contract tests. May import: {@code boot}, JDBC libraries.
 */
package dev.chainboot.store;
