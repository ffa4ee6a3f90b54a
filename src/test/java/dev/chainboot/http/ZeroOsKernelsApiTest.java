package dev.chainboot.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.auth.Role;
import dev.chainboot.testing.AdminServer;
import dev.chainboot.testing.AdminServer.Answer;
import dev.chainboot.testing.Curl;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Zero-OS runmode kernels over the REST API and Zero-OS bootstrap's {@code /api/kernel} and {@code
 * /api/symlink}, against a live server: uploads land in DATA/kernels, a switch makes {@code
 * net/<runmode>.efi} a link to the kernel and {@code /ipxe/<runmode>} on the boot listener then
 * fetches it; bad names are 400, traversal never leaves the directory, unknown things are 404, a
 * kernel in use is 409, roles are enforced, and every change is an event.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ZeroOsKernelsApiTest {

  @TempDir static Path data;
  static AdminServer s;

  @BeforeAll
  static void start() throws Exception {
    s = new AdminServer(data);
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  static Path kernels() {
    return data.resolve("kernels");
  }

  /** A raw upload (the body is the file). */
  static Answer put(String path, Role role, byte[] body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(s.adminBase() + path))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/octet-stream")
            .method(
                path.startsWith("/api/kernel") ? "POST" : "PUT",
                HttpRequest.BodyPublishers.ofByteArray(body));
    if (role != null) {
      b.header("Authorization", "Bearer " + s.token(role));
    }
    HttpResponse<String> r = s.client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.headers(), r.body());
  }

  static String ipxe(String runmode) throws Exception {
    Curl.Result r = Curl.run(s.bootBase() + "/ipxe/" + runmode);
    return r.status() + " " + new String(r.body(), StandardCharsets.UTF_8);
  }

  @Test
  void uploadSwitchAndBootTheNewKernel() throws Exception {
    byte[] v1 = "MZ zero-os v1".getBytes(StandardCharsets.UTF_8);
    Answer up = put("/api/v1/zeroos/kernels/zero-os-main-amd64.efi", Role.OPERATOR, v1);
    assertThat(up.status()).as(up.body()).isEqualTo(201);
    assertThat(up.json().get("size").asLong()).isEqualTo(v1.length);
    assertThat(up.json().get("sha256").asString())
        .isEqualTo(
            java.util.HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(v1)));
    assertThat(Files.readAllBytes(kernels().resolve("zero-os-main-amd64.efi"))).isEqualTo(v1);
    Answer again = put("/api/v1/zeroos/kernels/zero-os-main-amd64.efi", Role.OPERATOR, v1);
    assertThat(again.status()).isEqualTo(409);

    Answer compat = put("/api/kernel?name=zero-os-next-amd64.efi", Role.OPERATOR, v1);
    assertThat(compat.status()).as(compat.body()).isEqualTo(201);
    try (Stream<Path> files = Files.list(kernels())) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("no temporary file stays")
          .noneMatch(n -> n.startsWith("."));
    }

    Answer sw =
        s.call(
            "PUT",
            "/api/v1/zeroos/runmodes/prod",
            s.token(Role.OPERATOR),
            "{\"kernel\":\"zero-os-main-amd64.efi\"}");
    assertThat(sw.status()).as(sw.body()).isEqualTo(200);
    assertThat(sw.json().get("kernel").asString()).isEqualTo("zero-os-main-amd64.efi");
    assertThat(sw.json().get("link").asBoolean()).isTrue();
    Path link = kernels().resolve("net/prod.efi");
    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(Files.readSymbolicLink(link)).isEqualTo(Path.of("..", "zero-os-main-amd64.efi"));
    assertThat(ipxe("prod"))
        .startsWith("200 ")
        .contains(s.bootBase() + "/kernel/zero-os-main-amd64.efi ");

    // Zero-OS bootstrap's symlink route: query parameters
    Answer viaCompat =
        s.call(
            "POST",
            "/api/symlink?runmode=prod&kernel=zero-os-next-amd64.efi",
            s.token(Role.OPERATOR),
            null);
    assertThat(viaCompat.status()).as(viaCompat.body()).isEqualTo(200);
    assertThat(ipxe("prod")).contains("/kernel/zero-os-next-amd64.efi ");
    assertThat(Curl.run(s.bootBase() + "/kernel/zero-os-next-amd64.efi").body()).isEqualTo(v1);

    // the list shows who boots what
    JsonNode list = s.get("/api/v1/zeroos/kernels", Role.VIEWER).json();
    assertThat(list.toString())
        .contains("\"name\":\"zero-os-next-amd64.efi\"")
        .contains("\"runmodes\":[\"prod\"]");
    JsonNode modes = s.get("/api/symlink", Role.VIEWER).json();
    assertThat(modes.get(0).get("runmode").asString()).isEqualTo("prod");
    assertThat(modes.get(0).get("kernel").asString()).isEqualTo("zero-os-next-amd64.efi");

    // in use: 409; unused: 204
    assertThat(
            s.call(
                    "DELETE",
                    "/api/v1/zeroos/kernels/zero-os-next-amd64.efi",
                    s.token(Role.OPERATOR),
                    null)
                .status())
        .isEqualTo(409);
    assertThat(
            s.call(
                    "DELETE",
                    "/api/v1/zeroos/kernels/zero-os-main-amd64.efi",
                    s.token(Role.OPERATOR),
                    null)
                .status())
        .isEqualTo(204);
    assertThat(kernels().resolve("zero-os-main-amd64.efi")).doesNotExist();

    // every change is an event
    s.server.events().flush();
    JsonNode events = s.get("/api/v1/events?limit=100", Role.VIEWER).json().get("events");
    List<String> kernelEvents =
        java.util.stream.StreamSupport.stream(events.spliterator(), false)
            .filter(e -> e.get("stage").asString().equals("kernel"))
            .map(e -> e.get("detail").get("action").asString())
            .toList();
    assertThat(kernelEvents).containsSubsequence("upload", "upload", "switch", "switch", "delete");
  }

  @Test
  void badNamesAre400AndTraversalNeverLeavesTheDirectory() throws Exception {
    byte[] b = "MZ".getBytes(StandardCharsets.UTF_8);
    for (String bad :
        List.of(".hidden.efi", "..", "a%20b.efi", "x%3By.efi", "%2E%2E", "k%0Aimgexec.efi")) {
      Answer a = put("/api/v1/zeroos/kernels/" + bad, Role.OPERATOR, b);
      assertThat(a.status()).as(bad + ": " + a.body()).isIn(400, 404);
    }
    assertThat(put("/api/kernel?name=..%2F..%2Fescape.efi", Role.OPERATOR, b).status())
        .isEqualTo(400);
    assertThat(put("/api/kernel?name=net%2Fprod.efi", Role.OPERATOR, b).status()).isEqualTo(400);
    Answer encoded = put("/api/v1/zeroos/kernels/..%2F..%2Fescape.efi", Role.OPERATOR, b);
    assertThat(encoded.status()).as(encoded.body()).isIn(400, 404);
    assertThat(data.resolve("escape.efi")).doesNotExist();
    assertThat(data.getParent().resolve("escape.efi")).doesNotExist();

    Answer sw =
        s.call(
            "PUT",
            "/api/v1/zeroos/runmodes/test",
            s.token(Role.OPERATOR),
            "{\"kernel\":\"../../chainboot.db\"}");
    assertThat(sw.status()).isEqualTo(400);
    assertThat(sw.json().get("field").asString()).isEqualTo("kernel");
    Answer compat =
        s.call(
            "POST",
            "/api/symlink",
            s.token(Role.OPERATOR),
            "{\"runmode\":\"test\",\"kernel\":\"/etc/passwd\"}");
    assertThat(compat.status()).isEqualTo(400);
    assertThat(kernels().resolve("net/test.efi")).doesNotExist();
  }

  @Test
  void unknownThingsAre404() throws Exception {
    assertThat(s.get("/api/v1/zeroos/kernels/nosuch.efi", Role.VIEWER).status()).isEqualTo(404);
    assertThat(s.get("/api/v1/zeroos/runmodes/nosuch", Role.VIEWER).status()).isEqualTo(404);
    Answer sw =
        s.call(
            "PUT",
            "/api/v1/zeroos/runmodes/nosuch",
            s.token(Role.OPERATOR),
            "{\"kernel\":\"zero-os-x.efi\"}");
    assertThat(sw.status()).isEqualTo(404);
    Answer noKernel =
        s.call(
            "PUT",
            "/api/v1/zeroos/runmodes/qa",
            s.token(Role.OPERATOR),
            "{\"kernel\":\"zero-os-none.efi\"}");
    assertThat(noKernel.status()).isEqualTo(404);
    assertThat(
            s.call("DELETE", "/api/v1/zeroos/kernels/nosuch.efi", s.token(Role.OPERATOR), null)
                .status())
        .isEqualTo(404);
  }

  @Test
  void rolesAreEnforced() throws Exception {
    byte[] b = "MZ".getBytes(StandardCharsets.UTF_8);
    assertThat(put("/api/v1/zeroos/kernels/zero-os-r.efi", null, b).status()).isEqualTo(401);
    assertThat(put("/api/v1/zeroos/kernels/zero-os-r.efi", Role.VIEWER, b).status()).isEqualTo(403);
    assertThat(put("/api/kernel?name=zero-os-r.efi", Role.VIEWER, b).status()).isEqualTo(403);
    assertThat(kernels().resolve("zero-os-r.efi")).doesNotExist();
    assertThat(s.call("GET", "/api/kernel", null, null).status()).isEqualTo(401);
    assertThat(s.call("GET", "/api/symlink", null, null).status()).isEqualTo(401);
    assertThat(
            s.call("POST", "/api/symlink?runmode=prod&kernel=x.efi", s.token(Role.VIEWER), null)
                .status())
        .isEqualTo(403);
    assertThat(s.get("/api/kernel", Role.VIEWER).status()).isEqualTo(200);
    // not on the boot listener
    assertThat(Curl.run(s.bootBase() + "/api/kernel").status()).isEqualTo(404);
  }
}
