package dev.chainboot.api;

import dev.chainboot.boot.Arch;
import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.InstallHold;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Machine;
import dev.chainboot.boot.Platform;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How machines and boot events look as JSON, the same for the HTTP API and the CLI's {@code
 * --json}: plain maps in a fixed key order, absent fields as null.
 */
public final class JsonViews {

  private JsonViews() {}

  public static Map<String, Object> machine(Machine m) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("mac", m.mac().colon());
    o.put("ip", m.ip().orElse(null));
    o.put("uuid", m.uuid().orElse(null));
    o.put("serial", m.serial().orElse(null));
    o.put("hostname", m.hostname().orElse(null));
    o.put("arch", m.arch().map(Arch::ipxeName).orElse(null));
    o.put("platform", m.platform().map(Platform::ipxeName).orElse(null));
    o.put("labels", m.labels());
    return o;
  }

  /** An install held until done ({@code boot once --until-done}) and how it went. */
  public static Map<String, Object> install(InstallHold h) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("profile", h.profile());
    o.put("state", h.state().label());
    o.put("boots", h.boots());
    o.put("max_boots", h.maxBoots());
    o.put("updated", h.updated().toString());
    return o;
  }

  public static Map<String, Object> event(BootEvent e) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("id", e.id());
    o.put("time", e.time().toString());
    o.put("mac", e.mac().map(MacAddress::colon).orElse(null));
    o.put("client_ip", e.clientIp());
    o.put("stage", e.stage().label());
    o.put(
        "match",
        e.match() == BootEvent.Match.STAGE ? null : e.match().name().toLowerCase(Locale.ROOT));
    o.put("reason", e.reason());
    o.put("profile", e.profile().orElse(null));
    o.put("protocol", e.protocol());
    o.put("once_consumed", e.onceConsumed());
    o.put("detail", e.detail());
    return o;
  }
}
