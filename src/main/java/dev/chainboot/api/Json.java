package dev.chainboot.api;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** The one JSON mapper of the API and the CLI. */
public final class Json {

  private static final JsonMapper COMPACT = JsonMapper.builder().build();
  private static final JsonMapper PRETTY =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  private Json() {}

  public static String write(Object value) {
    return COMPACT.writeValueAsString(value);
  }

  public static String pretty(Object value) {
    return PRETTY.writeValueAsString(value);
  }

  /** Parses a request body (or an answer); malformed JSON is a 400. */
  public static JsonNode parse(String text) {
    try {
      return COMPACT.readTree(text);
    } catch (JacksonException e) {
      throw ApiException.invalid(null, "the body is not JSON: " + e.getOriginalMessage());
    }
  }
}
