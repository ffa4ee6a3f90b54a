package dev.chainboot.compat.zeroos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.config.ConfigFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random URL paths built from hostile characters: whatever the parser accepts renders a script with
 * exactly the lines and commands of a plain one; only the imgfetch line's arguments vary.
 */
class ZeroOsScriptPropertyTest {

  @TempDir Path kernels;

  static final String ALPHABET = "abcXYZ0129 ._-=,:/+@%~[]\n\r\t$\\{}|&;#'\"`<>()*?!^___";

  @Test
  void acceptedRequestsNeverChangeTheScriptsShape() throws Exception {
    Files.createDirectories(kernels.resolve("net"));
    Files.writeString(kernels.resolve("k.efi"), "K");
    Files.writeString(kernels.resolve("abc.efi"), "K");
    Files.createSymbolicLink(kernels.resolve("net/prod.efi"), Path.of("../k.efi"));
    ZeroOsBoot boot = new ZeroOsBoot(ConfigFile.DEFAULT_RUNMODES, kernels);
    String base = "http://10.0.0.1:8080";
    List<String> shape =
        shape(boot.script(ZeroOsRequest.parse("prod", boot.runmodes().keySet()), base));
    Random r = new Random(1234);
    int accepted = 0;
    for (int i = 0; i < 20_000; i++) {
      StringBuilder p = new StringBuilder("prod");
      int segments = r.nextInt(4);
      for (int s = 0; s < segments; s++) {
        p.append('/');
        if (s == 0 && r.nextBoolean()) {
          p.append(r.nextInt(100_000));
          continue;
        }
        if (s == 2 && r.nextBoolean()) {
          p.append(r.nextBoolean() ? "k.efi" : "abc.efi");
          continue;
        }
        int len = 1 + r.nextInt(12);
        for (int k = 0; k < len; k++) {
          p.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
        }
      }
      String script;
      try {
        script = boot.script(ZeroOsRequest.parse(p.toString(), boot.runmodes().keySet()), base);
      } catch (ZeroOsRequest.Invalid e) {
        assertThat(e.status()).isIn(400, 404);
        continue;
      }
      accepted++;
      assertThat(shape(script)).as(p.toString()).isEqualTo(shape);
      String fetch =
          Arrays.stream(script.split("\n"))
              .filter(l -> l.startsWith("imgfetch "))
              .findFirst()
              .orElseThrow();
      assertThat(fetch)
          .as(p.toString())
          .doesNotContain("${")
          .doesNotContain("||  ")
          .matches(
              "imgfetch --name zos-kernel http://10\\.0\\.0\\.1:8080/kernel/[A-Za-z0-9._+-]+"
                  + " nomodeset version=v3 runmode=prod panic=7200"
                  + "( [A-Za-z0-9._~:/@%+=,\\[\\]-]+)* && goto zos_boot \\|\\|");
    }
    assertThat(accepted).isGreaterThan(1000);
  }

  /** Each line's first word (labels kept whole): the commands a script runs, in order. */
  static List<String> shape(String script) {
    assertThat(script).endsWith("\n");
    return Arrays.stream(script.split("\n", -1))
        .map(l -> l.startsWith(":") ? l : l.split(" ")[0])
        .toList();
  }
}
