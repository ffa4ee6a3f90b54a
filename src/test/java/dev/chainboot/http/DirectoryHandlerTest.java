package dev.chainboot.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.testing.CompatServer;
import dev.chainboot.testing.Curl;
import dev.chainboot.testing.Traversal;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /assets/ (the shared directory handler) against curl and java.net.http. */
class DirectoryHandlerTest {

  static final long BIG = 200L * 1024 * 1024;
  static CompatServer server;
  static Path big;

  @BeforeAll
  static void start() throws Exception {
    server = new CompatServer();
    Path assets = server.data.resolve("assets");
    big = assets.resolve("big.img");
    try (OutputStream out = Files.newOutputStream(big)) {
      SplittableRandom r = new SplittableRandom(42);
      byte[] buf = new byte[1 << 20];
      for (long done = 0; done < BIG; done += buf.length) {
        for (int i = 0; i < buf.length; i += 8) {
          long v = r.nextLong();
          for (int k = 0; k < 8; k++) {
            buf[i + k] = (byte) (v >>> (8 * k));
          }
        }
        out.write(buf);
      }
    }
    Files.createDirectories(assets.resolve("sub"));
    Files.writeString(assets.resolve("sub/hello.txt"), "hello\n");
    Files.writeString(server.base.resolve("secret.txt"), "TOPSECRET\n");
    Files.createSymbolicLink(assets.resolve("escape"), server.base.resolve("secret.txt"));
    Files.createSymbolicLink(assets.resolve("inside"), assets.resolve("sub/hello.txt"));
    server.start(Optional.empty(), Optional.empty());
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static String sha(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  static byte[] slice(long from, long len) throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "r")) {
      byte[] b = new byte[(int) len];
      f.seek(from);
      f.readFully(b);
      return b;
    }
  }

  @Test
  void wholeLargeFileIsByteIdentical() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    HttpResponse<InputStream> r =
        client.send(
            HttpRequest.newBuilder(URI.create(server.url("/assets/big.img"))).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValueAsLong("content-length")).hasValue(BIG);
    MessageDigest got = MessageDigest.getInstance("SHA-256");
    try (InputStream in = r.body()) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        got.update(buf, 0, n);
      }
    }
    MessageDigest want = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(big)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        want.update(buf, 0, n);
      }
    }
    assertThat(got.digest()).isEqualTo(want.digest());
  }

  @Test
  void headHasLengthAndValidatorsButNoBody() throws Exception {
    HttpResponse<byte[]> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(server.url("/assets/big.img")))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-length")).hasValue(Long.toString(BIG));
    assertThat(r.headers().firstValue("last-modified")).isPresent();
    assertThat(r.headers().firstValue("etag"))
        .hasValueSatisfying(e -> assertThat(e).startsWith("\""));
    assertThat(r.headers().firstValue("accept-ranges")).hasValue("bytes");
    assertThat(r.body()).isEmpty();
  }

  @Test
  void singleRangesAreByteIdentical() throws Exception {
    long mid = 123_456_789L;
    Curl.Result r = Curl.run("-r", mid + "-" + (mid + 9_999_999), server.url("/assets/big.img"));
    assertThat(r.status()).isEqualTo(206);
    assertThat(r.header("content-range"))
        .isEqualTo("bytes " + mid + "-" + (mid + 9_999_999) + "/" + BIG);
    assertThat(r.header("content-length")).isEqualTo("10000000");
    assertThat(sha(r.body())).isEqualTo(sha(slice(mid, 10_000_000)));

    Curl.Result suffix = Curl.run("-r", "-65537", server.url("/assets/big.img"));
    assertThat(suffix.status()).isEqualTo(206);
    assertThat(sha(suffix.body())).isEqualTo(sha(slice(BIG - 65537, 65537)));

    Curl.Result open = Curl.run("-r", (BIG - 1000) + "-", server.url("/assets/big.img"));
    assertThat(open.status()).isEqualTo(206);
    assertThat(sha(open.body())).isEqualTo(sha(slice(BIG - 1000, 1000)));
  }

  @Test
  void multiRangeIsMultipartAndByteIdentical() throws Exception {
    long[][] ranges = {{0, 99}, {50_000_000, 50_999_999}, {BIG - 10, BIG - 1}};
    StringBuilder spec = new StringBuilder();
    for (long[] rg : ranges) {
      spec.append(spec.isEmpty() ? "" : ",").append(rg[0]).append('-').append(rg[1]);
    }
    Curl.Result r = Curl.run("-r", spec.toString(), server.url("/assets/big.img"));
    assertThat(r.status()).isEqualTo(206);
    assertThat(r.header("content-length")).isEqualTo(Integer.toString(r.body().length));
    assertThat(r.header("transfer-encoding")).isNull();
    String type = r.header("content-type");
    assertThat(type).startsWith("multipart/byteranges");
    String boundary = type.substring(type.indexOf("boundary=") + 9).replace("\"", "");
    List<byte[]> parts = multipartBodies(r.body(), boundary);
    assertThat(parts).hasSize(3);
    for (int i = 0; i < 3; i++) {
      long len = ranges[i][1] - ranges[i][0] + 1;
      assertThat(sha(parts.get(i))).as("part %d", i).isEqualTo(sha(slice(ranges[i][0], len)));
    }
  }

  @Test
  void multiRangeHonoursConditionalsAndHead() throws Exception {
    Curl.Result first = Curl.run(server.url("/assets/sub/hello.txt"));
    String etag = first.header("etag");
    Curl.Result notModified =
        Curl.run(
            "-r", "0-0,2-3", "-H", "If-None-Match: " + etag, server.url("/assets/sub/hello.txt"));
    assertThat(notModified.status()).isEqualTo(304);
    Curl.Result ok = Curl.run("-r", "0-0,2-3", server.url("/assets/sub/hello.txt"));
    assertThat(ok.status()).isEqualTo(206);
    assertThat(ok.text())
        .contains("Content-Range: bytes 0-0/6\r\n\r\nh\r\n")
        .contains("Content-Range: bytes 2-3/6\r\n\r\nll\r\n");
    HttpResponse<byte[]> head =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(server.url("/assets/sub/hello.txt")))
                    .header("Range", "bytes=0-0,2-3")
                    .method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    assertThat(head.statusCode()).isEqualTo(206);
    assertThat(head.headers().firstValue("content-length")).hasValue(ok.header("content-length"));
    assertThat(head.body()).isEmpty();
  }

  /** Splits a multipart/byteranges body into the parts' bodies (headers dropped). */
  static List<byte[]> multipartBodies(byte[] body, String boundary) {
    String s = new String(body, StandardCharsets.ISO_8859_1);
    List<byte[]> out = new ArrayList<>();
    Pattern p =
        Pattern.compile("--" + Pattern.quote(boundary) + "\r\n(.*?)\r\n\r\n", Pattern.DOTALL);
    Matcher m = p.matcher(s);
    while (m.find()) {
      Matcher cr = Pattern.compile("(?i)content-range: bytes (\\d+)-(\\d+)/").matcher(m.group(1));
      assertThat(cr.find()).isTrue();
      long len = Long.parseLong(cr.group(2)) - Long.parseLong(cr.group(1)) + 1;
      out.add(s.substring(m.end(), m.end() + (int) len).getBytes(StandardCharsets.ISO_8859_1));
    }
    return out;
  }

  @Test
  void unsatisfiableRangeIs416() throws Exception {
    Curl.Result r = Curl.run("-r", BIG + "-" + (BIG + 10), server.url("/assets/big.img"));
    assertThat(r.status()).isEqualTo(416);
    assertThat(r.header("content-range")).isEqualTo("bytes */" + BIG);
  }

  @Test
  void conditionalRequests() throws Exception {
    Curl.Result first = Curl.run(server.url("/assets/sub/hello.txt"));
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.text()).isEqualTo("hello\n");
    String etag = first.header("etag");
    String lastModified = first.header("last-modified");

    Curl.Result inm = Curl.run("-H", "If-None-Match: " + etag, server.url("/assets/sub/hello.txt"));
    assertThat(inm.status()).isEqualTo(304);
    assertThat(inm.body()).isEmpty();
    Curl.Result otherTag =
        Curl.run("-H", "If-None-Match: \"nope\"", server.url("/assets/sub/hello.txt"));
    assertThat(otherTag.status()).isEqualTo(200);

    Curl.Result ims =
        Curl.run("-H", "If-Modified-Since: " + lastModified, server.url("/assets/sub/hello.txt"));
    assertThat(ims.status()).isEqualTo(304);
    Curl.Result old =
        Curl.run(
            "-H",
            "If-Modified-Since: Mon, 01 Jan 2001 00:00:00 GMT",
            server.url("/assets/sub/hello.txt"));
    assertThat(old.status()).isEqualTo(200);

    Curl.Result ifRange =
        Curl.run("-r", "1-2", "-H", "If-Range: " + etag, server.url("/assets/sub/hello.txt"));
    assertThat(ifRange.status()).isEqualTo(206);
    assertThat(ifRange.text()).isEqualTo("el");
    Curl.Result staleIfRange =
        Curl.run("-r", "1-2", "-H", "If-Range: \"stale\"", server.url("/assets/sub/hello.txt"));
    assertThat(staleIfRange.status()).isEqualTo(200);
    assertThat(staleIfRange.text()).isEqualTo("hello\n");
    Curl.Result dateIfRange =
        Curl.run(
            "-r", "1-2", "-H", "If-Range: " + lastModified, server.url("/assets/sub/hello.txt"));
    assertThat(dateIfRange.status()).isEqualTo(206);
    Curl.Result oldDateIfRange =
        Curl.run(
            "-r",
            "1-2",
            "-H",
            "If-Range: Mon, 01 Jan 2001 00:00:00 GMT",
            server.url("/assets/sub/hello.txt"));
    assertThat(oldDateIfRange.status()).isEqualTo(200);
  }

  @Test
  void symlinkInsideTheRootIsServed() throws Exception {
    Curl.Result r = Curl.run(server.url("/assets/inside"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text()).isEqualTo("hello\n");
  }

  @Test
  void noDirectoryListingsAndNoOtherMethods() throws Exception {
    assertThat(Curl.run(server.url("/assets/")).status()).isEqualTo(404);
    assertThat(Curl.run(server.url("/assets/sub/")).status()).isEqualTo(404);
    assertThat(Curl.run(server.url("/assets/sub")).status()).isEqualTo(404);
    Curl.Result put = Curl.run("-X", "PUT", "--data", "x", server.url("/assets/sub/hello.txt"));
    assertThat(put.status()).isEqualTo(405);
    assertThat(Files.readString(server.data.resolve("assets/sub/hello.txt"))).isEqualTo("hello\n");
  }

  @Test
  void traversalNeverLeavesTheDirectory() throws Exception {
    Traversal.assertRefused(server, "/assets/");
  }

  @Test
  void aFileIsMappedOnceWhileUnchangedAndAnewWhenRewritten(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("initrd");
    byte[] first = new byte[256 << 10];
    new SplittableRandom(1).nextBytes(first);
    Files.write(f, first);
    List<String> mapped = new ArrayList<>();
    DirectoryHandler.MappedFiles files =
        new DirectoryHandler.MappedFiles(
            path -> {
              mapped.add(path);
              return new org.eclipse.jetty.http.content.FileMappingHttpContentFactory(
                      p ->
                          new org.eclipse.jetty.http.content.ResourceHttpContent(
                              org.eclipse.jetty.util.resource.ResourceFactory.root()
                                  .newResource(Path.of(p)),
                              "application/octet-stream"))
                  .getContent(path);
            });
    var a = files.getContent(f.toString());
    assertThat(files.getContent(f.toString())).isSameAs(a);
    assertThat(mapped).hasSize(1);
    assertThat(sha(bytes(a))).isEqualTo(sha(first));

    byte[] second = new byte[128 << 10]; // rewritten: another size
    new SplittableRandom(2).nextBytes(second);
    Files.write(f, second);
    var b = files.getContent(f.toString());
    assertThat(mapped).hasSize(2);
    assertThat(sha(bytes(b))).isEqualTo(sha(second));

    byte[] third = new byte[128 << 10]; // the same size, a new modification time
    new SplittableRandom(3).nextBytes(third);
    Files.write(f, third);
    Files.setLastModifiedTime(
        f, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
    assertThat(sha(bytes(files.getContent(f.toString())))).isEqualTo(sha(third));
    assertThat(mapped).hasSize(3);
    assertThat(files.size()).isEqualTo(1);
  }

  private static byte[] bytes(org.eclipse.jetty.http.content.HttpContent c) throws Exception {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    org.eclipse.jetty.util.FutureCallback done = new org.eclipse.jetty.util.FutureCallback();
    c.writeTo(
        (last, buffer, callback) -> {
          byte[] b = new byte[buffer.remaining()];
          buffer.get(b);
          out.writeBytes(b);
          callback.succeeded();
        },
        0,
        -1,
        done);
    done.get(10, java.util.concurrent.TimeUnit.SECONDS);
    return out.toByteArray();
  }
}
