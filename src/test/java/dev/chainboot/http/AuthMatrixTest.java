package dev.chainboot.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.api.OpenApiDocument;
import dev.chainboot.auth.Role;
import dev.chainboot.testing.AdminServer;
import dev.chainboot.testing.AdminServer.Answer;
import dev.chainboot.testing.Curl;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The auth matrix, role x route: every operation of the OpenAPI document, with no token, a made-up
 * token, a revoked token and each role, against a live server. The least role an operation needs is
 * the document's {@code x-chainboot-role}; below it 403, without a valid token 401, from it on the
 * operation runs. Then: nothing else on the admin listener answers without authentication, and
 * everything firmware uses on the boot listener answers without it.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AuthMatrixTest {

  @TempDir static Path data;
  static AdminServer s;
  static String revoked;

  @BeforeAll
  static void start() throws Exception {
    s = new AdminServer(data);
    revoked = s.server.guard().tokens().create("gone", Role.ADMIN).secret();
    assertThat(s.server.guard().tokens().revoke("gone")).isTrue();
    s.admin("PUT", "/api/v1/profiles/mx", "{\"kind\":\"local-disk\"}");
    s.admin("PUT", "/api/v1/groups/mx", "{\"profile\":\"mx\"}");
    s.admin("PUT", "/api/v1/machines/52:54:00:30:00:01", "{}");
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  /** A path of the document with its parameters filled in with things that exist. */
  static String concrete(String template) {
    return template
        .replace("{id}", template.startsWith("/api/v1/media/") ? "0.iso" : "52:54:00:30:00:01")
        .replace("{kind}", "static")
        .replace("{file}", "zero-os-mx-amd64.efi")
        .replace("{runmode}", "prod")
        .replace("{name}", template.startsWith("/api/v1/tokens/") ? "nosuch" : "mx");
  }

  record Op(String method, String path, Role role) {}

  static List<Op> operations() {
    List<Op> ops = new ArrayList<>();
    for (Map.Entry<String, JsonNode> p : OpenApiDocument.tree().get("paths").properties()) {
      for (Map.Entry<String, JsonNode> m : p.getValue().properties()) {
        if (m.getKey().equals("parameters")) {
          continue;
        }
        JsonNode role = m.getValue().get("x-chainboot-role");
        assertThat(role).as("x-chainboot-role of %s %s", m.getKey(), p.getKey()).isNotNull();
        ops.add(
            new Op(
                m.getKey().toUpperCase(Locale.ROOT),
                p.getKey(),
                Role.parse(role.stringValue()).orElseThrow()));
      }
    }
    return ops;
  }

  @Test
  void everyOperationNeedsItsRoleAndNothingLess() throws Exception {
    List<Op> ops = operations();
    assertThat(ops).hasSizeGreaterThan(30);
    List<String> wrong = new ArrayList<>();
    for (Op op : ops) {
      s.server.guard().throttle().reset(); // this test fails on purpose more often than allowed
      String path = concrete(op.path());
      String body = op.method().equals("GET") || op.method().equals("DELETE") ? null : "{}";
      expect(wrong, op, "no token", s.call(op.method(), path, null, body), 401);
      expect(wrong, op, "made-up token", s.call(op.method(), path, "cbt_madeup", body), 401);
      expect(wrong, op, "revoked token", s.call(op.method(), path, revoked, body), 401);
      expect(
          wrong,
          op,
          "not a bearer",
          s.call(op.method(), path, null, body, "Authorization", "Basic YTpi"),
          401);
      for (Role r : Role.values()) {
        Answer a = s.call(op.method(), path, s.token(r), body);
        if (r.allows(op.role())) {
          if (a.status() == 401 || a.status() == 403 || a.status() == 405) {
            wrong.add(op + " as " + r + ": " + a.status() + " " + a.body());
          }
          if (a.status() == 404 && a.body().contains("not found: /api/")) {
            wrong.add(op + " as " + r + ": not routed");
          }
        } else {
          expect(wrong, op, r.id(), a, 403);
        }
      }
    }
    assertThat(wrong).isEmpty();
  }

  private static void expect(List<String> wrong, Op op, String who, Answer a, int status) {
    if (a.status() != status) {
      wrong.add(op + " with " + who + ": " + a.status() + " (wanted " + status + ")");
    } else if (status == 401 && a.header("WWW-Authenticate").isEmpty()) {
      wrong.add(op + " with " + who + ": 401 without WWW-Authenticate");
    }
  }

  @Test
  void nothingElseOnTheAdminListenerAnswersWithoutAToken() throws Exception {
    List<String> probes =
        new ArrayList<>(
            List.of(
                "/",
                "/anything",
                "/api/",
                "/api/v2/x",
                "/ui/",
                "/metrics",
                "/events",
                "/assets/x",
                "/boot.ipxe",
                "/logout"));
    for (String route : s.server.adminRouter().routes()) {
      probes.add(route.endsWith("/") ? route + "x" : route);
    }
    for (String p : probes) {
      if (p.equals("/health") || p.equals("/login")) {
        continue;
      }
      for (String method : List.of("GET", "POST", "PUT", "DELETE")) {
        s.server.guard().throttle().reset();
        Answer a = s.call(method, p, null, method.equals("GET") ? null : "{}");
        assertThat(a.status()).as(method + " " + p).isEqualTo(401);
      }
    }
    assertThat(s.call("GET", "/health", null, null).status()).isEqualTo(200);
    assertThat(s.call("GET", "/login", null, null).status()).isEqualTo(200);
  }

  @Test
  void whatFirmwareUsesIsOnTheBootListenerWithoutAuthAndTheApiIsNot() throws Exception {
    List<String> routes = s.server.httpRouter().routes();
    assertThat(routes).contains("/boot.ipxe", "/health", "/assets/", "/media/", "/ipxe/");
    for (String route : routes) {
      String p = route.endsWith("/") ? route + "x" : route;
      Curl.Result r =
          Curl.run(s.bootBase() + p + (p.equals("/boot.ipxe") ? "?mac=52:54:00:30:00:01" : ""));
      assertThat(r.status()).as(p).isNotIn(401, 403);
    }
    assertThat(Curl.run(s.bootBase() + "/boot.ipxe?mac=52:54:00:30:00:01").status()).isEqualTo(200);
    assertThat(Curl.run(s.bootBase() + "/health").status()).isEqualTo(200);
    assertThat(Curl.run(s.bootBase() + "/media/mx.iso").status()).isEqualTo(200);
    for (String p : List.of("/api/v1/machines", "/api/v1/tokens", "/login", "/metrics")) {
      assertThat(Curl.run(s.bootBase() + p).status()).as(p).isEqualTo(404);
    }
  }
}
