package dev.chainboot.boot;

import java.util.Map;
import java.util.Optional;

/**
 * The port through which transports record what they see of a machine's boot besides the decision
 * itself: proxyDHCP answers, TFTP transfers, downloads, media, installer callbacks. The transports
 * ({@code dhcp}, {@code tftp}, {@code http}) call it and never see where the stages go; the server
 * wires it to the store's event writer and to the metrics. Calls must be cheap: they are made on
 * the boot path (implementations queue, they do not write).
 */
public interface BootTimeline {

  /**
   * Records one stage of a machine's boot.
   *
   * @param stage which stage
   * @param mac the machine, when the transport knows it (DHCP); otherwise it is found by {@code
   *     clientIp} (the address the machine was last seen at)
   * @param clientIp the client's address as the transport saw it
   * @param protocol the transport ({@code dhcp}, {@code tftp}, {@code http})
   * @param summary one line in words, e.g. {@code "snponly.efi 1.1 MB in 830 ms: ok"}
   * @param detail measurements by name (file, bytes, duration_ms, ...), in display order
   */
  void record(
      BootEvent.Stage stage,
      Optional<MacAddress> mac,
      String clientIp,
      String protocol,
      String summary,
      Map<String, String> detail);

  /**
   * A transport learned the address a machine uses (a DHCP REQUEST's requested address), so that
   * later stages that come only with an address (TFTP, downloads) are recorded against it.
   */
  void seen(MacAddress mac, String ip);

  /** Records nothing (a transport started without a boot core, and tests). */
  BootTimeline NONE =
      new BootTimeline() {
        @Override
        public void record(
            BootEvent.Stage stage,
            Optional<MacAddress> mac,
            String clientIp,
            String protocol,
            String summary,
            Map<String, String> detail) {}

        @Override
        public void seen(MacAddress mac, String ip) {}
      };
}
