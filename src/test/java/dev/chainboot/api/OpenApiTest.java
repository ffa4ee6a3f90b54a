package dev.chainboot.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import dev.chainboot.auth.Role;
import dev.chainboot.testing.AdminServer;
import dev.chainboot.testing.Curl;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The OpenAPI document served at {@code /api/v1/openapi.json} is a valid OpenAPI 3 document
 * (swagger-parser) and true: every operation in it is exercised against a live server, and every
 * request and answer (successes and errors) passes Atlassian's OpenAPI validator against it; every
 * route of the admin listener under {@code /api/v1/} is in it.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class OpenApiTest {

  @TempDir Path data;

  record Exchange(
      String method,
      String path,
      String query,
      String requestType,
      String requestBody,
      int status,
      String contentType,
      byte[] body,
      Map<String, List<String>> headers) {}

  final List<Exchange> exchanges = new ArrayList<>();
  AdminServer s;

  Exchange call(Role role, String method, String pathAndQuery, String body, String... headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(s.adminBase() + pathAndQuery))
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + s.token(role));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    String type = "application/json";
    for (int i = 0; i + 1 < headers.length; i += 2) {
      if (headers[i].equalsIgnoreCase("Content-Type")) {
        type = headers[i + 1];
      }
    }
    if (body != null && type.equals("application/json")) {
      b.header("Content-Type", type);
    }
    HttpResponse<byte[]> r = s.client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    int q = pathAndQuery.indexOf('?');
    Exchange e =
        new Exchange(
            method,
            q < 0 ? pathAndQuery : pathAndQuery.substring(0, q),
            q < 0 ? null : pathAndQuery.substring(q + 1),
            type,
            body,
            r.statusCode(),
            r.headers().firstValue("Content-Type").orElse(null),
            r.body(),
            r.headers().map());
    exchanges.add(e);
    return e;
  }

  static JsonNode json(Exchange e) {
    return Json.parse(new String(e.body(), StandardCharsets.UTF_8));
  }

  static String document() {
    return new String(OpenApiDocument.json(), StandardCharsets.UTF_8);
  }

  @Test
  void theDocumentIsValidOpenApi3() {
    ParseOptions o = new ParseOptions();
    o.setResolve(true);
    SwaggerParseResult r = new OpenAPIV3Parser().readContents(document(), null, o);
    assertThat(r.getMessages()).isEmpty();
    assertThat(r.getOpenAPI()).isNotNull();
    assertThat(r.getOpenAPI().getPaths()).containsKey("/api/v1/machines");
  }

  @Test
  void everyOperationAnswersAsTheDocumentSays() throws Exception {
    try (AdminServer server = new AdminServer(data)) {
      s = server;
      Role op = Role.OPERATOR;
      String mac = "52:54:00:20:00:01";
      call(Role.VIEWER, "GET", "/api/v1/openapi.json", null);
      call(Role.VIEWER, "GET", "/api/v1/whoami", null);
      call(
          op,
          "PUT",
          "/api/v1/profiles/oa-k",
          """
          {"kind":"kernel","kernel":"http://10.0.0.1/vmlinuz","initrds":["http://10.0.0.1/i"],
           "cmdline":"console=ttyS0"}""");
      call(op, "POST", "/api/v1/profiles", "{\"name\":\"oa-disk\",\"kind\":\"local-disk\"}");
      call(op, "POST", "/api/v1/profiles", "{\"name\":\"oa-disk\",\"kind\":\"local-disk\"}");
      call(
          op,
          "PUT",
          "/api/v1/profiles/oa-m",
          "{\"kind\":\"menu\",\"menu\":[\"oa-k\",\"oa-disk\"]}");
      call(
          op,
          "POST",
          "/api/v1/profiles",
          "{\"name\":\"x\",\"kind\":\"chain\",\"chain\":\"file:///x\"}");
      call(Role.VIEWER, "GET", "/api/v1/profiles", null);
      Exchange p = call(Role.VIEWER, "GET", "/api/v1/profiles/oa-k", null);
      call(
          op,
          "PUT",
          "/api/v1/profiles/oa-k",
          """
          {"kind":"chain","chain":"http://10.0.0.1/x.ipxe"}""",
          "If-Match",
          "\"stale\"");
      call(
          op,
          "PUT",
          "/api/v1/profiles/oa-k",
          """
          {"kind":"kernel","kernel":"http://10.0.0.1/vmlinuz"}""",
          "If-Match",
          p.headers().get("etag").get(0));
      call(Role.VIEWER, "GET", "/api/v1/profiles/nosuch", null);

      call(
          op,
          "POST",
          "/api/v1/machines",
          """
          {"mac":"%s","ip":"10.0.32.1","hostname":"n1","arch":"x86_64","platform":"efi",
           "labels":{"rack":"r1"}}"""
              .formatted(mac));
      call(op, "POST", "/api/v1/machines", "{\"mac\":\"%s\"}".formatted(mac));
      call(op, "POST", "/api/v1/machines", "{\"mac\":\"bad\"}");
      call(Role.VIEWER, "GET", "/api/v1/machines", null);
      Exchange paged =
          call(Role.VIEWER, "GET", "/api/v1/machines?q=52%3A54&limit=1&offset=0", null);
      assertThat(paged.headers().get("x-total-count")).containsExactly("1");
      call(Role.VIEWER, "GET", "/api/v1/machines?limit=0", null);
      Exchange m = call(Role.VIEWER, "GET", "/api/v1/machines/" + mac, null);
      call(Role.VIEWER, "GET", "/api/v1/machines/52:54:00:20:00:99", null);
      call(
          op,
          "PUT",
          "/api/v1/machines/" + mac,
          "{\"hostname\":\"n1b\",\"ip\":\"10.0.32.1\"}",
          "If-Match",
          m.headers().get("etag").get(0));
      call(op, "PUT", "/api/v1/machines/52:54:00:20:00:02", "{\"arch\":\"arm64\"}");
      call(op, "PATCH", "/api/v1/machines/" + mac, "{\"labels\":{\"rack\":null,\"role\":\"db\"}}");
      call(op, "PATCH", "/api/v1/machines/" + mac, "{\"hostname\":\"x\"}", "If-Match", "\"old\"");
      call(op, "PUT", "/api/v1/machines/" + mac + "/assignments/once", "{\"profile\":\"oa-k\"}");
      call(
          op,
          "PUT",
          "/api/v1/machines/" + mac + "/assignments/static",
          "{\"profile\":\"oa-disk\"}");
      call(
          op,
          "PUT",
          "/api/v1/machines/52:54:00:20:00:03/assignments/once",
          "{\"profile\":\"oa-k\"}");
      call(op, "PUT", "/api/v1/machines/" + mac + "/assignments/once", "{\"profile\":\"nosuch\"}");
      call(
          op,
          "PUT",
          "/api/v1/machines/52:54:00:20:00:04/assignments/once",
          "{\"profile\":\"oa-k\",\"until_done\":true,\"max_boots\":2}");
      call(Role.VIEWER, "GET", "/api/v1/machines/52:54:00:20:00:04", null);
      call(
          op,
          "PUT",
          "/api/v1/machines/52:54:00:20:00:04/assignments/static",
          "{\"profile\":\"oa-k\",\"until_done\":true}");
      call(Role.VIEWER, "GET", "/metrics", null);
      call(Role.VIEWER, "GET", "/api/v1/machines/" + mac + "/preview", null);
      call(
          Role.VIEWER,
          "GET",
          "/api/v1/machines/52:54:00:20:00:77/preview?base_url=http%3A%2F%2F10.0.0.1%3A8080",
          null);
      call(Role.VIEWER, "GET", "/api/v1/assignments", null);
      call(op, "DELETE", "/api/v1/machines/52:54:00:20:00:03/assignments?profile=oa-k", null);
      call(op, "DELETE", "/api/v1/machines/52:54:00:20:00:02", null);
      call(op, "DELETE", "/api/v1/machines/52:54:00:20:00:02", null);

      Exchange d = call(Role.VIEWER, "GET", "/api/v1/default", null);
      call(
          op,
          "PUT",
          "/api/v1/default",
          "{\"profile\":\"oa-m\"}",
          "If-Match",
          d.headers().get("etag").get(0));
      call(op, "PUT", "/api/v1/default", "{\"profile\":\"nosuch\"}");
      call(op, "DELETE", "/api/v1/profiles/oa-m", null);
      call(op, "DELETE", "/api/v1/default", null);
      call(op, "DELETE", "/api/v1/profiles/oa-m", null);

      call(
          op,
          "POST",
          "/api/v1/groups",
          "{\"name\":\"oa-g\",\"profile\":\"oa-k\",\"arch\":\"x86_64\"}");
      call(
          op,
          "PUT",
          "/api/v1/groups/oa-g2",
          "{\"profile\":\"oa-k\",\"labels\":{\"role\":\"db\"},\"mac_prefix\":\"52:54\"}");
      call(op, "PUT", "/api/v1/groups/oa-g3", "{\"profile\":\"oa-k\",\"mac_prefix\":\"xyz\"}");
      call(Role.VIEWER, "GET", "/api/v1/groups", null);
      call(Role.VIEWER, "GET", "/api/v1/groups/oa-g", null);
      call(op, "DELETE", "/api/v1/groups/oa-g", null);
      call(Role.VIEWER, "GET", "/api/v1/groups/oa-g", null);

      Curl.run(s.bootBase() + "/boot.ipxe?mac=" + mac);
      Curl.run(s.bootBase() + "/boot.ipxe?mac=" + mac);
      s.server.events().flush();
      Exchange ev = call(Role.VIEWER, "GET", "/api/v1/events?machine=" + mac + "&limit=1", null);
      call(Role.VIEWER, "GET", json(ev).get("previous").stringValue(), null);
      call(
          Role.VIEWER,
          "GET",
          "/api/v1/events?match=once&profile=oa-k&since=2020-01-01T00:00:00Z&until=2999-01-01T00:00:00Z",
          null);
      call(Role.VIEWER, "GET", "/api/v1/events?limit=5000", null);

      Exchange built =
          call(
              op,
              "POST",
              "/api/v1/media",
              "{\"format\":\"esp\",\"url\":\"http://10.0.0.1/boot.ipxe\"}");
      call(Role.VIEWER, "GET", json(built).get("href").stringValue(), null);
      call(
          op,
          "POST",
          "/api/v1/media",
          "{\"format\":\"iso\",\"script\":\"#!ipxe\\nshell\\n\",\"arch\":\"x86_64\",\"label\":\"OA\"}");
      call(op, "POST", "/api/v1/media", "{\"format\":\"iso\"}");
      call(Role.VIEWER, "GET", "/api/v1/media/nosuch.iso", null);

      call(
          op,
          "POST",
          "/api/v1/imports/pixie?dry_run=true",
          """
          {"scripts":[{"mac":"52:54:00:20:00:04","file":"52-54-00-20-00-04.ipxe","content":"#!ipxe\\n"}],"skipped":[]}""");
      call(
          op,
          "POST",
          "/api/v1/imports/pxesrv",
          """
          {"default":{"path":"default","content":"#!ipxe\\necho d\\n"},"static":[{"ip":"10.0.32.1","path":"s","content":"#!ipxe\\n"}],"once":[],"skipped":[]}""");
      call(
          op,
          "POST",
          "/api/v1/imports/zeroos",
          "{\"clients\":[{\"client\":\"52:54:00:20:00:05\",\"branch\":\"prod\"}]}");
      call(op, "POST", "/api/v1/imports/zeroos", "{\"clients\":[{}]}");

      String bin = "application/octet-stream";
      String k1 = "zero-os-oa-amd64.efi";
      String k2 = "zero-os-oa2-amd64.efi";
      call(Role.VIEWER, "GET", "/api/v1/zeroos/kernels", null);
      call(op, "PUT", "/api/v1/zeroos/kernels/" + k1, "MZ kernel 1", "Content-Type", bin);
      call(op, "PUT", "/api/v1/zeroos/kernels/" + k1, "MZ kernel 1", "Content-Type", bin);
      call(op, "PUT", "/api/v1/zeroos/kernels/.hidden.efi", "MZ", "Content-Type", bin);
      call(Role.VIEWER, "PUT", "/api/v1/zeroos/kernels/" + k2, "MZ", "Content-Type", bin);
      call(Role.VIEWER, "GET", "/api/v1/zeroos/kernels/" + k1, null);
      call(Role.VIEWER, "GET", "/api/v1/zeroos/kernels/nosuch.efi", null);
      call(op, "POST", "/api/kernel?name=" + k2, "MZ kernel 2", "Content-Type", bin);
      call(op, "POST", "/api/kernel", "MZ kernel 3", "Content-Type", bin);
      call(Role.VIEWER, "GET", "/api/kernel", null);
      call(Role.VIEWER, "GET", "/api/v1/zeroos/runmodes", null);
      call(op, "PUT", "/api/v1/zeroos/runmodes/prod", "{\"kernel\":\"" + k1 + "\"}");
      call(op, "PUT", "/api/v1/zeroos/runmodes/nosuch", "{\"kernel\":\"" + k1 + "\"}");
      call(op, "PUT", "/api/v1/zeroos/runmodes/prod", "{\"kernel\":\"../x.efi\"}");
      call(op, "PUT", "/api/v1/zeroos/runmodes/prod", "{\"kernel\":\"nosuch.efi\"}");
      call(Role.VIEWER, "GET", "/api/v1/zeroos/runmodes/prod", null);
      call(Role.VIEWER, "GET", "/api/v1/zeroos/runmodes/nosuch", null);
      call(op, "POST", "/api/symlink?runmode=test&kernel=" + k2, null);
      call(op, "POST", "/api/symlink", "{\"runmode\":\"dev\",\"kernel\":\"" + k1 + "\"}");
      call(op, "POST", "/api/symlink", "{\"runmode\":\"dev\"}");
      call(Role.VIEWER, "GET", "/api/symlink", null);
      call(op, "DELETE", "/api/v1/zeroos/kernels/" + k1, null);
      call(op, "POST", "/api/symlink?runmode=test&kernel=" + k1, null);
      call(op, "DELETE", "/api/v1/zeroos/kernels/" + k2, null);
      call(op, "DELETE", "/api/v1/zeroos/kernels/" + k2, null);

      call(Role.ADMIN, "POST", "/api/v1/tokens", "{\"name\":\"oa-t\",\"role\":\"viewer\"}");
      call(Role.ADMIN, "POST", "/api/v1/tokens", "{\"name\":\"oa-t\",\"role\":\"viewer\"}");
      call(Role.ADMIN, "GET", "/api/v1/tokens", null);
      call(Role.ADMIN, "DELETE", "/api/v1/tokens/oa-t", null);
      call(Role.ADMIN, "DELETE", "/api/v1/tokens/oa-t", null);
      call(Role.VIEWER, "GET", "/api/v1/tokens", null);
      call(Role.VIEWER, "DELETE", "/api/v1/machines/" + mac, null);
      call(op, "DELETE", "/api/v1/machines/" + mac, null);

      OpenApiInteractionValidator validator =
          OpenApiInteractionValidator.createForInlineApiSpecification(document()).build();
      List<String> problems = new ArrayList<>();
      for (Exchange e : exchanges) {
        // A request the server refused as bad input may break the document's request schema
        // too (that is why it was refused): only its answer is checked then.
        ValidationReport r =
            e.status() == 400
                ? validator.validateResponse(
                    e.path(),
                    com.atlassian.oai.validator.model.Request.Method.valueOf(e.method()),
                    response(e))
                : validator.validate(request(e), response(e));
        for (ValidationReport.Message msg : r.getMessages()) {
          if (msg.getLevel() == ValidationReport.Level.ERROR) {
            problems.add(
                e.method()
                    + " "
                    + e.path()
                    + " -> "
                    + e.status()
                    + ": "
                    + msg.getKey()
                    + " "
                    + msg.getMessage());
          }
        }
      }
      assertThat(problems).isEmpty();

      // Every documented operation was exercised with a success, and answered no 5xx.
      JsonNode paths = OpenApiDocument.tree().get("paths");
      Set<String> untested = new TreeSet<>();
      for (Map.Entry<String, JsonNode> path : paths.properties()) {
        for (String method : path.getValue().propertyNames()) {
          if (method.equals("parameters")) {
            continue;
          }
          String verb = method.toUpperCase(Locale.ROOT);
          boolean ok =
              exchanges.stream()
                  .anyMatch(
                      e ->
                          e.method().equals(verb)
                              && matches(path.getKey(), e.path())
                              && e.status() < 300);
          if (!ok) {
            untested.add(verb + " " + path.getKey());
          }
        }
      }
      assertThat(untested).as("operations never answered with a success").isEmpty();
      assertThat(exchanges).noneMatch(e -> e.status() >= 500);
      assertThat(exchanges.stream().map(Exchange::status).distinct())
          .contains(200, 201, 204, 400, 403, 404, 409, 412);

      // Every route of the admin listener under /api/v1/ is documented.
      for (String route : s.server.adminRouter().routes()) {
        if (!route.startsWith("/api/v1/")) {
          continue;
        }
        assertThat(
                paths.propertyNames().stream()
                    .anyMatch(
                        doc -> route.endsWith("/") ? doc.startsWith(route) : doc.equals(route)))
            .as("route %s is in the OpenAPI document", route)
            .isTrue();
      }
    }
  }

  static boolean matches(String template, String path) {
    String regex = template.replaceAll("\\{[^/]+}", "[^/]+");
    return URLDecoder.decode(path, StandardCharsets.UTF_8).matches(regex);
  }

  static SimpleRequest request(Exchange e) {
    SimpleRequest.Builder b =
        new SimpleRequest.Builder(e.method(), e.path()).withAuthorization("Bearer x");
    if (e.query() != null) {
      for (String kv : e.query().split("&")) {
        int i = kv.indexOf('=');
        b.withQueryParam(
            URLDecoder.decode(kv.substring(0, i), StandardCharsets.UTF_8),
            URLDecoder.decode(kv.substring(i + 1), StandardCharsets.UTF_8));
      }
    }
    if (e.requestBody() != null) {
      b.withContentType(e.requestType()).withBody(e.requestBody());
    }
    return b.build();
  }

  static SimpleResponse response(Exchange e) {
    SimpleResponse.Builder b = new SimpleResponse.Builder(e.status());
    if (e.contentType() != null) {
      b.withContentType(e.contentType());
      if (e.contentType().startsWith("application/json")) {
        b.withBody(new String(e.body(), StandardCharsets.UTF_8));
      } else {
        b.withBody(e.body());
      }
    }
    e.headers().forEach((k, v) -> b.withHeader(k, v));
    return b.build();
  }
}
