/**
 * Assembles one process: the store, the boot core, the event writer, and the transports (HTTP with
 * its routes, TFTP, proxyDHCP) from a {@link dev.chainboot.config.ServerConfig}. May import
 * everything but {@code cli}.
 */
package dev.chainboot.server;
