package dev.chainboot.cli;

import dev.chainboot.api.ApiException;
import dev.chainboot.api.Control;
import dev.chainboot.api.ImportViews;
import dev.chainboot.api.Json;
import dev.chainboot.api.JsonViews;
import dev.chainboot.api.MachineDetail;
import dev.chainboot.api.MediaOrder;
import dev.chainboot.auth.ApiToken;
import dev.chainboot.auth.Role;
import dev.chainboot.auth.Tokens;
import dev.chainboot.boot.Assignment;
import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.Group;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Machine;
import dev.chainboot.boot.Preview;
import dev.chainboot.boot.Profile;
import dev.chainboot.compat.ImportReport;
import dev.chainboot.compat.pixie.PixieLayout;
import dev.chainboot.compat.pxesrv.PxeSrvLayout;
import dev.chainboot.compat.zeroos.ZeroOsProvisionDb;
import dev.chainboot.store.EventFilter;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import tools.jackson.databind.JsonNode;

/**
 * The {@link Control} of a remote chainboot server, through its REST API ({@code --server URL
 * --token T}): the same commands, the same output, the same exit codes as against a data directory.
 * Errors come back as the server's {@link ApiException}s.
 */
final class RemoteControl implements Control {

  private static final Duration TIMEOUT = Duration.ofSeconds(120);

  private final URI server;
  private final String token;
  private final HttpClient client;

