package dev.chainboot.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The HTTPS listener ({@code serve --https ADDR:PORT}): where it listens and the PEM files it
 * serves with. Without {@code --tls-cert}/{@code --tls-key} it uses the private CA's files that
 * {@code chainboot ca init} keeps in {@code DATA/tls/}.
 *
 * @param bind where it listens
 * @param cert the server certificate, followed by its CA certificate(s)
 * @param key the server's private key (unencrypted PEM)
 * @param ca the CA certificate firmware is told to trust (DHCP option 175.90); empty: the last
 *     certificate of {@code cert} when it is a CA
 */
public record HttpsConfig(InetSocketAddress bind, Path cert, Path key, Optional<Path> ca) {}
