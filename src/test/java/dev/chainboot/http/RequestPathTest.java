package dev.chainboot.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestPathTest {

  @Test
  void percentDecodesOnlyEscapes() {
    assertThat(RequestPath.percentDecode("a%20b+c;d")).contains("a b+c;d");
    assertThat(RequestPath.percentDecode("%C3%A9t%C3%A9/x")).contains("été/x");
    assertThat(RequestPath.percentDecode("été%2F")).contains("été/");
    assertThat(RequestPath.percentDecode("%0A")).contains("\n");
    assertThat(RequestPath.percentDecode("%")).isEmpty();
    assertThat(RequestPath.percentDecode("%zz")).isEmpty();
    assertThat(RequestPath.percentDecode("%ff")).isEmpty();
  }
}
