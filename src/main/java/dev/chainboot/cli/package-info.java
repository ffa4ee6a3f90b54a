/**
 * The {@code chainboot} command line (picocli): {@code serve} and the commands that drive the
 * control plane, media and DHCP configuration. Each control command runs against {@link
 * dev.chainboot.api.Control}: the data directory's store ({@code --data}) or a remote server's API
 * ({@code --server URL --token T}, {@link dev.chainboot.cli.RemoteControl}), with the same output.
 * May import anything; nothing imports it.
 */
package dev.chainboot.cli;
