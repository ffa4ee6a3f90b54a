/**
 * Prometheus metrics through Micrometer: the boot timeline's events counted ({@link
 * dev.chainboot.metrics.Metrics#observe}), store operations timed, gauges read from the transports.
 * Every meter has a description (promtool checks). Imports {@code boot} and {@code store}; the
 * assembly ({@code server}) wires it, HTTP serves it.
 */
package dev.chainboot.metrics;
