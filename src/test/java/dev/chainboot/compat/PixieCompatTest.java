package dev.chainboot.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.boot.MacAddress;
import dev.chainboot.testing.CompatServer;
import dev.chainboot.testing.Curl;
import dev.chainboot.testing.Traversal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** pixie's /ipxe/<mac>.ipxe and /extra/ with curl. */
class PixieCompatTest {

  static CompatServer server;
  static final String SCRIPT = "#!ipxe\nkernel http://example/vmlinuz\nboot\n";

  @BeforeAll
  static void start() throws Exception {
    server = new CompatServer();
    Path scripts = server.data.resolve("scripts");
    Files.writeString(scripts.resolve("00-11-22-33-44-55.ipxe"), SCRIPT);
    Files.writeString(scripts.resolve("aa-bb-cc-dd-ee-0f.ipxe"), SCRIPT + "# hex\n");
    Files.writeString(scripts.resolve("common.ipxe"), "#!ipxe\necho common\n");
    Files.writeString(server.base.resolve("secret.txt"), "TOPSECRET\n");
    Files.createSymbolicLink(scripts.resolve("escape"), server.base.resolve("secret.txt"));
    Path extra = server.base.resolve("extra");
    Files.createDirectories(extra.resolve("sub"));
    Files.writeString(extra.resolve("sub/file.bin"), "extra-content");
    Files.createSymbolicLink(extra.resolve("escape"), server.base.resolve("secret.txt"));
    server.start(Optional.empty(), Optional.of(extra));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @BeforeEach
  void clear() {
    server.resolver.requests.clear();
  }

  @Test
  void macScriptIsServedAsPlainText() throws Exception {
    Curl.Result r = Curl.run(server.url("/ipxe/00-11-22-33-44-55.ipxe"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text()).isEqualTo(SCRIPT);
    assertThat(r.header("content-type")).startsWith("text/plain");
    assertThat(server.resolver.requests).isEmpty();
    assertThat(server.events)
        .anySatisfy(
            e -> {
              assertThat(e.protocol()).isEqualTo("pixie");
              assertThat(e.mac()).contains(MacAddress.parse("00:11:22:33:44:55").orElseThrow());
              assertThat(e.reason()).isEqualTo("pixie script 00-11-22-33-44-55.ipxe");
            });
  }

  @Test
  void upperCaseMacInTheUrlIsNormalised() throws Exception {
    Curl.Result r = Curl.run(server.url("/ipxe/AA-BB-CC-DD-EE-0F.ipxe"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text()).isEqualTo(SCRIPT + "# hex\n");
    Curl.Result colon = Curl.run(server.url("/ipxe/aa:BB:cc:DD:ee:0f.ipxe"));
    assertThat(colon.text()).isEqualTo(SCRIPT + "# hex\n");
    assertThat(server.resolver.requests).isEmpty();
  }

  @Test
  void missingMacFileFallsBackToTheCoreDecision() throws Exception {
    Curl.Result r = Curl.run(server.url("/ipxe/52-54-00-AB-CD-EF.ipxe"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text())
        .startsWith("#!ipxe\n")
        .contains("core-decision mac=52:54:00:ab:cd:ef ip=127.0.0.1");
    assertThat(server.resolver.requests).hasSize(1);
    assertThat(server.resolver.requests.get(0).mac())
        .contains(MacAddress.parse("52:54:00:ab:cd:ef").orElseThrow());
  }

  @Test
  void otherFilesOfTheScriptsDirectoryAndClearMisses() throws Exception {
    assertThat(Curl.run(server.url("/ipxe/common.ipxe")).text()).isEqualTo("#!ipxe\necho common\n");
    Curl.Result miss = Curl.run(server.url("/ipxe/nothing-here.ipxe"));
    assertThat(miss.status()).isEqualTo(404);
    assertThat(miss.text()).contains("nothing-here.ipxe").contains("not a Zero-OS runmode");
    assertThat(server.resolver.requests).isEmpty();
  }

  @Test
  void extraDirectory() throws Exception {
    Curl.Result r = Curl.run(server.url("/extra/sub/file.bin"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text()).isEqualTo("extra-content");
    assertThat(Curl.run("-r", "6-12", server.url("/extra/sub/file.bin")).text())
        .isEqualTo("content");
  }

  @Test
  void traversalFailsOnScriptsAndExtra() throws Exception {
    Traversal.assertRefused(server, "/ipxe/");
    Traversal.assertRefused(server, "/extra/");
    assertThat(server.resolver.requests).isEmpty();
  }
}
