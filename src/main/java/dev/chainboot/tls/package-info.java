/**
 * TLS material for the HTTPS listener in pure Java: PEM files in and out ({@link
 * dev.chainboot.tls.Pem}), a private RSA certificate authority ({@link
 * dev.chainboot.tls.CertificateAuthority}, kept by {@code chainboot ca} in {@code DATA/tls/}:
 * {@link dev.chainboot.tls.CaFiles}), and what the listener serves with and firmware is told to
 * trust ({@link dev.chainboot.tls.TlsMaterial}).
 *
 * <p>May import: {@code text}. A pure library: no transport, store, Jetty or JDBC.
 */
package dev.chainboot.tls;
