package dev.chainboot.http;

import dev.chainboot.api.JsonViews;
import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.store.Store;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * Read-only JSON: {@code /api/v1/machines} and {@code /api/v1/events?machine=MAC&after=ID&limit=N}
 * (newest {@code limit}, default 100, max 1000, oldest first; with {@code after}, the events after
 * that id).
 */
final class ApiEndpoints {

  private final Store store;

  ApiEndpoints(Store store) {
    this.store = store;
  }

  Handler machines() {
    return json(q -> store.machines().stream().map(JsonViews::machine).toList());
  }

  Handler events() {
    return json(
        q -> {
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
          List<BootEvent> list =
              after == null
                  ? store.recentEvents(mac, limit)
                  : store.events(mac, intParam(q, "after", 0), limit);
          return list.stream().map(JsonViews::event).toList();
        });
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

  private static Handler json(Function<Fields, Object> body) {
    return new Handler.Abstract() {
      @Override
      public boolean handle(Request req, Response resp, Callback cb) {
        try {
          return Responses.json(req, resp, cb, 200, body.apply(Requests.query(req)));
        } catch (IllegalArgumentException e) {
          return Responses.json(req, resp, cb, 400, Map.of("error", e.getMessage()));
        }
      }
    };
  }
}
