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
}
