package dev.chainboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.boot.Assignment;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Machine;
import dev.chainboot.boot.Profile;
import dev.chainboot.store.SqliteStore;
import dev.chainboot.testing.Curl;
import dev.chainboot.testing.Jar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code boot once --until-done}, {@code chainboot events MACHINE}, {@code --stall-after} and
 * {@code --log-format json} as an operator uses them: the real jar, a simulated machine (curl).
 */
class TimelineCliIT {

  static final String MAC = "52:54:00:d0:0e:01";
  static final String LOOPER = "52:54:00:d0:0e:02";
  static final String STALLER = "52:54:00:d0:0e:03";
  static final Pattern DONE = Pattern.compile("chainboot\\.done=(\\S+)");
  static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir Path tmp;

  Jar.Result cb(String... args) throws Exception {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--data";
    all[args.length + 1] = tmp.resolve("data").toString();
    Jar.Result r = Jar.run(all);
    assertThat(r.code()).as("chainboot %s: %s%s", List.of(args), r.out(), r.err()).isZero();
    return r;
  }

  static String boot(Jar.Server server, String mac) throws Exception {
    Curl.Result r = Curl.run(server.base() + "/boot/resolve?mac=" + mac.replace(':', '-'));
    assertThat(r.status()).isEqualTo(200);
    return r.text();
  }

  /** The STAGE column of {@code chainboot events MACHINE}'s table. */
  static List<String> stages(String out) {
    List<String> lines = out.lines().toList();
    assertThat(lines.getFirst()).startsWith("ID").contains("STAGE");
    int stage = lines.getFirst().indexOf("STAGE");
    return lines.stream().skip(1).map(l -> l.substring(stage).split(" +")[0]).toList();
  }

