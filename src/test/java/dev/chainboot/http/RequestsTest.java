package dev.chainboot.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestsTest {

  @Test
  void percentDecodesOnlyEscapes() {
    assertThat(Requests.percentDecode("a%20b+c;d")).contains("a b+c;d");
    assertThat(Requests.percentDecode("%C3%A9t%C3%A9/x")).contains("été/x");
    assertThat(Requests.percentDecode("été%2F")).contains("été/");
    assertThat(Requests.percentDecode("%0A")).contains("\n");
    assertThat(Requests.percentDecode("%")).isEmpty();
    assertThat(Requests.percentDecode("%zz")).isEmpty();
    assertThat(Requests.percentDecode("%ff")).isEmpty();
  }
}
