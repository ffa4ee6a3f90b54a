package dev.chainboot.dhcp;

/**
 * A datagram that is not a well-formed DHCP/BOOTP message (truncated, bad lengths, an option
 * running past the end, ...). The only exception {@link DhcpCodec#parse} throws.
 */
public final class MalformedPacketException extends Exception {
  public MalformedPacketException(String message) {
    super(message);
  }
}