  @Test
  void anInstallUntilDoneItsTimelineAStallAndJsonLogs() throws Exception {
    Path data = tmp.resolve("data");
    Files.createDirectories(data.resolve("assets"));
    Files.write(data.resolve("assets/linux"), new byte[4096]);
    Files.write(data.resolve("assets/initrd.gz"), new byte[2048]);
    // the set-up straight into the store (every JVM start costs seconds); the CLI for what is
    // tested
    try (SqliteStore store = SqliteStore.open(data)) {
      store.putProfile(
          Profile.kernel(
              "install",
              "{{base_url}}/assets/linux",
              List.of("{{base_url}}/assets/initrd.gz"),
              "auto=true chainboot.done={{done_url}}"));
      store.putProfile(Profile.localDisk("disk"));
      for (String m : List.of(MAC, LOOPER, STALLER)) {
        MacAddress mac = MacAddress.parse(m).orElseThrow();
        store.putMachine(Machine.of(mac));
        store.assign(
            new Assignment(mac, Assignment.Kind.STATIC, m.equals(STALLER) ? "install" : "disk"));
      }
    }
    assertThat(cb("boot", "once", MAC, "install", "--until-done").out())
        .contains("until its installer calls back")
        .contains("at most 3 boots");
    cb("boot", "once", LOOPER, "install", "--until-done", "--max-boots", "1");
    Jar.Result bad =
        Jar.run("boot", "once", MAC, "install", "--max-boots", "2", "--data", data.toString());
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("--max-boots needs --until-done");

    // the API is on the admin listener, behind a token
    Matcher viewer =
        Pattern.compile("cbt_\\S+")
            .matcher(cb("token", "create", "timeline", "--role", "viewer").out());
    assertThat(viewer.find()).isTrue();
    int adminPort = Jar.freePort();

    Path log = tmp.resolve("server.log");
    String token;
    try (Jar.Server server =
        new Jar.Server(
            data,
            log,
            "--stall-after",
            "3s",
            "--log-format",
            "json",
            "--admin",
            "127.0.0.1:" + adminPort)) {
      // the install, twice, each fetching its kernel and initrd: the callback is missing
      String second = null;
      for (int i = 0; i < 2; i++) {
        second = boot(server, MAC);
        assertThat(second).contains("/assets/linux");
        assertThat(Curl.run(server.base() + "/assets/linux").status()).isEqualTo(200);
        assertThat(Curl.run(server.base() + "/assets/initrd.gz").status()).isEqualTo(200);
      }
      assertThat(cb("machine", "show", MAC).out())
          .contains("install:  installing install until done (boot 2 of 3)");
      Matcher m = DONE.matcher(second);
      assertThat(m.find()).isTrue();
      String url = m.group(1);
      assertThat(url).startsWith(server.base() + "/done/");
      token = url.substring(url.lastIndexOf('/') + 1);

      // the installer calls back: its static profile from now on; the URL works once
      assertThat(Curl.run("-X", "POST", url).status()).isEqualTo(200);
      assertThat(Curl.run("-X", "POST", url).status()).isEqualTo(410);
      assertThat(boot(server, MAC)).contains("sanboot").doesNotContain("/assets/linux");

      // no callback at all: past --max-boots it falls to its static profile, flagged
      assertThat(boot(server, LOOPER)).contains("/assets/linux");
      assertThat(boot(server, LOOPER)).contains("sanboot");

      // a machine that got its script and never asked for its kernel: stalled
      assertThat(boot(server, STALLER)).contains("/assets/linux");
      JsonNode api = null;
      for (int i = 0; i < 120; i++) {
        api =
            JSON.readTree(
                    Curl.run(
                            "-H",
                            "Authorization: Bearer " + viewer.group(),
                            "http://127.0.0.1:" + adminPort + "/api/v1/events?machine=" + STALLER)
                        .text())
                .get("events");
        if (api.size() > 1) {
          break;
        }
        Thread.sleep(250);
      }
      // the API shows the timeline
      assertThat(api.size()).as("events of %s: %s", STALLER, api).isEqualTo(2);
      assertThat(api.get(0).get("stage").asString()).isEqualTo("script");
      assertThat(api.get(0).get("detail").get("expects").asString())
          .isEqualTo("/assets/linux /assets/initrd.gz");
      assertThat(api.get(1).get("stage").asString()).isEqualTo("stalled");
      assertThat(api.get(1).get("match").isNull()).isTrue();

      // and chainboot events MACHINE, stage by stage
      String events = cb("events", MAC).out();
      assertThat(stages(events))
          .containsExactly(
              "script",
              "download",
              "download",
              "script",
              "download",
              "download",
              "callback",
              "callback",
              "script");
      assertThat(events).contains("boot 2 of 3").contains("callback refused");
      assertThat(events).doesNotContain(token);
      String stalled = cb("events", STALLER).out();
      assertThat(stages(stalled)).containsExactly("script", "stalled");
      assertThat(stalled)
          .contains("stalled: got its script (install), never asked for /assets/linux");
      assertThat(cb("machine", "show", MAC).out())
          .contains("install:  install of install done after 2 boots");
      assertThat(cb("machine", "show", LOOPER).out())
          .contains("install loop: install booted 1 time without its callback");
    }

    // --log-format json: every line one object, with the fields log shippers use
    List<String> lines = Files.readAllLines(log);
    assertThat(lines).hasSizeGreaterThan(5);
    assertThat(String.join("\n", lines))
        .as("callback tokens stay out of the log")
        .doesNotContain(token);
    boolean sawAccess = false;
    for (String line : lines) {
      JsonNode o;
      try {
        o = JSON.readTree(line);
      } catch (RuntimeException e) {
        throw new AssertionError("not a JSON line: " + line, e);
      }
      assertThat(o.isObject()).as(line).isTrue();
      for (String k : List.of("time", "level", "logger", "thread", "message")) {
        assertThat(o.has(k)).as("%s in %s", k, line).isTrue();
      }
      sawAccess |=
          o.get("logger").asString().equals("http")
              && o.get("message").asString().contains("POST /done/");
    }
    assertThat(sawAccess).as("the access log line of the callback").isTrue();
    assertThat(lines)
        .anySatisfy(l -> assertThat(l).contains("\"level\":\"INFO\"").contains("stalled"));
  }
}
