package dev.chainboot.ipxe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChainScriptsTest {

  @Test
  void usesNextServerByDefaultAndCarriesIdentity() {
    String s = ChainScripts.tftpChain(Optional.empty(), 8080);
    assertThat(s).startsWith("#!ipxe\n");
    assertThat(s)
        .contains(
            "chain --autofree http://${next-server}:8080/boot.ipxe?mac=${mac:hexhyp}&serial=${serial:uristring}");
    assertThat(s).contains("&uuid=${uuid}");
    assertThat(s)
        .contains("buildarch=${buildarch:uristring}")
        .contains("platform=${platform:uristring}");
  }

  @Test
  void usesAdvertisedHost() {
    assertThat(ChainScripts.tftpChain(Optional.of("10.0.2.2"), 81))
        .contains("http://10.0.2.2:81/boot.ipxe?");
  }

  @Test
  void refusesHostThatWouldChangeTheScript() {
    assertThatThrownBy(() -> ChainScripts.tftpChain(Optional.of("a\nshell"), 80))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ChainScripts.tftpChain(Optional.of("a b"), 80))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * The unattended path through chain.ipxe: from the top, every line runs in order until the first
   * chain to the server; the only thing that waits is the menu prompt, at most 2 s (pixie's menu
   * waited 10 s on every boot).
   */
  @Test
  void theMenuCostsAnUnattendedBootAtMostTwoSeconds() {
    for (ChainScripts.ChainMenu m :
        new ChainScripts.ChainMenu[] {
          ChainScripts.ChainMenu.DEFAULT, ChainScripts.ChainMenu.PIXIE
        }) {
      String s = ChainScripts.tftpChain(Optional.empty(), 8080, m);
      long waitMs = 0;
      boolean chained = false;
      for (String line : s.split("\n")) {
        if (line.startsWith("prompt ")) {
          java.util.regex.Matcher t =
              java.util.regex.Pattern.compile("--timeout ([0-9]+)").matcher(line);
          assertThat(t.find()).as(line).isTrue();
          waitMs += Long.parseLong(t.group(1));
          // A key press goes to the menu; a timeout falls through to the boot.
          assertThat(line).endsWith(" && goto cb_menu ||");
        } else if (line.startsWith("sleep ") || line.startsWith("choose ")) {
          throw new AssertionError("waits before the first chain: " + line);
        }
        if (line.startsWith("chain ")) {
          chained = true;
          break;
        }
      }
      assertThat(chained).isTrue();
      assertThat(waitMs).isPositive().isLessThanOrEqualTo(2000);
      assertThat(s)
          .contains("menu chainboot")
          .contains("item --key b cb_boot ")
          .contains("item --key s cb_shell (s) iPXE shell")
          .contains("item --key e cb_exit (e) Exit to the next boot device")
          .contains(":cb_exit\necho chainboot: exiting to the next boot device\nexit 1\n");
    }
    assertThat(ChainScripts.tftpChain(Optional.empty(), 8080)).doesNotContain("netboot.xyz");
    assertThat(ChainScripts.tftpChain(Optional.empty(), 80, ChainScripts.ChainMenu.PIXIE))
        .contains("item --key n cb_xyz (n) netboot.xyz")
        .contains("chain --autofree http://${next-server}:80/ipxe/${mac:hexhyp}.ipxe?serial=");
    assertThatThrownBy(
            () -> ChainScripts.ChainMenu.DEFAULT.withNetbootXyz(Optional.of("http://x/a b")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
