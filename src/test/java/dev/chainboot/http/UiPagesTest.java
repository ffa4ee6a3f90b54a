package dev.chainboot.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.auth.Role;
import dev.chainboot.testing.AdminServer;
import dev.chainboot.testing.Curl;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The UI's pages over real HTTP with API tokens (the browser flows are in {@link WebUiIT}): paging
 * and search, escaping of everything a machine or operator supplied, roles on state changes, the
 * profile preview, the event stream's format and resumption, and errors as pages.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UiPagesTest {

  @TempDir Path tmp;

  static int rows(String html) {
    return html.split("<tr><td><a href=\"/machines/", -1).length - 1;
  }

  @Test
  void theMachineListIsPagedAndSearchedAndEscapesWhatMachinesSay() throws Exception {
    try (AdminServer s = new AdminServer(tmp)) {
      for (int i = 0; i < 120; i++) {
        String body =
            i == 7
                ? "{\"hostname\":\"<script>alert(1)</script>\",\"labels\":{\"rack\":\"\\\"><b>x\"}}"
                : "{\"labels\":{\"rack\":\"r" + (i % 3) + "\"}}";
        assertThat(
                s.admin("PUT", String.format("/api/v1/machines/52:54:00:00:01:%02x", i), body)
                    .status())
            .isEqualTo(201);
      }
      AdminServer.Answer p1 = s.get("/machines", Role.VIEWER);
      assertThat(p1.status()).isEqualTo(200);
      assertThat(p1.header("Content-Type")).hasValue(Html.TYPE);
      assertThat(rows(p1.body())).isEqualTo(UiPages.PAGE_SIZE);
      assertThat(p1.body())
          .contains("120 machine(s); page 1 of 3")
          .contains("rel=\"next\" href=\"/machines?page&#x3D;2\"");
      assertThat(p1.body()).doesNotContain("<script>alert").doesNotContain("<b>x");
      assertThat(p1.body()).contains("&lt;script&gt;alert(1)&lt;/script&gt;");
      assertThat(p1.body()).contains("rack&#x3D;&quot;&gt;&lt;b&gt;x");
      AdminServer.Answer p3 = s.get("/machines?page=3", Role.VIEWER);
      assertThat(rows(p3.body())).isEqualTo(20);
      assertThat(p3.body()).contains("52:54:00:00:01:77").doesNotContain("rel=\"next\"");
      AdminServer.Answer r1 = s.get("/machines?q=rack%3Dr1", Role.VIEWER);
      assertThat(rows(r1.body()))
          .isEqualTo(39); // 40 in rack r1 but machine 7, whose rack is the markup
      assertThat(s.get("/machines?page=0", Role.VIEWER).status()).isEqualTo(400);
      assertThat(s.get("/machines?page=x", Role.VIEWER).body()).contains("page must be");
    }
  }

  @Test
  void theZeroOsPageUploadsSwitchesAndDeletesKernels() throws Exception {
    try (AdminServer s = new AdminServer(tmp)) {
      String form = "application/x-www-form-urlencoded";
      AdminServer.Answer up =
          s.call(
              "POST",
              "/zeroos/upload?name=zero-os-ui-amd64.efi",
              s.token(Role.OPERATOR),
              "MZ ui kernel",
              "Content-Type",
              "application/octet-stream");
      assertThat(up.status()).as(up.body()).isEqualTo(303);
      assertThat(tmp.resolve("kernels/zero-os-ui-amd64.efi")).hasContent("MZ ui kernel");
      AdminServer.Answer multipart =
          s.call(
              "POST",
              "/zeroos/upload?name=zero-os-mp.efi",
              s.token(Role.OPERATOR),
              "--x--",
              "Content-Type",
              "multipart/form-data; boundary=x");
      assertThat(multipart.status()).isEqualTo(400);
      assertThat(tmp.resolve("kernels/zero-os-mp.efi")).doesNotExist();
      AdminServer.Answer viewer =
          s.call(
              "POST",
              "/zeroos/switch",
              s.token(Role.VIEWER),
              "runmode=prod&kernel=zero-os-ui-amd64.efi",
              "Content-Type",
              form);
      assertThat(viewer.status()).isEqualTo(403);
      AdminServer.Answer sw =
          s.call(
              "POST",
              "/zeroos/switch",
              s.token(Role.OPERATOR),
              "runmode=prod&kernel=zero-os-ui-amd64.efi",
              "Content-Type",
              form);
      assertThat(sw.status()).as(sw.body()).isEqualTo(303);
      String page = s.get("/zeroos", Role.VIEWER).body();
      assertThat(page)
          .contains("<tr data-runmode=\"prod\"><td>prod</td><td>Production</td>")
          .contains("<td class=\"kernel\">zero-os-ui-amd64.efi</td>")
          .contains("<option selected>zero-os-ui-amd64.efi</option>");
      AdminServer.Answer bad =
          s.call(
              "POST",
              "/zeroos/switch",
              s.token(Role.OPERATOR),
              "runmode=prod&kernel=..%2Fchainboot.db",
              "Content-Type",
              form);
      assertThat(bad.status()).isEqualTo(400);
      assertThat(bad.body()).contains("id=\"error\"").contains("plain file name");
      AdminServer.Answer inUse =
          s.call(
              "POST",
              "/zeroos/kernels/zero-os-ui-amd64.efi/delete",
              s.token(Role.OPERATOR),
              "",
              "Content-Type",
              form);
      assertThat(inUse.status()).isEqualTo(409);
      assertThat(tmp.resolve("kernels/zero-os-ui-amd64.efi")).exists();
    }
  }

  @Test
  void changesNeedTheOperatorRoleAndUnknownThingsAre404Pages() throws Exception {
    try (AdminServer s = new AdminServer(tmp)) {
      String form = "application/x-www-form-urlencoded";
      AdminServer.Answer viewer =
          s.call(
              "POST",
              "/machines/52:54:00:00:00:01/clear",
              s.token(Role.VIEWER),
              null,
              "Content-Type",
              form);
      assertThat(viewer.status()).isEqualTo(403);
      AdminServer.Answer unknown = s.get("/machines/52:54:00:00:00:01", Role.VIEWER);
      assertThat(unknown.status()).isEqualTo(404);
      assertThat(unknown.body()).contains("id=\"error\"").contains("52:54:00:00:00:01");
      assertThat(s.get("/profiles/nope", Role.VIEWER).status()).isEqualTo(404);
      assertThat(s.get("/ui/media/nope.iso", Role.VIEWER).status()).isEqualTo(404);
      assertThat(s.get("/ui/static/../../etc/passwd", Role.VIEWER).status()).isEqualTo(404);
      assertThat(s.get("/ui/static/app.js", Role.VIEWER).body()).contains("EventSource");
      // no session or token: not even the script
      assertThat(s.call("GET", "/ui/static/app.js", null, null).status()).isEqualTo(401);
      assertThat(s.call("GET", "/events/stream", null, null).status()).isEqualTo(401);
    }
  }

  @Test
  void thePreviewRendersTheEditedProfileForAMachineAndNeverAnUnsafeOne() throws Exception {
    try (AdminServer s = new AdminServer(tmp)) {
      s.admin("PUT", "/api/v1/machines/52:54:00:00:00:05", "{\"hostname\":\"n5\"}");
      String ok =
          "kind=kernel&name=p1&kernel=http%3A%2F%2F10.0.0.1%2Fvmlinuz&cmdline=host%3D%7B%7Bhostname%7D%7D"
              + "&preview_machine=52:54:00:00:00:05";
      AdminServer.Answer a =
          s.call(
              "POST",
              "/ui/preview",
              s.token(Role.VIEWER),
              null,
              "Content-Type",
              "application/x-www-form-urlencoded");
      assertThat(a.status()).isEqualTo(400); // no fields: the reason, as text
      HttpResponse<String> r = post(s, "/ui/preview", ok);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).startsWith("#!ipxe").contains("kernel http://10.0.0.1/vmlinuz host=n5");
      HttpResponse<String> bad =
          post(s, "/ui/preview", ok.replace("cmdline=", "cmdline=x%0Ashell%20") + "");
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(bad.body()).startsWith("cannot preview").doesNotContain("#!ipxe");
      // nothing was saved
      assertThat(s.admin("GET", "/api/v1/profiles/p1", null).status()).isEqualTo(404);
    }
  }

  HttpResponse<String> post(AdminServer s, String path, String form) throws Exception {
    return s.client.send(
        HttpRequest.newBuilder(URI.create(s.adminBase() + path))
            .timeout(Duration.ofSeconds(20))
            .header("Authorization", "Bearer " + s.token(Role.VIEWER))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theEventStreamSendsBootsAfterAnIdAsServerSentEventsAndResumes() throws Exception {
    try (AdminServer s = new AdminServer(tmp)) {
      Curl.run("-s", s.bootBase() + "/boot.ipxe?mac=52:54:00:00:00:0a");
      Curl.run("-s", s.bootBase() + "/boot.ipxe?mac=52:54:00:00:00:0b");
      List<String> lines = stream(s, "/events/stream?after=0", null, 2);
      assertThat(lines).contains("event: boot", "id: 1", "id: 2");
      assertThat(lines.stream().filter(l -> l.startsWith("data: ")).toList())
          .hasSize(2)
          .allMatch(l -> l.contains("\"match\":\"none\""));
      // Last-Event-ID (a reconnecting EventSource) wins over ?after; the machine filter holds
      Curl.run("-s", s.bootBase() + "/boot.ipxe?mac=52:54:00:00:00:0a");
      List<String> resumed = stream(s, "/events/stream?after=0&mac=52:54:00:00:00:0a", "2", 1);
      assertThat(resumed).contains("id: 3").doesNotContain("id: 1", "id: 2");
      AdminServer.Answer bad = s.get("/events/stream?after=x", Role.VIEWER);
      assertThat(bad.status()).isEqualTo(400);
    }
  }

  /** The stream's lines until {@code events} events arrived (bounded by the test's timeout). */
  static List<String> stream(AdminServer s, String path, String lastId, int events)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(s.adminBase() + path))
            .header("Authorization", "Bearer " + s.token(Role.VIEWER));
    if (lastId != null) {
      b.header("Last-Event-ID", lastId);
    }
    HttpResponse<InputStream> r =
        s.client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
    List<String> lines = new ArrayList<>();
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      int seen = 0;
      String line;
      while (seen < events && (line = in.readLine()) != null) {
        lines.add(line);
        if (line.startsWith("data: ")) {
          seen++;
        }
      }
    }
    return lines;
  }
}
