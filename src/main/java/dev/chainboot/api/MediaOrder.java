package dev.chainboot.api;

import dev.chainboot.firmware.FirmwareCatalog;
import dev.chainboot.firmware.MissingFirmwareException;
import dev.chainboot.media.ChainUrl;
import dev.chainboot.media.MediaBuilder;
import dev.chainboot.media.MediaFormat;
import dev.chainboot.media.MediaScript;
import dev.chainboot.media.MediaSpec;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Boot media to build ({@code chainboot media iso|img|esp}, {@code POST /api/v1/media}): a chain
 * URL or a script of one's own, for which architectures, with which volume label.
 *
 * @param format iso, img or esp
 * @param url the URL iPXE chains to (or empty with {@code script})
 * @param script an iPXE script of one's own (or empty with {@code url})
 * @param arch x86_64, arm64 or x86_64,arm64
 * @param label the volume label
 */
public record MediaOrder(
    MediaFormat format, Optional<String> url, Optional<String> script, String arch, String label) {

  /** Builds the image with {@code firmware}'s binaries; 400 naming the field for bad input. */
  public byte[] build(FirmwareCatalog firmware) {
    if (url.isPresent() == script.isPresent()) {
      throw ApiException.invalid("url", "give either a url or a script, not both or neither");
    }
    byte[] bytes;
    if (script.isPresent()) {
      bytes = script.get().getBytes(StandardCharsets.UTF_8);
    } else {
      bytes = field("url", () -> MediaScript.chainTo(ChainUrl.parse(url.get())));
    }
    MediaSpec spec =
        field(
            "script",
            () ->
                new MediaSpec(
                    format,
                    field("arch", () -> MediaSpec.parseArchs(arch)),
                    bytes,
                    field("label", () -> MediaSpec.checkLabel(label))));
    try {
      return new MediaBuilder(firmware).build(spec);
    } catch (MissingFirmwareException e) {
      throw new ApiException(503, Optional.empty(), e.getMessage());
    }
  }

  private static <T> T field(String name, java.util.function.Supplier<T> op) {
    try {
      return op.get();
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid(name, e.getMessage());
    }
  }

  public Map<String, Object> json() {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("format", format.extension());
    url.ifPresent(u -> o.put("url", u));
    script.ifPresent(s -> o.put("script", s));
    o.put("arch", arch);
    o.put("label", label);
    return o;
  }

  public static MediaOrder from(JsonNode json) {
    Body b = Body.of(json).only(Set.of("format", "url", "script", "arch", "label"));
    String f = b.requiredString("format").toLowerCase(Locale.ROOT);
    MediaFormat format = null;
    for (MediaFormat m : MediaFormat.values()) {
      if (m.extension().equals(f)) {
        format = m;
      }
    }
    if (format == null) {
      throw ApiException.invalid("format", "format must be iso, img or esp");
    }
    return new MediaOrder(
        format,
        b.string("url"),
        b.string("script"),
        b.string("arch").orElse("x86_64"),
        b.string("label").orElse(MediaSpec.DEFAULT_LABEL));
  }
}
