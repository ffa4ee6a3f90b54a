package dev.chainboot.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.ipxe.ChainScripts;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the doctor reads out of chainboot's own scripts. */
class ScriptLinksTest {

  static final Map<String, String> SETTINGS =
      Map.of(
          "mac:hexhyp", "02-cb-d0-c7-00-01",
          "serial", "",
          "hostname", "",
          "buildarch", "x86_64",
          "platform", "efi",
          "uuid", "u-u-i-d");

  @Test
  void theResolveChainCarriesTheIdentityQuery() {
    String script = ChainScripts.resolveChain("http://10.0.0.1:8080", "");
    ScriptLinks.Parsed p = ScriptLinks.parse(script, SETTINGS);
    assertThat(p.links())
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.chain()).isTrue();
              assertThat(l.url())
                  .isEqualTo(
                      "http://10.0.0.1:8080/boot/resolve?mac=02-cb-d0-c7-00-01&serial=&hostname="
                          + "&buildarch=x86_64&platform=efi&uuid=u-u-i-d");
              assertThat(l.unknown()).isEmpty();
            });
    assertThat(ScriptLinks.isScript(script)).isTrue();
  }

  @Test
  void kernelAndInitrdAndTheHttpsChain() {
    String script =
        "#!ipxe\n"
            + ":k\nkernel http://h/assets/vmlinuz console=ttyS0 && goto i ||\n"
            + ":i\ninitrd --name initrd http://h/assets/initrd.img && goto b ||\n"
            + "echo chainboot: kernel download failed\n:b\nboot\n";
    ScriptLinks.Parsed p = ScriptLinks.parse(script, SETTINGS);
    assertThat(p.links())
        .extracting(ScriptLinks.Link::command, ScriptLinks.Link::url)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("kernel", "http://h/assets/vmlinuz"),
            org.assertj.core.groups.Tuple.tuple("initrd", "http://h/assets/initrd.img"));
    ScriptLinks.Parsed https =
        ScriptLinks.parse(ChainScripts.httpsChain("https://h:8443", Optional.empty()), SETTINGS);
    assertThat(https.links())
        .singleElement()
        .satisfies(l -> assertThat(l.url()).startsWith("https://h:8443/boot.ipxe?mac=02-cb"));
  }

  @Test
  void unknownSettingsAreNamedAndLocalBootIsSeen() {
    ScriptLinks.Parsed p =
        ScriptLinks.parse("#!ipxe\nchain http://h/${net0/ip}/x\nsanboot --drive 0x80\n", SETTINGS);
    assertThat(p.links().getFirst().unknown()).containsExactly("net0/ip");
    assertThat(p.links().getFirst().url()).isEqualTo("http://h//x");
    assertThat(
            ScriptLinks.parse("#!ipxe\nsanboot --no-describe --drive 0x80\n", SETTINGS).sanboot())
        .isTrue();
    ScriptLinks.Parsed nothing =
        ScriptLinks.parse("#!ipxe\necho chainboot: nothing\nexit 1\n", SETTINGS);
    assertThat(nothing.links()).isEmpty();
    assertThat(nothing.echoes()).containsExactly("chainboot: nothing");
    assertThat(ScriptLinks.isScript("<html>")).isFalse();
  }
}
