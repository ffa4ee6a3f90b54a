package dev.chainboot.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The API's contract: {@code openapi.yaml} beside this class (written by hand, kept true by
 * OpenApiTest against live answers), served as JSON at {@code /api/v1/openapi.json}.
 */
public final class OpenApiDocument {

  private OpenApiDocument() {}

  /** The document as a tree. */
  public static JsonNode tree() {
    try (InputStream in = OpenApiDocument.class.getResourceAsStream("openapi.yaml")) {
      if (in == null) {
        throw new IllegalStateException("openapi.yaml missing from the jar");
      }
      return YAMLMapper.builder()
          .build()
          .readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read openapi.yaml", e);
    }
  }

  /** The document as JSON bytes. */
  public static byte[] json() {
    return Json.write(tree()).getBytes(StandardCharsets.UTF_8);
  }
}
