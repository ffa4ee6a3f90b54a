package dev.chainboot.testing;

import static org.assertj.core.api.Assertions.assertThat;

/** Path traversal attempts against a file endpoint, sent raw with curl --path-as-is. */
public final class Traversal {

  private Traversal() {}

  /** Every way out of a directory served at {@code mount}, sent raw; none may succeed. */
  public static void assertRefused(CompatServer server, String mount) throws Exception {
    String[] attacks = {
      "../secret.txt",
      "../../secret.txt",
      "sub/../../secret.txt",
      "%2e%2e/secret.txt",
      "%2E%2E/%2E%2E/secret.txt",
      "..%2fsecret.txt",
      "%2e%2e%2fsecret.txt",
      "sub%2f..%2f..%2fsecret.txt",
      "..%5csecret.txt",
      "..\\secret.txt",
      "sub\\..\\..\\secret.txt",
      "%00",
      "x%00.txt",
      "..%00/secret.txt",
      "%252e%252e/secret.txt",
      ".%2e/secret.txt",
      "escape",
      "/" + server.base.resolve("secret.txt"),
      "//" + server.base.resolve("secret.txt"),
      "..;/secret.txt",
    };
    for (String a : attacks) {
      Curl.Result r = Curl.run("--path-as-is", server.url(mount + a));
      assertThat(r.status()).as(mount + a).isIn(400, 404);
      assertThat(r.text()).as(mount + a).doesNotContain("TOPSECRET");
    }
  }
}
