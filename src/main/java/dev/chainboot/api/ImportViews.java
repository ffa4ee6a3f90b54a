package dev.chainboot.api;

import dev.chainboot.compat.pixie.PixieLayout;
import dev.chainboot.compat.pxesrv.PxeSrvLayout;
import dev.chainboot.compat.zeroos.ZeroOsProvisionDb;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The seed tools' data as the remote CLI sends it to {@code POST /api/v1/imports/{tool}}: read on
 * the operator's machine (a pxe_srv root, a pixie directory, a Zero-OS provision database), checked
 * and applied by the server as a local import would be.
 */
public final class ImportViews {

  private ImportViews() {}

  public static Map<String, Object> pxesrv(PxeSrvLayout l) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("default", l.defaultScript().map(ImportViews::script).orElse(null));
    o.put("static", l.statics().stream().map(ImportViews::entry).toList());
    o.put("once", l.onces().stream().map(ImportViews::entry).toList());
    o.put("skipped", l.skipped());
    return o;
  }

  private static Map<String, Object> script(PxeSrvLayout.Script s) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("path", s.path());
    o.put("content", s.content());
    return o;
  }

  private static Map<String, Object> entry(PxeSrvLayout.Entry e) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("ip", e.ip());
    o.putAll(script(e.script()));
    return o;
  }

  public static PxeSrvLayout pxesrvFrom(JsonNode json) {
    Body b = Body.of(json).only(Set.of("default", "static", "once", "skipped"));
    return new PxeSrvLayout(
        Path.of("."),
        b.object("default").map(ImportViews::scriptFrom),
        entries(b.objects("static")),
        entries(b.objects("once")),
        b.strings("skipped"));
  }

  private static PxeSrvLayout.Script scriptFrom(Body b) {
    b.only(Set.of("ip", "path", "content"));
    return new PxeSrvLayout.Script(b.requiredString("path"), b.requiredString("content"));
  }

  private static List<PxeSrvLayout.Entry> entries(List<Body> list) {
    List<PxeSrvLayout.Entry> out = new ArrayList<>();
    for (Body e : list) {
      String ip = e.requiredString("ip");
      if (!PxeSrvLayout.isIpLiteral(ip)) {
        throw ApiException.invalid(e.path("ip"), "not an IP address: " + ip);
      }
      out.add(new PxeSrvLayout.Entry(ip, scriptFrom(e)));
    }
    return out;
  }

  public static Map<String, Object> pixie(PixieLayout l) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put(
        "scripts",
        l.scripts().stream()
            .map(
                s -> {
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("mac", s.mac().colon());
                  m.put("file", s.fileName());
                  m.put("content", s.content());
                  return m;
                })
            .toList());
    o.put("skipped", l.skipped());
    return o;
  }

  public static PixieLayout pixieFrom(JsonNode json) {
    Body b = Body.of(json).only(Set.of("scripts", "skipped"));
    List<PixieLayout.MacScript> scripts = new ArrayList<>();
    for (Body s : b.objects("scripts")) {
      s.only(Set.of("mac", "file", "content"));
      scripts.add(
          new PixieLayout.MacScript(
              JsonViews.mac(s.path("mac"), s.requiredString("mac")),
              s.requiredString("file"),
              s.requiredString("content")));
    }
    return new PixieLayout(List.copyOf(scripts), b.strings("skipped"));
  }

  public static Map<String, Object> zeroos(List<ZeroOsProvisionDb.Client> clients) {
    return Map.of(
        "clients",
        clients.stream()
            .map(
                c -> {
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("client", c.client());
                  m.put("branch", c.branch());
                  m.put("zerotier", c.zerotier());
                  m.put("kargs", c.kargs());
                  return m;
                })
            .toList());
  }

  public static List<ZeroOsProvisionDb.Client> zeroosFrom(JsonNode json) {
    Body b = Body.of(json).only(Set.of("clients"));
    List<ZeroOsProvisionDb.Client> out = new ArrayList<>();
    for (Body c : b.objects("clients")) {
      c.only(Set.of("client", "branch", "zerotier", "kargs"));
      out.add(
          new ZeroOsProvisionDb.Client(
              c.requiredString("client"),
              c.string("branch").orElse(""),
              c.string("zerotier").orElse(""),
              c.string("kargs").orElse("")));
    }
    return List.copyOf(out);
  }
}
