/**
 * iPXE builds from a source tree the operator supplies ({@code chainboot ipxe prepare}): one warm
 * tree per platform under {@code DATA/ipxe/trees/}, variants with an embedded script ({@code
 * EMBED=}) and trusted certificates ({@code TRUST=}, {@code CERT=}) relinked in seconds, cached by
 * a content hash of their inputs, one build per tree at a time, bounded in time, queue and cache
 * size. Runs {@code make}; no HTTP, no store. Imports only the pure utilities {@code text} and
 * {@code fs}.
 */
package dev.chainboot.ipxebuild;
