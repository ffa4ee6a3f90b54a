package dev.chainboot.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Reads one JSON object of a request (or of an answer, on the CLI's side) field by field: every
 * type error and unknown field is an {@link ApiException#invalid} naming the field by its path
 * ({@code labels.rack}, {@code initrds[1]}).
 */
final class Body {

  private final JsonNode node;
  private final String path;

  private Body(JsonNode node, String path) {
    this.node = node;
    this.path = path;
  }

  static Body of(JsonNode node) {
    return of(node, "");
  }

  static Body of(JsonNode node, String path) {
    if (node == null || !node.isObject()) {
      throw ApiException.invalid(
          path.isEmpty() ? null : path,
          (path.isEmpty() ? "the body" : path) + " must be an object");
    }
    return new Body(node, path);
  }

  String path(String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  /** Refuses fields other than {@code known} (a typo must not pass silently). */
  Body only(Set<String> known) {
    for (String n : node.propertyNames()) {
      if (!known.contains(n)) {
        throw ApiException.invalid(path(n), "unknown field " + path(n) + " (known: " + known + ")");
      }
    }
    return this;
  }

  boolean has(String name) {
    JsonNode v = node.get(name);
    return v != null && !v.isNull();
  }

  Optional<String> string(String name) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isString()) {
      throw ApiException.invalid(path(name), path(name) + " must be a string");
    }
    return Optional.of(v.stringValue());
  }

  String requiredString(String name) {
    return string(name)
        .orElseThrow(() -> ApiException.invalid(path(name), path(name) + " is required"));
  }

  Optional<Boolean> bool(String name) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isBoolean()) {
      throw ApiException.invalid(path(name), path(name) + " must be true or false");
    }
    return Optional.of(v.booleanValue());
  }

  Optional<Long> number(String name) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw ApiException.invalid(path(name), path(name) + " must be an integer");
    }
    return Optional.of(v.longValue());
  }

  List<String> strings(String name) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      return List.of();
    }
    if (!v.isArray()) {
      throw ApiException.invalid(path(name), path(name) + " must be an array of strings");
    }
    List<String> out = new ArrayList<>();
    int i = 0;
    for (JsonNode e : v.values()) {
      if (!e.isString()) {
        throw ApiException.invalid(
            path(name) + "[" + i + "]", path(name) + "[" + i + "] must be a string");
      }
      out.add(e.stringValue());
      i++;
    }
    return out;
  }

  Map<String, String> stringMap(String name) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      return Map.of();
    }
    if (!v.isObject()) {
      throw ApiException.invalid(path(name), path(name) + " must be an object of strings");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : v.properties()) {
      if (!e.getValue().isString()) {
        String p = path(name) + "." + e.getKey();
        throw ApiException.invalid(p, p + " must be a string");
      }
      out.put(e.getKey(), e.getValue().stringValue());
    }
    return out;
  }

  List<Body> objects(String name) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      return List.of();
    }
    if (!v.isArray()) {
      throw ApiException.invalid(path(name), path(name) + " must be an array of objects");
    }
    List<Body> out = new ArrayList<>();
    int i = 0;
    for (JsonNode e : v.values()) {
      out.add(of(e, path(name) + "[" + i++ + "]"));
    }
    return out;
  }

  Optional<Body> object(String name) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    return Optional.of(of(v, path(name)));
  }
}
