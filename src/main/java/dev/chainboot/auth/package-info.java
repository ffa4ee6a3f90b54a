/**
 * Who may drive chainboot: API tokens with a {@link dev.chainboot.auth.Role} (stored hashed,
 * revocable, through the port {@link dev.chainboot.auth.TokenStore}), the {@link
 * dev.chainboot.auth.Principal} a request acts as, UI {@link dev.chainboot.auth.Sessions} with
 * their CSRF tokens, and the {@link dev.chainboot.auth.LoginThrottle}. Pure Java: the HTTP side
 * ({@code http.Guard}) applies it to requests.
 *
 * <p>May import: {@code text}. Never Jetty, JDBC or a store implementation.
 */
package dev.chainboot.auth;
