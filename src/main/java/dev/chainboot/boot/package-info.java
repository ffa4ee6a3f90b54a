/**
 * The boot core: the one policy for what a machine boots. Transports hand it a {@link
 * dev.chainboot.boot.BootRequest}; {@link dev.chainboot.boot.BootCore} identifies the machine,
 * decides once &gt; static &gt; group &gt; default, consumes a once-assignment exactly once,
 * renders the iPXE script ({@link dev.chainboot.boot.ScriptRenderer}) and records a {@link
 * dev.chainboot.boot.BootEvent}. Seed layouts come in as {@link
 * dev.chainboot.boot.AssignmentSource}s, decided by {@link dev.chainboot.boot.LayeredResolver}. The
 * domain types (machines, profiles, groups, assignments, events) live here, and so does the port
 * the core reads and writes through ({@link dev.chainboot.boot.BootStore}).
 *
 * <p>May import: {@code ipxe}, {@code text}, {@code fs} (pure utilities), SLF4J, JMustache. Never a
 * transport, a store implementation, Jetty or JDBC (checked by LayeringTest).
 */
package dev.chainboot.boot;
