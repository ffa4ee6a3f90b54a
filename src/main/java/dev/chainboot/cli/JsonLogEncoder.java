package dev.chainboot.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code --log-format json}: one JSON object per line, for log shippers: {@code time} (ISO-8601,
 * UTC), {@code level}, {@code logger}, {@code thread}, {@code message} (formatted), {@code mdc}
 * when there is any, {@code exception} (the stack trace) when there is one. The message is the same
 * text the text format shows; JSON escaping keeps every record on its line.
 */
public final class JsonLogEncoder extends EncoderBase<ILoggingEvent> {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final byte[] NONE = new byte[0];

  @Override
  public byte[] headerBytes() {
    return NONE;
  }

  @Override
  public byte[] encode(ILoggingEvent e) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("time", Instant.ofEpochMilli(e.getTimeStamp()).toString());
    o.put("level", e.getLevel().toString());
    o.put("logger", e.getLoggerName());
    o.put("thread", e.getThreadName());
    o.put("message", e.getFormattedMessage());
    Map<String, String> mdc = e.getMDCPropertyMap();
    if (mdc != null && !mdc.isEmpty()) {
      o.put("mdc", mdc);
    }
    IThrowableProxy t = e.getThrowableProxy();
    if (t != null) {
      o.put("exception", ThrowableProxyUtil.asString(t));
    }
    return (JSON.writeValueAsString(o) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public byte[] footerBytes() {
    return NONE;
  }
}
