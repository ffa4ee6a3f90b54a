package dev.chainboot.http;

import dev.chainboot.boot.Arch;
import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Machine;
import dev.chainboot.boot.Platform;
import dev.chainboot.store.Store;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import tools.jackson.databind.json.JsonMapper;

/**
 * Read-only JSON: {@code /api/v1/machines} and
 * {@code /api/v1/events?machine=MAC&after=ID&limit=N} (newest {@code limit}, default 100, max
 * 1000, oldest first; with {@code after}, the events after that id).
 */
public final class ApiEndpoints {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private final Store store;

  public ApiEndpoints(Store store) {
    this.store = store;
  }

  public void register(Router router) {
    router.exact("/api/v1/machines", json(q -> store.machines().stream()
        .map(ApiEndpoints::machine).toList()));
    router.exact("/api/v1/events", json(q -> {
      Optional<MacAddress> mac = Optional.empty();
      String m = q.getValue("machine");
      if (m != null) {
        mac = MacAddress.parse(m);
        if (mac.isEmpty()) {
          throw new IllegalArgumentException("invalid machine MAC");
        }
      }
      int limit = Math.min(1000, Math.max(1, intParam(q, "limit", 100)));
      String after = q.getValue("after");
      List<BootEvent> list = after == null ? store.recentEvents(mac, limit)
          : store.events(mac, intParam(q, "after", 0), limit);
      return list.stream().map(ApiEndpoints::event).toList();
    }));
  }

  private static int intParam(Fields q, String name, int dflt) {
    String v = q.getValue(name);
    if (v == null) {
      return dflt;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a number");
    }
  }

  private static Handler json(java.util.function.Function<Fields, Object> body) {
    return new Handler.Abstract() {
      @Override
      public boolean handle(Request req, Response resp, Callback cb) {
        int status = 200;
        Object value;
        try {
          value = body.apply(Request.extractQueryParameters(req));
        } catch (IllegalArgumentException e) {
          status = 400;
          value = Map.of("error", e.getMessage());
        }
        byte[] bytes = JSON.writeValueAsString(value).getBytes(StandardCharsets.UTF_8);
        resp.setStatus(status);
        resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        resp.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        resp.write(true, ByteBuffer.wrap(bytes), cb);
        return true;
      }
    };
  }

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

  public static Map<String, Object> event(BootEvent e) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("id", e.id());
    o.put("time", e.time().toString());
    o.put("mac", e.mac().map(MacAddress::colon).orElse(null));
    o.put("client_ip", e.clientIp());
    o.put("match", e.match().name().toLowerCase(java.util.Locale.ROOT));
    o.put("reason", e.reason());
    o.put("profile", e.profile().orElse(null));
    o.put("protocol", e.protocol());
    o.put("once_consumed", e.onceConsumed());
    return o;
  }
}
