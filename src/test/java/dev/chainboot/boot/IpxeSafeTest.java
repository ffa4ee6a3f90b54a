package dev.chainboot.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IpxeSafeTest {

  @Test
  void kernelArgs() {
    assertThat(IpxeSafe.kernelArgs("  console=ttyS0,115200  root=/dev/sda1 ip=dhcp ")).containsExactly(
        "console=ttyS0,115200", "root=/dev/sda1", "ip=dhcp");
    for (String bad : new String[] {"a\nshell", "a\rb", "${x}", "a;b", "a&&b", "a||b", "a'b", "a\"b",
        "a\\b", "a#b", "a\tb", "a<b", "é"}) {
      assertThatThrownBy(() -> IpxeSafe.kernelArgs(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> IpxeSafe.kernelArgs("a".repeat(2000))).hasMessageContaining("longer");
  }

  @Test
  void urls() {
    assertThat(IpxeSafe.urlProblem("http://10.0.0.1:8080/boot.ipxe?mac=a&b=c")).isEmpty();
    assertThat(IpxeSafe.urlProblem("tftp://h/x")).isEmpty();
    for (String bad : new String[] {"", "/relative", "http://h/a b", "http://h/${x}", "http://h/a\nshell",
        "http://h/a&&reboot", "http://h/a;b", "http://h/'", "http://h/#x"}) {
      assertThat(IpxeSafe.urlProblem(bad)).as(bad).isPresent();
    }
  }

  @Test
  void echoText() {
    assertThat(IpxeSafe.echoTextProblem("Production (v3)")).isEmpty();
    assertThat(IpxeSafe.echoTextProblem("a${b}")).isPresent();
    assertThat(IpxeSafe.echoTextProblem("a\nb")).isPresent();
  }
}
