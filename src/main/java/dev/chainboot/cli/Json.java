package dev.chainboot.cli;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** JSON output of the CLI's --json. */
final class Json {
  static final JsonMapper MAPPER =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  private Json() {}

  static void print(Object o) {
    System.out.println(MAPPER.writeValueAsString(o));
  }
}