  /**
   * @param server {@code http(s)://host:port} of the admin listener
   * @param cacert PEM certificates to trust for HTTPS instead of the system's (a self-signed server
   *     certificate or a private CA), if given
   */
  RemoteControl(String server, String token, Optional<Path> cacert) {
    URI u;
    try {
      u = URI.create(server.endsWith("/") ? server.substring(0, server.length() - 1) : server);
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid("--server", "not a URL: " + server);
    }
    if (u.getScheme() == null
        || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
        || u.getHost() == null) {
      throw ApiException.invalid(
          "--server", "--server must be http://HOST:PORT or https://HOST:PORT, not " + server);
    }
    if (token == null || token.isBlank()) {
      throw ApiException.invalid(
          "--token", "--server needs a token: --token T or env CHAINBOOT_TOKEN");
    }
    this.server = u;
    this.token = token.strip();
    HttpClient.Builder b =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER);
    cacert.ifPresent(p -> b.sslContext(trusting(p)));
    this.client = b.build();
  }

  private static SSLContext trusting(Path pem) {
    try {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      int i = 0;
      try (InputStream in = Files.newInputStream(pem)) {
        for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          ks.setCertificateEntry("ca" + i++, c);
        }
      }
      if (i == 0) {
        throw ApiException.invalid("--cacert", "--cacert " + pem + ": no certificate in it");
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      throw ApiException.invalid("--cacert", "--cacert " + pem + ": " + e.getMessage());
    }
  }

  // ------------------------------------------------------------------ HTTP

  private record Answer(int status, byte[] body, java.net.http.HttpHeaders headers) {
    JsonNode json() {
      return Json.parse(new String(body, StandardCharsets.UTF_8));
    }
  }

  private Answer send(String method, String path, Object body, Map<String, String> headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(server + path))
            .timeout(TIMEOUT)
            .header("Authorization", "Bearer " + token)
            .header("Accept", "application/json");
    headers.forEach(b::header);
    if (body != null) {
      b.header("Content-Type", "application/json");
      b.method(method, HttpRequest.BodyPublishers.ofString(Json.write(body)));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<byte[]> r;
    try {
      r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new ApiException(
          503,
          Optional.empty(),
          "cannot reach "
              + server
              + ": "
              + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(503, Optional.empty(), "interrupted");
    }
    if (r.statusCode() >= 300) {
      throw error(r);
    }
    return new Answer(r.statusCode(), r.body(), r.headers());
  }

  private Answer get(String path) {
    return send("GET", path, null, Map.of());
  }

  private ApiException error(HttpResponse<byte[]> r) {
    String text = new String(r.body(), StandardCharsets.UTF_8);
    try {
      JsonNode j = Json.parse(text);
      JsonNode msg = j.get("error");
      if (msg != null && msg.isString()) {
        JsonNode f = j.get("field");
        return new ApiException(
            r.statusCode(),
            f != null && f.isString() ? Optional.of(f.stringValue()) : Optional.empty(),
            msg.stringValue());
      }
    } catch (ApiException e) {
      // not JSON: say what came back
    }
    return new ApiException(
        r.statusCode(),
        Optional.empty(),
        "the server answered " + r.statusCode() + (text.isBlank() ? "" : ": " + text.strip()));
  }

  private static Map<String, String> expect(Expect e) {
    Map<String, String> h = new LinkedHashMap<>();
    e.ifMatch().ifPresent(m -> h.put("If-Match", m));
    if (e.createOnly()) {
      h.put("If-None-Match", "*");
    }
    return h;
  }

  /** A path segment, percent-encoded (everything but unreserved characters and ':'). */
  static String seg(String s) {
    StringBuilder b = new StringBuilder();
    for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || "-._~:".indexOf(c) >= 0) {
        b.append((char) c);
      } else {
        b.append('%').append(String.format(Locale.ROOT, "%02X", c));
      }
    }
    return b.toString();
  }

  private static String query(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static <T> List<T> list(JsonNode arr, Function<JsonNode, T> f) {
    List<T> out = new ArrayList<>();
    if (arr != null && arr.isArray()) {
      for (JsonNode n : arr.values()) {
        out.add(f.apply(n));
      }
    }
    return out;
  }

  private static final String V1 = "/api/v1/";

  // ------------------------------------------------------------------ machines

  @Override
  public List<Machine> machines() {
    return list(get(V1 + "machines").json(), n -> JsonViews.machineFrom(n, Optional.empty()));
  }

  @Override
  public MachineDetail machine(String id) {
    return JsonViews.machineDetailFrom(get(V1 + "machines/" + seg(id)).json());
  }

  @Override
  public boolean putMachine(Machine m, Expect e) {
    return send("PUT", V1 + "machines/" + seg(m.mac().colon()), JsonViews.machine(m), expect(e))
            .status()
        == 201;
  }

  @Override
  public void deleteMachine(String id, Expect e) {
    send("DELETE", V1 + "machines/" + seg(id), null, expect(e));
  }

  @Override
  public MachineDetail assign(String id, Assignment.Kind kind, String profile) {
    return JsonViews.machineDetailFrom(
        send(
                "PUT",
                V1 + "machines/" + seg(id) + "/assignments/" + kind.name().toLowerCase(Locale.ROOT),
                JsonViews.profileRef(Optional.of(profile)),
                Map.of())
            .json());
  }

  @Override
  public MachineDetail holdOnce(String id, String profile, int maxBoots) {
    return JsonViews.machineDetailFrom(
        send(
                "PUT",
                V1 + "machines/" + seg(id) + "/assignments/once",
                JsonViews.onceRequest(new JsonViews.OnceRequest(profile, maxBoots)),
                Map.of())
            .json());
  }

  @Override
  public int clearAssignments(String id, Optional<String> profile) {
    JsonNode j =
        send(
                "DELETE",
                V1
                    + "machines/"
                    + seg(id)
                    + "/assignments"
                    + profile.map(p -> "?profile=" + query(p)).orElse(""),
                null,
                Map.of())
            .json();
    return (int) j.get("cleared").asLong();
  }

  @Override
  public List<Assignment> assignments() {
    return list(get(V1 + "assignments").json(), JsonViews::assignmentFrom);
  }

  @Override
  public Optional<String> defaultProfile() {
    return JsonViews.profileRefFrom(get(V1 + "default").json());
  }

  @Override
  public void setDefaultProfile(Optional<String> profile, Expect e) {
    send("PUT", V1 + "default", JsonViews.profileRef(profile), expect(e));
  }

  // ------------------------------------------------------------------ profiles, groups

  @Override
  public List<Profile> profiles() {
    return list(get(V1 + "profiles").json(), n -> JsonViews.profileFrom(n, Optional.empty()));
  }

  @Override
  public Profile profile(String name) {
    return JsonViews.profileFrom(get(V1 + "profiles/" + seg(name)).json(), Optional.empty());
  }

  @Override
  public boolean putProfile(Profile p, Expect e) {
    return send("PUT", V1 + "profiles/" + seg(p.name()), JsonViews.profile(p), expect(e)).status()
        == 201;
  }

  @Override
  public void deleteProfile(String name, Expect e) {
    send("DELETE", V1 + "profiles/" + seg(name), null, expect(e));
  }

  @Override
  public List<Group> groups() {
    return list(get(V1 + "groups").json(), n -> JsonViews.groupFrom(n, Optional.empty()));
  }

  @Override
  public Group group(String name) {
    return JsonViews.groupFrom(get(V1 + "groups/" + seg(name)).json(), Optional.empty());
  }

  @Override
  public boolean putGroup(Group g, Expect e) {
    Map<String, Object> body = JsonViews.group(g);
    body.remove("selector");
    return send("PUT", V1 + "groups/" + seg(g.name()), body, expect(e)).status() == 201;
  }

  @Override
  public void deleteGroup(String name, Expect e) {
    send("DELETE", V1 + "groups/" + seg(name), null, expect(e));
  }

  // ------------------------------------------------------------------ events, preview

  @Override
  public List<BootEvent> events(EventFilter f) {
    StringJoiner q = new StringJoiner("&", V1 + "events?", "");
    f.mac().ifPresent(m -> q.add("machine=" + query(m.colon())));
    f.profile().ifPresent(p -> q.add("profile=" + query(p)));
    f.match().ifPresent(m -> q.add("match=" + m.name().toLowerCase(Locale.ROOT)));
    f.since().ifPresent(t -> q.add("since=" + query(t.toString())));
    f.until().ifPresent(t -> q.add("until=" + query(t.toString())));
    f.after().ifPresent(a -> q.add("after=" + a));
    f.before().ifPresent(b -> q.add("before=" + b));
    q.add("limit=" + f.limit());
    return list(get(q.toString()).json().get("events"), JsonViews::eventFrom);
  }

  @Override
  public Preview preview(String id, Optional<String> baseUrl) {
    return JsonViews.previewFrom(
        get(V1
                + "machines/"
                + seg(id)
                + "/preview"
                + baseUrl.map(u -> "?base_url=" + query(u)).orElse(""))
            .json());
  }

  // ------------------------------------------------------------------ imports, media

  private ImportReport importing(String tool, Object body, boolean dryRun) {
    return JsonViews.importReportFrom(
        send("POST", V1 + "imports/" + tool + "?dry_run=" + dryRun, body, Map.of()).json());
  }

  @Override
  public ImportReport importPxeSrv(PxeSrvLayout layout, boolean dryRun) {
    return importing("pxesrv", ImportViews.pxesrv(layout), dryRun);
  }

  @Override
  public ImportReport importPixie(PixieLayout layout, boolean dryRun) {
    return importing("pixie", ImportViews.pixie(layout), dryRun);
  }

  @Override
  public ImportReport importZeroOs(List<ZeroOsProvisionDb.Client> clients, boolean dryRun) {
    return importing("zeroos", ImportViews.zeroos(clients), dryRun);
  }

  @Override
  public byte[] media(MediaOrder order) {
    JsonNode built = send("POST", V1 + "media", order.json(), Map.of()).json();
    String href = built.get("href").stringValue();
    if (!href.startsWith(V1 + "media/")) {
      throw new ApiException(502, Optional.empty(), "unexpected media location " + href);
    }
    byte[] image = send("GET", href, null, Map.of("Accept", "*/*")).body();
    if (image.length != built.get("size").asLong()) {
      throw new ApiException(502, Optional.empty(), "media download cut short");
    }
    return image;
  }

  // ------------------------------------------------------------------ tokens

  @Override
  public Tokens.Created createToken(String name, Role role) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", name);
    body.put("role", role.id());
    JsonNode j = send("POST", V1 + "tokens", body, Map.of()).json();
    return new Tokens.Created(JsonViews.tokenFrom(j), j.get("secret").stringValue());
  }

  @Override
  public List<ApiToken> tokens() {
    return list(get(V1 + "tokens").json(), JsonViews::tokenFrom);
  }

  @Override
  public void revokeToken(String name) {
    send("DELETE", V1 + "tokens/" + seg(name), null, Map.of());
  }

  // ------------------------------------------------------------------ Zero-OS kernels

  @Override
  public List<dev.chainboot.compat.zeroos.ZeroOsKernels.Kernel> zeroOsKernels() {
    return list(get(V1 + "zeroos/kernels").json(), JsonViews::zeroOsKernelFrom);
  }

  @Override
  public List<dev.chainboot.compat.zeroos.ZeroOsKernels.Runmode> zeroOsRunmodes() {
    return list(get(V1 + "zeroos/runmodes").json(), JsonViews::zeroOsRunmodeFrom);
  }

  @Override
  public dev.chainboot.compat.zeroos.ZeroOsKernels.Uploaded uploadZeroOsKernel(
      String name, InputStream body, long declared) {
    try {
      // checked here too: a '/' in the name would never reach the server's check as a path
      dev.chainboot.compat.zeroos.ZeroOsKernels.checkName(name);
    } catch (dev.chainboot.compat.zeroos.ZeroOsRequest.Invalid e) {
      throw ApiException.invalid("name", e.getMessage());
    }
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(server + V1 + "zeroos/kernels/" + seg(name)))
            .timeout(java.time.Duration.ofMinutes(30))
            .header("Authorization", "Bearer " + token)
            .header("Accept", "application/json")
            .header("Content-Type", "application/octet-stream");
    HttpRequest.BodyPublisher publisher =
        declared >= 0
            ? HttpRequest.BodyPublishers.fromPublisher(
                HttpRequest.BodyPublishers.ofInputStream(() -> body), declared)
            : HttpRequest.BodyPublishers.ofInputStream(() -> body);
    HttpResponse<byte[]> r;
    try {
      r = client.send(b.PUT(publisher).build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new ApiException(503, Optional.empty(), "cannot reach " + server + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(503, Optional.empty(), "interrupted");
    }
    if (r.statusCode() >= 300) {
      throw error(r);
    }
    JsonNode j = Json.parse(new String(r.body(), StandardCharsets.UTF_8));
    return new dev.chainboot.compat.zeroos.ZeroOsKernels.Uploaded(
        JsonViews.zeroOsKernelFrom(j), j.get("sha256").stringValue());
  }

  @Override
  public void deleteZeroOsKernel(String name) {
    send("DELETE", V1 + "zeroos/kernels/" + seg(name), null, Map.of());
  }

  @Override
  public dev.chainboot.compat.zeroos.ZeroOsKernels.Runmode switchZeroOsRunmode(
      String runmode, String kernel) {
    return JsonViews.zeroOsRunmodeFrom(
        send("PUT", V1 + "zeroos/runmodes/" + seg(runmode), Map.of("kernel", kernel), Map.of())
            .json());
  }

  @Override
  public void close() {
    client.close();
  }

  /** The MAC a machine id names, asking the server when it is an IP address. */
  MacAddress macOf(String id) {
    return MacAddress.parse(id).orElseGet(() -> machine(id).machine().mac());
  }
}
