/**
 * Configuration: what {@code serve} runs with ({@link dev.chainboot.config.ServerConfig}), the
 * optional configuration file ({@link dev.chainboot.config.ConfigFile}) and address parsing. May
 * import: {@code firmware}, {@code ipxe}.
 */
package dev.chainboot.config;
