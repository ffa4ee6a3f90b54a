package dev.chainboot.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HostPortTest {

  @Test
  void parsesForms() {
    assertThat(HostPort.parse("127.0.0.1:6969", 69).getPort()).isEqualTo(6969);
    assertThat(HostPort.parse("127.0.0.1:6969", 69).getAddress().getHostAddress())
        .isEqualTo("127.0.0.1");
    assertThat(HostPort.parse(":70", 69).getAddress().isAnyLocalAddress()).isTrue();
    assertThat(HostPort.parse("71", 69).getPort()).isEqualTo(71);
    assertThat(HostPort.parse("127.0.0.1", 69).getPort()).isEqualTo(69);
    assertThat(HostPort.parse("[::1]:72", 69).getAddress().getHostAddress())
        .isEqualTo("0:0:0:0:0:0:0:1");
  }

  @Test
  void rejectsBadPorts() {
    assertThatThrownBy(() -> HostPort.parse("127.0.0.1:x", 69))
        .hasMessageContaining("not a number");
    assertThatThrownBy(() -> HostPort.parse("127.0.0.1:70000", 69))
        .hasMessageContaining("out of range");
  }
}
