package dev.chainboot.boot;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MacAddressTest {

  @Test
  void parsesCommonForms() {
    for (String s :
        new String[] {
          "52:54:00:12:34:AB",
          "52-54-00-12-34-ab",
          "525400.1234ab".replace(".", ""),
          "5254.0012.34ab"
        }) {
      assertThat(MacAddress.parse(s))
          .as(s)
          .hasValueSatisfying(
              m -> {
                assertThat(m.colon()).isEqualTo("52:54:00:12:34:ab");
                assertThat(m.hexhyp()).isEqualTo("52-54-00-12-34-ab");
                assertThat(m.hexraw()).isEqualTo("5254001234ab");
              });
    }
  }

  @Test
  void rejectsMalformed() {
    for (String s :
        new String[] {
          "",
          "52:54:00:12:34",
          "52:54-00:12:34:ab",
          "zz:54:00:12:34:ab",
          "52:54:00:12:34:ab\n",
          "52:54:00:12:34:ab:00",
          null
        }) {
      assertThat(MacAddress.parse(s)).as(String.valueOf(s)).isEmpty();
    }
  }

  @Test
  void bytesRoundTrip() {
    MacAddress m = MacAddress.parse("ff:00:01:02:03:fe").orElseThrow();
    assertThat(MacAddress.of(m.bytes())).isEqualTo(m);
  }
}
