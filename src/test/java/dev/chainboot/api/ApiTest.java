package dev.chainboot.api;

import static dev.chainboot.auth.Role.ADMIN;
import static dev.chainboot.auth.Role.OPERATOR;
import static dev.chainboot.auth.Role.VIEWER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.boot.Assignment;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.firmware.FirmwareCatalog;
import dev.chainboot.media.MediaFormat;
import dev.chainboot.testing.AdminServer;
import dev.chainboot.testing.AdminServer.Answer;
import dev.chainboot.testing.Curl;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/**
 * Every endpoint of the REST API v1 against a real server (its admin listener), with the JDK's HTTP
 * client: status codes, bodies, ETag/If-Match, 400 naming the field, 404, 409, and that a change
 * through the API is what the boot listener then serves. Each test uses its own names, so they
 * share one server.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ApiTest {

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

  static Answer admin(String method, String path, String body, String... headers) throws Exception {
    return s.admin(method, path, body, headers);
  }

  static Answer op(String method, String path, String body, String... headers) throws Exception {
    return s.call(method, path, s.token(OPERATOR), body, headers);
  }

  static void kernelProfile(String name) throws Exception {
    assertThat(
            op(
                    "PUT",
                    "/api/v1/profiles/" + name,
                    """
                    {"kind":"kernel","kernel":"http://10.0.0.1/vmlinuz",
                     "initrds":["http://10.0.0.1/initrd.img"],"cmdline":"console=ttyS0"}""")
                .status())
        .isIn(200, 201);
  }

  @Test
  void machinesAreCreatedReadReplacedPatchedAndDeletedWithEtags() throws Exception {
    Answer created =
        op(
            "POST",
            "/api/v1/machines",
            """
            {"mac":"52-54-00-0a-00-01","ip":"10.0.0.51","hostname":"node1","arch":"x86_64",
             "labels":{"rack":"r1"}}""");
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.header("Location")).contains("/api/v1/machines/52:54:00:0a:00:01");
    assertThat(created.json().get("hostname").stringValue()).isEqualTo("node1");
    assertThat(created.json().get("once").isNull()).isTrue();
    String etag = created.header("ETag").orElseThrow();

    assertThat(op("POST", "/api/v1/machines", "{\"mac\":\"52:54:00:0a:00:01\"}").status())
        .as("creating a known MAC")
        .isEqualTo(409);

    Answer read = s.get("/api/v1/machines/52:54:00:0a:00:01", VIEWER);
    assertThat(read.status()).isEqualTo(200);
    assertThat(read.header("ETag")).contains(etag);
    assertThat(s.get("/api/v1/machines/10.0.0.51", VIEWER).json().get("mac").stringValue())
        .as("by IP address")
        .isEqualTo("52:54:00:0a:00:01");
    assertThat(s.get("/api/v1/machines", VIEWER).body()).contains("\"52:54:00:0a:00:01\"");

    // Optimistic concurrency: a write with the tag read wins once; the stale tag then loses.
    Answer replaced =
        op(
            "PUT",
            "/api/v1/machines/52:54:00:0a:00:01",
            "{\"hostname\":\"node1b\",\"labels\":{\"rack\":\"r2\"}}",
            "If-Match",
            etag);
    assertThat(replaced.status()).isEqualTo(200);
    assertThat(replaced.json().get("labels").get("rack").stringValue()).isEqualTo("r2");
    assertThat(replaced.json().get("ip").isNull()).as("PUT replaces every field").isTrue();
    Answer stale =
        op(
            "PUT",
            "/api/v1/machines/52:54:00:0a:00:01",
            "{\"hostname\":\"lost-update\"}",
            "If-Match",
            etag);
    assertThat(stale.status()).isEqualTo(412);
    assertThat(stale.json().get("error").stringValue()).contains("has changed");
    assertThat(
            s.get("/api/v1/machines/52:54:00:0a:00:01", VIEWER)
                .json()
                .get("hostname")
                .stringValue())
        .isEqualTo("node1b");
    assertThat(op("PUT", "/api/v1/machines/52:54:00:0a:00:01", "{}", "If-None-Match", "*").status())
        .isEqualTo(409);

    Answer patched =
        op(
            "PATCH",
            "/api/v1/machines/52:54:00:0a:00:01",
            "{\"labels\":{\"rack\":null,\"role\":\"db\"},\"serial\":\"S1\"}");
    assertThat(patched.status()).isEqualTo(200);
    assertThat(patched.json().get("labels").propertyNames()).containsExactly("role");
    assertThat(patched.json().get("serial").stringValue()).isEqualTo("S1");
    assertThat(patched.json().get("hostname").stringValue()).isEqualTo("node1b");

    Answer putNew = op("PUT", "/api/v1/machines/52:54:00:0a:00:02", "{\"arch\":\"arm64\"}");
    assertThat(putNew.status()).isEqualTo(201);

    assertThat(op("DELETE", "/api/v1/machines/52:54:00:0a:00:01", null, "If-Match", etag).status())
        .isEqualTo(412);
    assertThat(op("DELETE", "/api/v1/machines/52:54:00:0a:00:01", null).status()).isEqualTo(204);
    Answer gone = s.get("/api/v1/machines/52:54:00:0a:00:01", VIEWER);
    assertThat(gone.status()).isEqualTo(404);
    assertThat(gone.json().get("error").stringValue()).contains("unknown machine");
    assertThat(s.get("/api/v1/machines/10.9.9.9", VIEWER).status()).isEqualTo(404);
    assertThat(op("DELETE", "/api/v1/machines/52:54:00:0a:00:01", null).status()).isEqualTo(404);
  }

  @ParameterizedTest(name = "{0} {1} -> {3} field {4}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          POST | /api/v1/machines                 | {"mac":"nope"}                               | 400 | mac
          POST | /api/v1/machines                 | {"ip":"10.0.0.1"}                            | 400 | mac
          POST | /api/v1/machines                 | {"mac":"52:54:00:0b:00:01","ip":"10.0.0.999"} | 400 | ip
          POST | /api/v1/machines                 | {"mac":"52:54:00:0b:00:01","arch":"mips"}    | 400 | arch
          POST | /api/v1/machines                 | {"mac":"52:54:00:0b:00:01","platform":"x"}   | 400 | platform
          POST | /api/v1/machines                 | {"mac":"52:54:00:0b:00:01","labels":{"a b":"c"}} | 400 | labels
          POST | /api/v1/machines                 | {"mac":"52:54:00:0b:00:01","labels":{"a":1}} | 400 | labels.a
          POST | /api/v1/machines                 | {"mac":"52:54:00:0b:00:01","hostnme":"x"}    | 400 | hostnme
          POST | /api/v1/machines                 | {"mac":5}                                    | 400 | mac
          PUT  | /api/v1/machines/52:54:00:0b:00:01 | {"mac":"52:54:00:0b:00:02"}                | 400 | mac
          PUT  | /api/v1/machines/10.0.0.1        | {}                                           | 400 | mac
          POST | /api/v1/profiles                 | {"name":"p","kind":"kernel"}                 | 400 | kernel
          POST | /api/v1/profiles                 | {"name":"p","kind":"kernel","kernel":"file:///etc/passwd"} | 400 | kernel
          POST | /api/v1/profiles                 | {"name":"p","kind":"kernel","kernel":"http://a/k","initrds":["http://a/i","http://a/x y"]} | 400 | initrds[1]
          POST | /api/v1/profiles                 | {"name":"p","kind":"kernel","kernel":"http://a/k","cmdline":"x=$(reboot)"} | 400 | cmdline
          POST | /api/v1/profiles                 | {"name":"p","kind":"chain","chain":"http://a/{{#x}}"} | 400 | chain
          POST | /api/v1/profiles                 | {"name":"p","kind":"chain","kernel":"http://a/k"} | 400 | kernel
          POST | /api/v1/profiles                 | {"name":"p","kind":"floppy"}                 | 400 | kind
          POST | /api/v1/profiles                 | {"name":"bad name","kind":"local-disk"}      | 400 | name
          POST | /api/v1/profiles                 | {"kind":"local-disk"}                        | 400 | name
          POST | /api/v1/profiles                 | {"name":"m","kind":"menu","menu":["nosuch"]} | 404 | menu[0]
          POST | /api/v1/profiles                 | {"name":"m","kind":"menu","menu":["m"]}      | 400 | menu[0]
          POST | /api/v1/groups                   | {"name":"g","profile":"nosuch"}              | 404 | profile
          POST | /api/v1/groups                   | {"name":"g","profile":"x","mac_prefix":"zz"} | 400 | mac_prefix
          PUT  | /api/v1/default                  | {"profile":"nosuch"}                         | 404 | profile
          PUT  | /api/v1/default                  | {"profile":7}                                | 400 | profile
          PUT  | /api/v1/machines/52:54:00:0b:00:01/assignments/once | {"profile":"nosuch"}    | 404 | profile
          PUT  | /api/v1/machines/52:54:00:0b:00:01/assignments/once | {}                      | 400 | profile
          POST | /api/v1/media                    | {"format":"iso","url":"gopher://x"}          | 400 | url
          POST | /api/v1/media                    | {"format":"iso","url":"http://x/b","arch":"mips"} | 400 | arch
          POST | /api/v1/media                    | {"format":"iso","url":"http://x/b","label":"no spaces"} | 400 | label
          POST | /api/v1/media                    | {"format":"zip","url":"http://x/b"}          | 400 | format
          POST | /api/v1/imports/pixie            | {"scripts":[{"mac":"x","file":"f","content":"c"}]} | 400 | scripts[0].mac
          POST | /api/v1/imports/pxesrv           | {"static":[{"ip":"nope","path":"p","content":"c"}]} | 400 | static[0].ip
          POST | /api/v1/tokens                   | {"name":"t","role":"root"}                   | 400 | role
          POST | /api/v1/tokens                   | {"name":"a b","role":"viewer"}               | 400 | name
          """)
  void badInputIs400Or404NamingTheField(
      String method, String path, String body, int status, String field) throws Exception {
    Answer a = admin(method, path, body);
    assertThat(a.status()).as(a.body()).isEqualTo(status);
    assertThat(a.header("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    assertThat(a.json().get("field").stringValue()).isEqualTo(field);
    assertThat(a.json().get("error").stringValue()).isNotBlank();
  }

  @Test
  void malformedOrMissingBodiesAre400() throws Exception {
    assertThat(admin("POST", "/api/v1/machines", "{not json").status()).isEqualTo(400);
    assertThat(admin("POST", "/api/v1/machines", "[1,2]").status()).isEqualTo(400);
    assertThat(admin("POST", "/api/v1/machines", null).status()).isEqualTo(400);
    assertThat(s.get("/api/v1/events?limit=0", VIEWER).json().get("field").stringValue())
        .isEqualTo("limit");
    assertThat(s.get("/api/v1/events?after=x", VIEWER).json().get("field").stringValue())
        .isEqualTo("after");
    assertThat(s.get("/api/v1/events?machine=nope", VIEWER).json().get("field").stringValue())
        .isEqualTo("machine");
    assertThat(s.get("/api/v1/events?since=yesterday", VIEWER).json().get("field").stringValue())
        .isEqualTo("since");
    assertThat(s.get("/api/v1/events?match=maybe", VIEWER).json().get("field").stringValue())
        .isEqualTo("match");
  }

  @Test
  void onceForANeverSeenMacRegistersItAndItsFirstBootInstalls() throws Exception {
    kernelProfile("preprov");
    Answer a =
        op(
            "PUT",
            "/api/v1/machines/52:54:00:0c:00:01/assignments/once",
            "{\"profile\":\"preprov\"}");
    assertThat(a.status()).as(a.body()).isEqualTo(200);
    assertThat(a.json().get("once").stringValue()).isEqualTo("preprov");
    assertThat(s.server.store().machine(MacAddress.parse("52:54:00:0c:00:01").orElseThrow()))
        .isPresent();
    assertThat(
            op("PUT", "/api/v1/machines/10.77.0.1/assignments/once", "{\"profile\":\"preprov\"}")
                .status())
        .as("an unknown IP cannot be pre-provisioned")
        .isEqualTo(404);

    Curl.Result boot = Curl.run(s.bootBase() + "/boot.ipxe?mac=52:54:00:0c:00:01");
    assertThat(boot.text()).contains("kernel http://10.0.0.1/vmlinuz");
    assertThat(s.get("/api/v1/machines/52:54:00:0c:00:01", VIEWER).json().get("once").isNull())
        .as("consumed by the boot")
        .isTrue();

    op("PUT", "/api/v1/machines/52:54:00:0c:00:01/assignments/static", "{\"profile\":\"preprov\"}");
    op("PUT", "/api/v1/machines/52:54:00:0c:00:01/assignments/once", "{\"profile\":\"preprov\"}");
    assertThat(s.get("/api/v1/assignments", VIEWER).body())
        .contains("{\"mac\":\"52:54:00:0c:00:01\",\"kind\":\"once\",\"profile\":\"preprov\"}")
        .contains("{\"mac\":\"52:54:00:0c:00:01\",\"kind\":\"static\",\"profile\":\"preprov\"}");
    Answer cleared =
        op("DELETE", "/api/v1/machines/52:54:00:0c:00:01/assignments?profile=other", null);
    assertThat(cleared.json().get("cleared").asLong()).isZero();
    cleared = op("DELETE", "/api/v1/machines/52:54:00:0c:00:01/assignments", null);
    assertThat(cleared.json().get("cleared").asLong()).isEqualTo(2);
    assertThat(
            op(
                    "PUT",
                    "/api/v1/machines/52:54:00:0c:00:01/assignments/forever",
                    "{\"profile\":\"preprov\"}")
                .status())
        .isEqualTo(404);
  }

  @Test
  void profilesAndTheDefaultWithConflictsWhileInUse() throws Exception {
    Answer p = op("POST", "/api/v1/profiles", "{\"name\":\"pdisk\",\"kind\":\"local-disk\"}");
    assertThat(p.status()).isEqualTo(201);
    assertThat(
            op("POST", "/api/v1/profiles", "{\"name\":\"pdisk\",\"kind\":\"local-disk\"}").status())
        .isEqualTo(409);
    Answer menu = op("PUT", "/api/v1/profiles/pmenu", "{\"kind\":\"menu\",\"menu\":[\"pdisk\"]}");
    assertThat(menu.status()).isEqualTo(201);
    assertThat(menu.json().get("menu").get(0).stringValue()).isEqualTo("pdisk");
    assertThat(
            op("PUT", "/api/v1/profiles/pmenu2", "{\"kind\":\"menu\",\"menu\":[\"pmenu\"]}")
                .json()
                .get("error")
                .stringValue())
        .contains("nested");
    Answer script =
        op(
            "PUT",
            "/api/v1/profiles/pscript",
            "{\"kind\":\"script\",\"script\":\"#!ipxe\\necho {{mac}}\\n\"}");
    assertThat(script.status()).isEqualTo(201);
    String etag = script.header("ETag").orElseThrow();
    assertThat(s.get("/api/v1/profiles/pscript", VIEWER).json().get("script").stringValue())
        .isEqualTo("#!ipxe\necho {{mac}}\n");
    assertThat(
            op(
                    "PUT",
                    "/api/v1/profiles/pscript",
                    "{\"kind\":\"chain\",\"chain\":\"http://x/y\"}",
                    "If-Match",
                    "\"0000\"")
                .status())
        .isEqualTo(412);
    assertThat(
            op(
                    "PUT",
                    "/api/v1/profiles/pscript",
                    "{\"kind\":\"chain\",\"chain\":\"http://x/y\"}",
                    "If-Match",
                    etag)
                .json()
                .get("kind")
                .stringValue())
        .isEqualTo("chain");

    Answer def = s.get("/api/v1/default", VIEWER);
    assertThat(
            op(
                    "PUT",
                    "/api/v1/default",
                    "{\"profile\":\"pdisk\"}",
                    "If-Match",
                    def.header("ETag").orElseThrow())
                .status())
        .isEqualTo(200);
    assertThat(s.get("/api/v1/default", VIEWER).json().get("profile").stringValue())
        .isEqualTo("pdisk");
    assertThat(
            op(
                    "PUT",
                    "/api/v1/default",
                    "{\"profile\":null}",
                    "If-Match",
                    def.header("ETag").orElseThrow())
                .status())
        .as("stale")
        .isEqualTo(412);
    Answer inUse = op("DELETE", "/api/v1/profiles/pdisk", null);
    assertThat(inUse.status()).isEqualTo(409);
    assertThat(inUse.json().get("error").stringValue())
        .contains("menu pmenu")
        .contains("the default");
    assertThat(op("DELETE", "/api/v1/default", null).status()).isEqualTo(204);
    assertThat(s.get("/api/v1/default", VIEWER).json().get("profile").isNull()).isTrue();
    assertThat(op("DELETE", "/api/v1/profiles/pmenu", null).status()).isEqualTo(204);
    assertThat(op("DELETE", "/api/v1/profiles/pdisk", null).status()).isEqualTo(204);
    assertThat(s.get("/api/v1/profiles/pdisk", VIEWER).status()).isEqualTo(404);
    assertThat(s.get("/api/v1/profiles", VIEWER).body())
        .contains("\"pscript\"")
        .doesNotContain("\"pdisk\"");
  }

  @Test
  void groupsDecideBootsAndAreListedInPrecedenceOrder() throws Exception {
    kernelProfile("gp");
    assertThat(op("POST", "/api/v1/groups", "{\"name\":\"g-all\",\"profile\":\"gp\"}").status())
        .isEqualTo(201);
    Answer g =
        op(
            "PUT",
            "/api/v1/groups/g-rack",
            "{\"profile\":\"gp\",\"labels\":{\"rack\":\"gx\"},\"mac_prefix\":\"52-54-00-0d\"}");
    assertThat(g.status()).isEqualTo(201);
    assertThat(g.json().get("mac_prefix").stringValue()).isEqualTo("52:54:00:0d");
    assertThat(g.json().get("selector").stringValue()).isEqualTo("mac=52:54:00:0d,rack=gx");
    JsonNode list = s.get("/api/v1/groups", VIEWER).json();
    List<String> names = list.values().stream().map(n -> n.get("name").stringValue()).toList();
    assertThat(names.indexOf("g-rack")).isLessThan(names.indexOf("g-all"));
    assertThat(op("POST", "/api/v1/groups", "{\"name\":\"g-all\",\"profile\":\"gp\"}").status())
        .isEqualTo(409);
    assertThat(op("DELETE", "/api/v1/groups/g-all", null).status()).isEqualTo(204);
    assertThat(op("DELETE", "/api/v1/groups/g-rack", null).status()).isEqualTo(204);
    assertThat(s.get("/api/v1/groups/g-all", VIEWER).status()).isEqualTo(404);
  }

  @Test
  void eventsArePagedAndFilteredByMachineProfileMatchAndTime() throws Exception {
    kernelProfile("ev");
    op("PUT", "/api/v1/machines/52:54:00:0e:00:01/assignments/static", "{\"profile\":\"ev\"}");
    for (int i = 0; i < 5; i++) {
      Curl.run(s.bootBase() + "/boot.ipxe?mac=52:54:00:0e:00:01");
    }
    Curl.run(s.bootBase() + "/boot.ipxe?mac=52:54:00:0e:00:02");
    s.server.events().flush();

    JsonNode page = s.get("/api/v1/events?machine=52:54:00:0e:00:01&limit=2", VIEWER).json();
    assertThat(page.get("events").size()).isEqualTo(2);
    long first = page.get("events").get(0).get("id").asLong();
    long second = page.get("events").get(1).get("id").asLong();
    assertThat(first).isLessThan(second);
    String previous = page.get("previous").stringValue();
    assertThat(previous)
        .contains("before=" + first)
        .contains("machine=52%3A54%3A00%3A0e%3A00%3A01");
    JsonNode older = s.get(previous, VIEWER).json();
    assertThat(older.get("events").size()).isEqualTo(2);
    assertThat(older.get("events").get(1).get("id").asLong()).isLessThan(first);
    JsonNode newer = s.get(older.get("next").stringValue(), VIEWER).json();
    assertThat(newer.get("events").get(0).get("id").asLong())
        .isGreaterThan(older.get("events").get(1).get("id").asLong());
    assertThat(s.get(page.get("next").stringValue(), VIEWER).json().get("events").size())
        .as("nothing after the newest")
        .isZero();

    assertThat(s.get("/api/v1/events?profile=ev&limit=1000", VIEWER).json().get("events").size())
        .isEqualTo(5);
    JsonNode none = s.get("/api/v1/events?match=none&machine=52:54:00:0e:00:02", VIEWER).json();
    assertThat(none.get("events").size()).isEqualTo(1);
    assertThat(none.get("events").get(0).get("match").stringValue()).isEqualTo("none");
    assertThat(
            s.get("/api/v1/events?until=2000-01-01T00:00:00Z", VIEWER).json().get("events").size())
        .isZero();
    assertThat(
            s.get("/api/v1/events?since=2000-01-01T00:00:00Z&profile=ev", VIEWER)
                .json()
                .get("events")
                .size())
        .isEqualTo(5);
    assertThat(
            s.get("/api/v1/events?since=2999-01-01T00:00:00Z", VIEWER).json().get("events").size())
        .isZero();
  }

  @Test
  void previewTellsWhatAMachineWouldBootAndTakesNothing() throws Exception {
    kernelProfile("pv");
    op("PUT", "/api/v1/machines/52:54:00:0f:00:01/assignments/once", "{\"profile\":\"pv\"}");
    s.server.events().flush();
    long eventsBefore = s.server.store().recentEvents(Optional.empty(), 1000).size();
    for (int i = 0; i < 2; i++) {
      JsonNode p = s.get("/api/v1/machines/52:54:00:0f:00:01/preview", VIEWER).json();
      assertThat(p.get("match").stringValue()).isEqualTo("once");
      assertThat(p.get("once_would_be_consumed").booleanValue()).isTrue();
      assertThat(p.get("profile").stringValue()).isEqualTo("pv");
      assertThat(p.get("script").stringValue()).contains("kernel http://10.0.0.1/vmlinuz");
    }
    s.server.events().flush();
    assertThat(
            s.server
                .store()
                .assignment(
                    MacAddress.parse("52:54:00:0f:00:01").orElseThrow(), Assignment.Kind.ONCE))
        .contains("pv");
    assertThat(s.server.store().recentEvents(Optional.empty(), 1000)).hasSize((int) eventsBefore);

    JsonNode unknown = s.get("/api/v1/machines/52:54:00:0f:00:99/preview", VIEWER).json();
    assertThat(unknown.get("known").booleanValue()).isFalse();
    assertThat(unknown.get("match").stringValue()).isIn("none", "default", "group");
    assertThat(s.server.store().machine(MacAddress.parse("52:54:00:0f:00:99").orElseThrow()))
        .isEmpty();
    assertThat(
            s.get("/api/v1/machines/52:54:00:0f:00:01/preview?base_url=javascript:x", VIEWER)
                .json()
                .get("field")
                .stringValue())
        .isEqualTo("base_url");
  }

  @Test
  void mediaIsBuiltByPostAndDownloadedByGetByteForByteAsTheCliBuildsIt() throws Exception {
    Answer built =
        op(
            "POST",
            "/api/v1/media",
            "{\"format\":\"esp\",\"url\":\"http://10.0.0.1:8080/boot.ipxe\"}");
    assertThat(built.status()).as(built.body()).isEqualTo(201);
    String href = built.json().get("href").stringValue();
    assertThat(built.header("Location")).contains(href);
    HttpResponse<byte[]> image =
        s.client.send(
            HttpRequest.newBuilder(URI.create(s.adminBase() + href))
                .header("Authorization", "Bearer " + s.token(VIEWER))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(image.statusCode()).isEqualTo(200);
    assertThat(image.headers().firstValue("Content-Disposition"))
        .hasValueSatisfying(v -> assertThat(v).contains("chainboot.esp"));
    byte[] local =
        new MediaOrder(
                MediaFormat.ESP,
                Optional.of("http://10.0.0.1:8080/boot.ipxe"),
                Optional.empty(),
                "x86_64",
                "CHAINBOOT")
            .build(FirmwareCatalog.embedded());
    assertThat(image.body()).isEqualTo(local);
    assertThat(built.json().get("sha256").stringValue())
        .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(local)));
    assertThat(s.get("/api/v1/media/" + "0".repeat(64) + ".iso", VIEWER).status()).isEqualTo(404);
    assertThat(s.get("/api/v1/media", OPERATOR).status()).isEqualTo(405);
  }

  @Test
  void importsApplyTheSeedToolsDataAsTheCliDoes() throws Exception {
    String pixie =
        """
        {"scripts":[{"mac":"52:54:00:10:00:01","file":"52-54-00-10-00-01.ipxe",
          "content":"#!ipxe\\necho pixie-one\\n"}],"skipped":["menu.ipxe: not a MAC"]}""";
    Answer dry = op("POST", "/api/v1/imports/pixie?dry_run=true", pixie);
    assertThat(dry.status()).as(dry.body()).isEqualTo(200);
    assertThat(dry.json().get("dry_run").booleanValue()).isTrue();
    assertThat(dry.body()).contains("would add profile pixie-52-54-00-10-00-01");
    assertThat(s.get("/api/v1/profiles/pixie-52-54-00-10-00-01", VIEWER).status()).isEqualTo(404);
    Answer real = op("POST", "/api/v1/imports/pixie", pixie);
    assertThat(real.json().get("lines").toString()).contains("skipped menu.ipxe: not a MAC");
    assertThat(Curl.run(s.bootBase() + "/boot.ipxe?mac=52:54:00:10:00:01").text())
        .contains("echo pixie-one");

    op("PUT", "/api/v1/machines/52:54:00:10:00:02", "{\"ip\":\"10.0.16.2\"}");
    Answer pxe =
        op(
            "POST",
            "/api/v1/imports/pxesrv",
            """
            {"default":null,"static":[{"ip":"10.0.16.2","path":"s/one.ipxe","content":"#!ipxe\\necho pxesrv-one\\n"},
              {"ip":"10.0.16.3","path":"s/two.ipxe","content":"#!ipxe\\n"}],"once":[],"skipped":[]}""");
    assertThat(pxe.status()).as(pxe.body()).isEqualTo(200);
    assertThat(pxe.body())
        .contains("assign 52:54:00:10:00:02 static")
        .contains("no machine known at 10.0.16.3");

    Answer zos =
        op(
            "POST",
            "/api/v1/imports/zeroos",
            """
            {"clients":[{"client":"52:54:00:10:00:03","branch":"prod","zerotier":"77","kargs":""},
              {"client":"52:54:00:10:00:04","branch":"nosuchmode"}]}""");
    assertThat(zos.status()).as(zos.body()).isEqualTo(200);
    assertThat(zos.body())
        .contains("add machine 52:54:00:10:00:03")
        .contains("skipped client 52:54:00:10:00:04");
    assertThat(op("POST", "/api/v1/imports/cobbler", "{}").status()).isEqualTo(404);
    assertThat(op("POST", "/api/v1/imports/pixie?dry_run=maybe", pixie).status()).isEqualTo(400);
  }

  @Test
  void tokensAreCreatedShownOnceListedAndRevoked() throws Exception {
    Answer t = admin("POST", "/api/v1/tokens", "{\"name\":\"ci-bot\",\"role\":\"operator\"}");
    assertThat(t.status()).isEqualTo(201);
    String secret = t.json().get("secret").stringValue();
    assertThat(secret).startsWith("cbt_").hasSizeGreaterThan(40);
    assertThat(
            admin("POST", "/api/v1/tokens", "{\"name\":\"ci-bot\",\"role\":\"viewer\"}").status())
        .as("an active token has the name")
        .isEqualTo(409);
    Answer who = s.call("GET", "/api/v1/whoami", secret, null);
    assertThat(who.json().get("name").stringValue()).isEqualTo("ci-bot");
    assertThat(who.json().get("role").stringValue()).isEqualTo("operator");
    assertThat(who.json().get("via").stringValue()).isEqualTo("token");
    String list = s.get("/api/v1/tokens", ADMIN).body();
    assertThat(list)
        .contains("\"ci-bot\"")
        .doesNotContain(secret)
        .doesNotContain(dev.chainboot.auth.Tokens.hash(secret));
    assertThat(admin("DELETE", "/api/v1/tokens/ci-bot", null).status()).isEqualTo(204);
    assertThat(s.call("GET", "/api/v1/whoami", secret, null).status()).isEqualTo(401);
    assertThat(admin("DELETE", "/api/v1/tokens/ci-bot", null).status()).isEqualTo(404);
    assertThat(
            admin("POST", "/api/v1/tokens", "{\"name\":\"ci-bot\",\"role\":\"viewer\"}").status())
        .as("the name is free again once revoked")
        .isEqualTo(201);
  }

  @Test
  void unknownPathsAre404AndWrongMethods405() throws Exception {
    assertThat(s.get("/api/v1/nothing", VIEWER).status()).isEqualTo(404);
    assertThat(s.get("/api/v2/machines", VIEWER).status()).isEqualTo(404);
    assertThat(s.get("/api/v1/machines/52:54:00:0a:00:01/nothing", VIEWER).status()).isEqualTo(404);
    Answer a = admin("DELETE", "/api/v1/machines", null);
    assertThat(a.status()).isEqualTo(405);
    assertThat(a.header("Allow")).contains("GET, HEAD, POST");
    assertThat(admin("POST", "/api/v1/machines/52:54:00:0a:00:01/preview", "{}").status())
        .isEqualTo(405);
    assertThat(s.get("/api/v1/openapi.json", VIEWER).json().get("openapi").stringValue())
        .startsWith("3.");
  }
}
