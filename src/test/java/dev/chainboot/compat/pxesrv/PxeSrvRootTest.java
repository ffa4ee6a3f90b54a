package dev.chainboot.compat.pxesrv;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class PxeSrvRootTest {

  @Test
  void keysAreTheAddressTextAsRackReportsIt() throws Exception {
    assertThat(PxeSrvRoot.key(InetAddress.getByName("10.0.0.5"))).isEqualTo("10.0.0.5");
    assertThat(PxeSrvRoot.key(InetAddress.getByName("::1"))).isEqualTo("::1");
    assertThat(PxeSrvRoot.key(InetAddress.getByName("fe80:0:0:0:0:0:0:1"))).isEqualTo("fe80::1");
    assertThat(PxeSrvRoot.key(InetAddress.getByName("2001:db8:0:0:1:0:0:1"))).isEqualTo("2001:db8::1:0:0:1");
    assertThat(PxeSrvRoot.key(InetAddress.getByName("2001:db8:1:2:3:4:5:6"))).isEqualTo("2001:db8:1:2:3:4:5:6");
    assertThat(PxeSrvRoot.key(InetAddress.getByName("::"))).isEqualTo("::");
    assertThat(PxeSrvRoot.key(InetAddress.getByName("1:0:2:0:3:0:4:0"))).isEqualTo("1:0:2:0:3:0:4:0");
  }
}
