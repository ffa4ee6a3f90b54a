package dev.chainboot.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Machine;
import dev.chainboot.boot.Profile;
import dev.chainboot.ipxe.IpxeSafe;
import dev.chainboot.store.Store;
import dev.chainboot.testing.ParsedScript;
import dev.chainboot.testing.TestServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile values from requests (hostname, uuid, serial), labels and templates never add an iPXE
 * command: the script parsed into commands is the same as for a harmless value.
 */
class InjectionTest {

  static final MacAddress MAC = MacAddress.parse("52:54:00:12:34:56").orElseThrow();
  static final List<String> HOSTILE =
      List.of(
          "x\nshell",
          "x\r\nchain http://evil/x",
          "${net0/ip}",
          "x && reboot",
          "x || shell",
          "x ; reboot",
          "\"x\" && shell",
          "'x' || shell",
          "x\u0000shell",
          "x #comment",
          ":label\ngoto label",
          "x`reboot`",
          "x\\nshell",
          "x%0Ashell",
          "é ${mac} ||");

  @TempDir Path data;
  TestServer ts;
  Store store;

  @BeforeEach
  void start() throws Exception {
    ts = new TestServer(data);
    store = ts.server.store();
    store.putProfile(
        Profile.script(
            "tpl",
            """
        #!ipxe
        echo host {{hostname}} serial {{serial}} uuid {{uuid}} rack {{labels.rack}}
        set hn {{hostname}}
        chain {{base_url}}/next?h={{hostname}}&r={{labels.rack}}
        """));
    store.putProfile(
        Profile.kernel(
            "k",
            "{{base_url}}/k?h={{hostname}}",
            List.of("{{base_url}}/i?r={{labels.rack}}"),
            "console=ttyS0 hn={{hostname}} r={{labels.rack}}"));
    store.putProfile(Profile.chain("c", "{{base_url}}/c/{{labels.rack}}?s={{serial}}"));
  }

  @AfterEach
  void stop() {
    ts.close();
  }

  String script(String profile, String value) throws Exception {
    store.putMachine(Machine.of(MAC).withLabels(Map.of("rack", value)));
    store.setDefaultProfile(Optional.of(profile));
    String q = URLEncoder.encode(value, StandardCharsets.UTF_8);
    var r =
        ts.get(
            "/boot/resolve?mac=" + MAC.hexhyp() + "&hostname=" + q + "&serial=" + q + "&uuid=" + q);
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  static List<String> shape(String text) {
    return new ParsedScript(text).commands.stream().map(ParsedScript.Command::name).toList();
  }

  @Test
  void hostileRequestValuesAndLabelsAddNoCommand() throws Exception {
    for (String profile : List.of("tpl", "k", "c")) {
      String benign = script(profile, "node1");
      assertThat(benign).doesNotContain("chainboot: error");
      List<String> expected = shape(benign);
      long lines = benign.lines().count();
      for (String evil : HOSTILE) {
        String s = script(profile, evil);
        assertThat(s).as("%s with %s", profile, evil).doesNotContain("chainboot: error");
        assertThat(shape(s)).as("%s with %s:%n%s", profile, evil, s).isEqualTo(expected);
        assertThat(s.lines().count()).as("%s with %s", profile, evil).isEqualTo(lines);
        assertThat(ParsedScript.expansions(s))
            .as("%s with %s", profile, evil)
            .isEqualTo(ParsedScript.expansions(benign));
        assertThat(new ParsedScript(s).commands)
            .allSatisfy(
                c ->
                    assertThat(c.words())
                        .noneMatch(
                            w ->
                                w.equals("shell")
                                    || w.equals("reboot")
                                    || w.contains("\"")
                                    || w.contains("'")
                                    || w.contains("\\")
                                    || w.contains("`")));
      }
    }
  }

  @Test
  void unsafeOperatorFieldsGiveAnErrorScriptInsteadOfCommands() throws Exception {
    List<Profile> bad =
        List.of(
            Profile.kernel("b1", "http://x/k", List.of(), "quiet && shell"),
            Profile.kernel("b2", "http://x/k", List.of(), "quiet\nshell"),
            Profile.kernel("b3", "http://x/k", List.of(), "a=\"b c\""),
            Profile.kernel("b4", "http://x/k", List.of(), "a;shell"),
            Profile.kernel("b5", "http://x/k", List.of(), "root=${root}"),
            Profile.kernel("b6", "http://x/k || shell", List.of(), null),
            Profile.kernel("b7", "http://x/k", List.of("http://x/i\nshell"), null),
            Profile.chain("b8", "http://x/${evil}"),
            Profile.chain("b9", "http://x/a&&shell"),
            Profile.chain("b10", "http://x/a b"),
            Profile.chain("b11", "http://x/'a'"));
    for (Profile p : bad) {
      store.putProfile(p);
      store.setDefaultProfile(Optional.of(p.name()));
      var r = ts.get("/boot/resolve?mac=" + MAC.hexhyp());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).as(p.name()).contains("chainboot: error");
      assertThat(new ParsedScript(r.body()).commandNames())
          .as(p.name())
          .containsOnly("echo", "sleep", "set", "exit");
      // issue 13: the only set is chainboot's own leave flag
      assertThat(new ParsedScript(r.body()).named("set"))
          .as(p.name())
          .extracting(ParsedScript.Command::words)
          .containsExactly(List.of("set", "chainboot-leave", "1"));
    }
  }

  @Test
  void hostileHostHeaderIsNotUsedAsBaseUrl() throws Exception {
    String good = rawGet("/boot.ipxe", "127.0.0.1:" + ts.server.httpPort());
    List<String> expected = shape(good.substring(good.indexOf("#!ipxe")));
    int scripts = 0;
    for (String host : List.of("x${net0/ip}", "a&&b", "a b", "evil;shell", "x'y", "a|b", "x\"y")) {
      String s = rawGet("/boot.ipxe", host);
      // Jetty itself refuses most of these with 400; what it lets through must not be used.
      if (s.startsWith("HTTP/1.1 400")) {
        continue;
      }
      scripts++;
      assertThat(s)
          .startsWith("HTTP/1.1 200")
          .contains("chain --autofree http://127.0.0.1:" + ts.server.httpPort() + "/boot/resolve?")
          .doesNotContain(host);
      assertThat(shape(s.substring(s.indexOf("#!ipxe")))).isEqualTo(expected);
    }
    assertThat(scripts).as("some hostile Host headers reach the handler").isPositive();
  }

  String rawGet(String path, String host) throws Exception {
    try (Socket s = new Socket("127.0.0.1", ts.server.httpPort())) {
      OutputStream o = s.getOutputStream();
      o.write(
          ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      o.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void safeValueAndTextKeepNoParserCharacters() {
    for (String evil : HOSTILE) {
      assertThat(IpxeSafe.value(evil)).matches("[A-Za-z0-9._~:/@+=,%-]*");
      assertThat(IpxeSafe.text(evil))
          .doesNotContain("$", "{", "&", "|", ";", "\"", "'", "\n", "\r", "#", "\\", "`");
    }
    assertThat(IpxeSafe.value("rack-1.a_b")).isEqualTo("rack-1.a_b");
    assertThat(IpxeSafe.value("a b")).isEqualTo("a%20b");
  }
}
