/**
 * The control plane: everything an operator can do ({@link dev.chainboot.api.Control}), once, with
 * its rules ({@link dev.chainboot.api.LocalControl}: validation, pre-provisioning, optimistic
 * concurrency), and how chainboot's objects look as JSON ({@link dev.chainboot.api.JsonViews}) for
 * both the HTTP API and the CLI (local or remote, {@code --json}). Errors are {@link
 * dev.chainboot.api.ApiException}s carrying their HTTP status and the field at fault.
 *
 * <p>May import: {@code boot}, {@code store}, {@code auth}, {@code compat}, {@code media}, {@code
 * firmware}, {@code ipxe}, {@code text}. Never {@code http}, {@code server}, {@code cli} or Jetty.
 */
package dev.chainboot.api;
