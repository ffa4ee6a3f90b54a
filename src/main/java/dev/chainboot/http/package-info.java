/**
 * The HTTP transport (Jetty 12 core handlers): {@link dev.chainboot.http.Routes} is the one place
 * that maps URLs to endpoints; endpoints parse the request ({@link dev.chainboot.http.Requests}),
 * ask the core or a pure library, and answer through {@link dev.chainboot.http.Responses} after
 * {@link dev.chainboot.http.Methods}' check. Two listeners: the boot listener (what firmware uses,
 * no authentication) and the admin listener (the REST API and UI sessions, every route wrapped by
 * {@link dev.chainboot.http.Guard}, every answer with {@link dev.chainboot.http.SecurityHeaders}).
 * The only package besides {@code server} that may import Jetty. May import every package but
 * {@code server} and {@code cli}.
 */
package dev.chainboot.http;
