package dev.chainboot.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ChainUrlTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://10.0.2.2:8080/boot.ipxe?mac=52-54-00-12-34-56&x=y",
        "HTTPS://boot.example/a%20b/boot.ipxe",
        "tftp://192.168.1.1/chain.ipxe",
        "ftp://user:pw@host/file",
        "nfs://server/export/boot.ipxe",
        "iscsi:10.0.0.1::::iqn.2010-04.org.ipxe:disk",
        "http://[fe80::1]:8080/x"
      })
  void acceptsWhatIpxeCanChain(String url) {
    assertThat(ChainUrl.parse(url).value()).isEqualTo(url);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      commentCharacter = '\u0001',
      value = {
        "http://host/a b|space (U+0020) at position 14|%20",
        "http://host/a\tb|tab (U+0009) at position 14|%09",
        "http://host/a\"b|double quote (U+0022) at position 14|%22",
        "http://host/a'b|single quote (U+0027) at position 14|%27",
        "http://host/a\\b|backslash (U+005C) at position 14|%5C",
        "http://host/a#b|'#' (fragment) (U+0023) at position 14|%23",
        "http://host/a<b|'<' (U+003C) at position 14|%3C",
        "http://host/aéb|'é' (U+00E9) at position 14|%C3%A9",
        "http://host/a{b|'{' (U+007B) at position 14|%7B"
      })
  void rejectsCharactersThatWouldChangeTheScript(String url, String where, String encoding) {
    assertThatThrownBy(() -> ChainUrl.parse(url))
        .isInstanceOf(MediaInputException.class)
        .hasMessageContaining(where)
        .hasMessageContaining("percent-encode it as " + encoding);
  }

  @Test
  void rejectsLineBreaksThatWouldAddCommands() {
    assertThatThrownBy(() -> ChainUrl.parse("http://host/x\nshell"))
        .hasMessageContaining("line feed (U+000A) at position 14");
    assertThatThrownBy(() -> ChainUrl.parse("http://host/x\rshell"))
        .hasMessageContaining("carriage return (U+000D)");
    assertThatThrownBy(() -> ChainUrl.parse("http://host/x\u0000"))
        .hasMessageContaining("control character (U+0000)");
  }

  @Test
  void rejectsSettingExpansion() {
    assertThatThrownBy(() -> ChainUrl.parse("http://host/${mac}"))
        .hasMessageContaining("'${' at position 13")
        .hasMessageContaining("%24");
  }

  @Test
  void rejectsBadPercentSchemesAndHosts() {
    assertThatThrownBy(() -> ChainUrl.parse("http://host/100%")).hasMessageContaining("%25");
    assertThatThrownBy(() -> ChainUrl.parse("file:///etc/passwd"))
        .hasMessageContaining("scheme 'file'");
    assertThatThrownBy(() -> ChainUrl.parse("host/boot.ipxe"))
        .hasMessageContaining("scheme is missing");
    assertThatThrownBy(() -> ChainUrl.parse("http:/host")).hasMessageContaining("http://HOST");
    assertThatThrownBy(() -> ChainUrl.parse("http:///x")).hasMessageContaining("no host");
    assertThatThrownBy(() -> ChainUrl.parse("")).hasMessageContaining("no URL");
    assertThatThrownBy(() -> ChainUrl.parse("http://h/" + "a".repeat(3000)))
        .hasMessageContaining("at most");
  }

  @Test
  void httpsCarriesATrustNote() {
    assertThat(ChainUrl.parse("https://h/x").note())
        .get()
        .asString()
        .contains("certificate authority");
    assertThat(ChainUrl.parse("http://h/x").note()).isEmpty();
  }

  @Test
  void defaultScriptChainsTheUrlAndFallsBackToTheShell() {
    String s =
        new String(
            MediaScript.chainTo(ChainUrl.parse("http://h/x?a=1&b=2")), StandardCharsets.US_ASCII);
    assertThat(s)
        .startsWith("#!ipxe\n")
        .contains("\ndhcp && goto chain ||\n")
        .contains("\nchain http://h/x?a=1&b=2 ||\n")
        .endsWith("\nshell\n")
        .doesNotContain("reboot");
  }

  @Test
  void userScriptMustStartWithTheIpxeMagic() {
    assertThat(MediaScript.userScript("#!ipxe\necho hi\n".getBytes())).isNotEmpty();
    assertThatThrownBy(() -> MediaScript.userScript("echo hi\n".getBytes()))
        .hasMessageContaining("#!ipxe");
    assertThatThrownBy(() -> MediaScript.userScript("#!ipxeecho".getBytes()))
        .hasMessageContaining("#!ipxe");
    assertThatThrownBy(() -> MediaScript.userScript("#!ipxe\n\0".getBytes()))
        .hasMessageContaining("NUL");
    assertThatThrownBy(() -> MediaScript.userScript(new byte[0])).hasMessageContaining("#!ipxe");
  }

  @Test
  void labelsAndArchs() {
    assertThat(MediaSpec.checkLabel("boot_1")).isEqualTo("BOOT_1");
    assertThatThrownBy(() -> MediaSpec.checkLabel("TOO_LONG_LABEL"))
        .hasMessageContaining("1 to 11");
    assertThatThrownBy(() -> MediaSpec.checkLabel("a b")).hasMessageContaining("not valid");
    assertThat(MediaSpec.parseArchs("x86_64,arm64")).hasSize(2);
    assertThat(MediaSpec.parseArchs("amd64")).containsExactly(dev.chainboot.boot.Arch.X86_64);
    assertThatThrownBy(() -> MediaSpec.parseArchs("riscv64")).hasMessageContaining("riscv64");
  }

  /** Random URLs over a hostile alphabet: whatever is accepted leaves the script's shape alone. */
  @Test
  void acceptedUrlsNeverChangeTheScriptsShape() {
    String alphabet = "ab:/?&=%${}#\"' \t\n\r\\;|<>`^~.-_0123456789AFéあ\u0000\u007f";
    String reference =
        new String(MediaScript.chainTo(ChainUrl.parse("http://h/x")), StandardCharsets.US_ASCII);
    long lines = reference.lines().count();
    java.util.Random rnd = new java.util.Random(42);
    int accepted = 0;
    for (int i = 0; i < 20000; i++) {
      StringBuilder u = new StringBuilder("http://h/");
      int n = rnd.nextInt(12);
      for (int j = 0; j < n; j++) {
        u.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
      }
      ChainUrl url;
      try {
        url = ChainUrl.parse(u.toString());
      } catch (MediaInputException e) {
        assertThat(e.getMessage()).isNotBlank();
        continue;
      }
      accepted++;
      String script = new String(MediaScript.chainTo(url), StandardCharsets.US_ASCII);
      assertThat(script.lines().count()).isEqualTo(lines);
      assertThat(script).contains("\nchain " + url.value() + " ||\n");
      assertThat(url.value())
          .doesNotContain("${")
          .doesNotContainAnyWhitespaces()
          .doesNotContain("\"")
          .doesNotContain("'")
          .doesNotContain("\\");
      assertThat(url.value().chars().allMatch(c -> c > 0x20 && c < 0x7f)).isTrue();
    }
    assertThat(accepted).isGreaterThan(100);
  }
}
