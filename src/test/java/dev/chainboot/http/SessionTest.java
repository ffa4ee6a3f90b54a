package dev.chainboot.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.auth.LoginThrottle;
import dev.chainboot.auth.Role;
import dev.chainboot.config.TlsFiles;
import dev.chainboot.testing.AdminServer;
import dev.chainboot.testing.Certs;
import dev.chainboot.testing.Curl;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * UI sessions as a browser meets them, driven with the real curl (its cookie jar, raw headers):
 * logging in with a token, the session cookie's flags, CSRF on every state change, login CSRF,
 * logout, revocation ending sessions, login throttling, the security headers, and TLS (Secure
 * cookies, HSTS).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SessionTest {

  @TempDir Path tmp;

  /** A curl answer with every header line (Set-Cookie comes more than once). */
  record Raw(int status, List<String> headers, String body) {
    List<String> all(String name) {
      String p = name.toLowerCase(Locale.ROOT) + ":";
      return headers.stream()
          .filter(h -> h.toLowerCase(Locale.ROOT).startsWith(p))
          .map(h -> h.substring(p.length()).strip())
          .toList();
    }

    Optional<String> first(String name) {
      return all(name).stream().findFirst();
    }

    Optional<String> cookie(String name) {
      return all("Set-Cookie").stream().filter(c -> c.startsWith(name + "=")).findFirst();
    }
  }

  Raw curl(String... args) throws Exception {
    Path h = Files.createTempFile(tmp, "h", ".txt");
    Path b = Files.createTempFile(tmp, "b", ".txt");
    List<String> cmd =
        new ArrayList<>(
            List.of("curl", "-s", "--max-time", "60", "-D", h.toString(), "-o", b.toString()));
    cmd.addAll(List.of(args));
    Curl.ProcessOutput o = Curl.exec(cmd);
    assertThat(o.exit()).as(o.stderr()).isZero();
    List<String> lines = Files.readAllLines(h, StandardCharsets.ISO_8859_1);
    int status = Integer.parseInt(lines.get(0).split(" ")[1]);
    return new Raw(status, lines.subList(1, lines.size()), Files.readString(b));
  }

  static String formValue(String html, String name) {
    Matcher m = Pattern.compile("name=\"" + name + "\" value=\"([^\"]*)\"").matcher(html);
    assertThat(m.find()).as("form field " + name + " in\n" + html).isTrue();
    return m.group(1);
  }

  /** Logs in through the form with {@code token}; returns the answer to the POST. */
  Raw login(String base, Path jar, String token, String next, String... extra) throws Exception {
    Raw form = curl(concat(extra, "-c", jar.toString(), base + "/login"));
    assertThat(form.status()).isEqualTo(200);
    String csrf = formValue(form.body(), "csrf");
    return curl(
        concat(
            extra,
            "-b",
            jar.toString(),
            "-c",
            jar.toString(),
            "--data-urlencode",
            "token=" + token,
            "--data-urlencode",
            "csrf=" + csrf,
            "--data-urlencode",
            "next=" + next,
            base + "/login"));
  }

  static String[] concat(String[] a, String... b) {
    String[] out = new String[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void aLoginOpensAStrictSessionAndStateChangesNeedItsCsrfToken() throws Exception {
    try (AdminServer s = new AdminServer(tmp.resolve("data"))) {
      String base = s.adminBase();
      Path jar = tmp.resolve("jar");
      Raw form = curl("-c", jar.toString(), base + "/login");
      assertThat(form.first("Content-Type"))
          .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
      assertThat(form.cookie("chainboot_login"))
          .hasValueSatisfying(c -> assertThat(c).contains("HttpOnly").contains("SameSite=Strict"));

      Raw in = login(base, jar, s.token(Role.OPERATOR), "/api/v1/whoami");
      assertThat(in.status()).isEqualTo(303);
      assertThat(in.first("Location")).contains("/api/v1/whoami");
      String cookie = in.cookie("chainboot_session").orElseThrow();
      assertThat(cookie)
          .contains("HttpOnly")
          .contains("SameSite=Strict")
          .contains("Path=/")
          .doesNotContain(
              "Secure"); // plain HTTP on loopback: a Secure cookie would never come back
      Raw who = curl("-b", jar.toString(), base + "/api/v1/whoami");
      assertThat(who.status()).isEqualTo(200);
      assertThat(who.body()).contains("\"via\":\"session\"").contains("\"role\":\"operator\"");

      // The signed-in page carries the session's CSRF token in its logout form.
      Raw home = curl("-b", jar.toString(), "-H", "Accept: text/html", base + "/");
      assertThat(home.status()).isEqualTo(200);
      String csrf = formValue(home.body(), "csrf");
      String profile = "{\"kind\":\"local-disk\"}";
      String url = base + "/api/v1/profiles/sess";
      String[] json = {"-H", "Content-Type: application/json", "-X", "PUT", "--data", profile};
      assertThat(curl(concat(json, "-b", jar.toString(), url)).status())
          .as("no CSRF token")
          .isEqualTo(403);
      assertThat(curl(concat(json, "-b", jar.toString(), "-H", "X-CSRF-Token: nope", url)).status())
          .as("wrong CSRF token")
          .isEqualTo(403);
      assertThat(
              curl(concat(
                      json,
                      "-b",
                      jar.toString(),
                      "-H",
                      "X-CSRF-Token: " + csrf,
                      "-H",
                      "Origin: http://evil.example",
                      url))
                  .status())
          .as("right token, another site")
          .isEqualTo(403);
      assertThat(s.server.store().profile("sess")).isEmpty();
      assertThat(
              curl(concat(json, "-b", jar.toString(), "-H", "X-CSRF-Token: " + csrf, url)).status())
          .isEqualTo(201);
      assertThat(
              curl(concat(
                      json,
                      "-b",
                      jar.toString(),
                      "-H",
                      "X-CSRF-Token: " + csrf,
                      "-H",
                      "Origin: " + base,
                      url))
                  .status())
          .as("same origin")
          .isEqualTo(200);

      // Logout is a state change too: without the token it is refused; with the form field it
      // ends the session.
      assertThat(curl("-b", jar.toString(), "-X", "POST", base + "/logout").status())
          .isEqualTo(403);
      Raw out =
          curl(
              "-b",
              jar.toString(),
              "-c",
              jar.toString(),
              "--data-urlencode",
              "csrf=" + csrf,
              base + "/logout");
      assertThat(out.status()).isEqualTo(303);
      assertThat(out.cookie("chainboot_session"))
          .hasValueSatisfying(
              c ->
                  assertThat(c)
                      .startsWith("chainboot_session=;")
                      .contains("Expires=Thu, 01 Jan 1970"));
      assertThat(
              curl("-b", "chainboot_session=" + cookieValue(cookie), base + "/api/v1/whoami")
                  .status())
          .as("the old session id after logout")
          .isEqualTo(401);
    }
  }

  static String cookieValue(String setCookie) {
    return setCookie.substring(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));
  }

  @Test
  void loginsAreRefusedWithoutTheFormsTokenWithABadTokenAndWhenThrottled() throws Exception {
    try (AdminServer s = new AdminServer(tmp.resolve("data"))) {
      String base = s.adminBase();
      Path jar = tmp.resolve("jar");
      Raw noCsrf = curl("--data-urlencode", "token=" + s.token(Role.ADMIN), base + "/login");
      assertThat(noCsrf.status()).as("login CSRF: no form cookie").isEqualTo(403);
      assertThat(noCsrf.cookie("chainboot_session")).isEmpty();

      Raw next = login(base, jar, s.token(Role.VIEWER), "//evil.example/x");
      assertThat(next.first("Location")).contains("/");
      assertThat(next.first("Location").orElseThrow()).doesNotContain("evil");

      for (int i = 0; i < LoginThrottle.PER_CLIENT; i++) {
        Raw bad = login(base, jar, "cbt_wrong" + i, "/");
        assertThat(bad.status()).isEqualTo(401);
        assertThat(bad.body()).contains("Unknown or revoked token");
        assertThat(bad.cookie("chainboot_session")).isEmpty();
      }
      Raw blocked = login(base, jar, s.token(Role.ADMIN), "/");
      assertThat(blocked.status()).as("even the right token, while throttled").isEqualTo(429);
      assertThat(blocked.cookie("chainboot_session")).isEmpty();
      assertThat(Long.parseLong(blocked.first("Retry-After").orElseThrow())).isBetween(1L, 600L);
      Raw api = curl("-H", "Authorization: Bearer " + s.token(Role.ADMIN), base + "/api/v1/whoami");
      assertThat(api.status()).as("bearer tokens from that address too").isEqualTo(429);
      s.server.guard().throttle().reset();
      assertThat(login(base, jar, s.token(Role.ADMIN), "/").status()).isEqualTo(303);
    }
  }

  @Test
  void revokingATokenEndsItsSessions() throws Exception {
    try (AdminServer s = new AdminServer(tmp.resolve("data"))) {
      String secret = s.server.guard().tokens().create("alice", Role.OPERATOR).secret();
      Path jar = tmp.resolve("jar");
      assertThat(login(s.adminBase(), jar, secret, "/").status()).isEqualTo(303);
      assertThat(curl("-b", jar.toString(), s.adminBase() + "/api/v1/whoami").status())
          .isEqualTo(200);
      assertThat(s.admin("DELETE", "/api/v1/tokens/alice", null).status()).isEqualTo(204);
      assertThat(curl("-b", jar.toString(), s.adminBase() + "/api/v1/whoami").status())
          .isEqualTo(401);
      assertThat(s.server.guard().sessions().size()).isZero();
    }
  }

  @Test
  void everyAdminAnswerCarriesTheSecurityHeadersAndBrowsersAreSentToTheLoginPage()
      throws Exception {
    try (AdminServer s = new AdminServer(tmp.resolve("data"))) {
      String base = s.adminBase();
      for (Raw r :
          List.of(
              curl(base + "/login"),
              curl(base + "/api/v1/whoami"),
              curl("-H", "Authorization: Bearer " + s.token(Role.VIEWER), base + "/api/v1/whoami"),
              curl("-H", "Authorization: Bearer " + s.token(Role.VIEWER), base + "/api/v1/nothing"),
              curl(base + "/health"))) {
        assertThat(r.first("Content-Security-Policy"))
            .contains(SecurityHeaders.CSP)
            .hasValueSatisfying(
                v ->
                    assertThat(v)
                        .contains("frame-ancestors 'none'")
                        .contains("default-src 'self'"));
        assertThat(r.first("X-Content-Type-Options")).contains("nosniff");
        assertThat(r.first("X-Frame-Options")).contains("DENY");
        assertThat(r.first("Referrer-Policy")).contains("no-referrer");
        assertThat(r.first("Cache-Control")).contains("no-store");
        assertThat(r.first("Strict-Transport-Security")).as("plain HTTP").isEmpty();
      }
      Raw browser = curl("-H", "Accept: text/html", base + "/machines?q=a");
      assertThat(browser.status()).isEqualTo(303);
      assertThat(browser.first("Location")).contains("/login?next=%2Fmachines%3Fq%3Da");
      Raw api = curl("-H", "Accept: text/html", base + "/api/v1/machines");
      assertThat(api.status()).as("API paths say 401, never redirect").isEqualTo(401);
      assertThat(api.first("WWW-Authenticate")).contains("Bearer realm=\"chainboot\"");
      assertThat(curl(s.bootBase() + "/health").first("Content-Security-Policy"))
          .as("the boot listener serves firmware, not browsers")
          .isEmpty();
    }
  }

  @Test
  void overTlsCookiesAreSecureAndHstsIsSent() throws Exception {
    TlsFiles tls = Certs.selfSigned(Files.createDirectories(tmp.resolve("tls")));
    try (AdminServer s = new AdminServer(tmp.resolve("data"), Optional.of(tls))) {
      assertThat(s.adminBase()).startsWith("https://");
      String[] ca = {"--cacert", tls.cert().toString()};
      Raw in = login(s.adminBase(), tmp.resolve("jar"), s.token(Role.VIEWER), "/", ca);
      assertThat(in.status()).isEqualTo(303);
      assertThat(in.cookie("chainboot_session"))
          .hasValueSatisfying(
              c ->
                  assertThat(c)
                      .contains("Secure")
                      .contains("HttpOnly")
                      .contains("SameSite=Strict"));
      Raw who =
          curl(
              concat(
                  ca,
                  "-H",
                  "Authorization: Bearer " + s.token(Role.VIEWER),
                  s.adminBase() + "/api/v1/whoami"));
      assertThat(who.status()).isEqualTo(200);
      assertThat(who.first("Strict-Transport-Security")).contains("max-age=31536000");
      Curl.ProcessOutput plain =
          Curl.exec(
              List.of(
                  "curl",
                  "-s",
                  "--max-time",
                  "20",
                  "-o",
                  "/dev/null",
                  "-w",
                  "%{http_code}",
                  "http://127.0.0.1:" + s.server.adminPort() + "/health"));
      assertThat(plain.stdout()).as("no plain HTTP on the TLS port").isNotEqualTo("200");
    }
  }
}
