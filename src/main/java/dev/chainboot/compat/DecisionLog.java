package dev.chainboot.compat;

import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.MacAddress;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;
import org.eclipse.jetty.server.Request;

/**
 * Records the decisions a compat adapter takes from its own files (a pxe_srv once/static/default
 * file, a pixie script, a Zero-OS runmode script) as {@link BootEvent}s, so {@code chainboot
 * events} shows every boot, not only those the boot core decided (the core records its own).
 */
public final class DecisionLog {

  private final Consumer<BootEvent> sink;

  /** @param sink where events go (the server's event writer), or null to drop them */
  public DecisionLog(Consumer<BootEvent> sink) {
    this.sink = sink == null ? e -> { } : sink;
  }

  /**
   * @param protocol the adapter: {@code pxesrv}, {@code pixie}, {@code zeroos}
   * @param reason what was served, in words
   */
  public void record(Request request, Optional<MacAddress> mac, BootEvent.Match match, String reason,
      String protocol, boolean onceConsumed) {
    sink.accept(new BootEvent(0, Instant.now(), mac, CoreDecision.clientIp(request).getHostAddress(),
        match, reason, Optional.empty(), protocol, onceConsumed));
  }
}
