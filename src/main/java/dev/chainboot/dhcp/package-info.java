/**
 * DHCP: the codec (pure, golden-tested against captured packets), the architecture-to-binary
 * choice, the proxyDHCP answerer (one decision per packet) and its UDP transport, and the
 * configuration generator for ISC dhcpd, dnsmasq and Kea. May import: {@code boot}, {@code
 * firmware}, {@code ipxe}, {@code text}.
 */
package dev.chainboot.dhcp;
