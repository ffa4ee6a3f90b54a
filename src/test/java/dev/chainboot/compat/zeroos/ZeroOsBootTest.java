package dev.chainboot.compat.zeroos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.config.ConfigFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's kernel URL rules: https where this server serves https (the seed always used https),
 * http for a Host containing {@code unsecure} when that convention is on, and the clock synced with
 * {@code ntp} before an https download, as the seed's script did.
 */
class ZeroOsBootTest {

  @TempDir Path kernels;

  ZeroOsBoot boot(boolean unsecureHosts) throws Exception {
    Files.createDirectories(kernels.resolve("net"));
    if (!Files.exists(kernels.resolve("net/prod.efi"))) {
      Files.writeString(kernels.resolve("net/prod.efi"), "MZ");
    }
    return new ZeroOsBoot(
        ConfigFile.DEFAULT_RUNMODES,
        kernels,
        new ZeroOsBoot.Options(ZeroOsRequest.SEED_CMDLINE, Map.of(), unsecureHosts, "ntp.example"));
  }

  static ZeroOsRequest prod() {
    return ZeroOsRequest.parse("prod/42", ConfigFile.DEFAULT_RUNMODES.keySet());
  }

  static List<String> lines(String script) {
    return script.lines().toList();
  }

  @Test
  void plainHttpWithoutAnHttpsBaseAndNoClockSync() throws Exception {
    String s = boot(false).script(prod(), "http://boot.lan:8080", Optional.empty());
    assertThat(s)
        .contains("imgfetch --name zos-kernel http://boot.lan:8080/kernel/net/prod.efi ")
        .doesNotContain("ntp ");
  }

  @Test
  void httpsKernelUrlsAndNtpFirstWhereHttpsIsServed() throws Exception {
    String s =
        boot(false).script(prod(), "http://boot.lan:8080", Optional.of("https://boot.lan:8443"));
    List<String> l = lines(s);
    int ntp = l.indexOf("ntp ntp.example ||");
    int fetch = -1;
    for (int i = 0; i < l.size(); i++) {
      if (l.get(i)
          .startsWith(
              "imgfetch --name zos-kernel https://boot.lan:8443/kernel/net/prod.efi"
                  + " nomodeset version=v3 runmode=prod panic=7200 farmer_id=42 ")) {
        fetch = i;
      }
    }
    assertThat(ntp).isPositive();
    assertThat(fetch).isGreaterThan(ntp);
    // Without the convention, a host named 'unsecure' still gets https.
    assertThat(
            boot(false)
                .script(prod(), "http://unsecure.boot.lan:8080", Optional.of("https://boot.lan")))
        .contains("https://boot.lan/kernel/");
  }

  @Test
  void theUnsecureHostConventionKeepsHttpWhenSwitchedOn() throws Exception {
    String s =
        boot(true)
            .script(prod(), "http://unsecure.boot.lan:8080", Optional.of("https://boot.lan:8443"));
    assertThat(s)
        .contains("imgfetch --name zos-kernel http://unsecure.boot.lan:8080/kernel/")
        .doesNotContain("https://")
        .doesNotContain("ntp ");
    assertThat(boot(true).script(prod(), "http://boot.lan:8080", Optional.of("https://boot.lan")))
        .contains("https://boot.lan/kernel/");
  }
}
