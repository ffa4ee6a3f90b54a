package dev.chainboot.testing;

import dev.chainboot.boot.BootEvent;
import dev.chainboot.config.ConfigFile;
import dev.chainboot.config.ServerConfig;
import dev.chainboot.http.HttpServer;
import dev.chainboot.http.Routes;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** An in-process HTTP server on 127.0.0.1:0 with the compat routes, on a temporary data dir. */
public final class CompatServer implements AutoCloseable {

  public final Path base;
  public final Path data;
  public final FixedResolver resolver = new FixedResolver();

  /** The BootEvents the adapters recorded for decisions they took from their own files. */
  public final List<BootEvent> events = new CopyOnWriteArrayList<>();

  private HttpServer http;

  public CompatServer() throws IOException {
    base = Files.createTempDirectory("compat").toRealPath();
    data = base.resolve("data");
    Files.createDirectories(data.resolve("assets"));
    Files.createDirectories(data.resolve("kernels/net"));
    Files.createDirectories(data.resolve("scripts"));
  }

  public CompatServer start(Optional<Path> pxesrvRoot, Optional<Path> extra) throws Exception {
    ServerConfig cfg =
        ServerConfig.builder(data)
            .http(new InetSocketAddress("127.0.0.1", 0))
            .pxesrvRoot(pxesrvRoot)
            .extraDir(extra)
            .build();
    http = new HttpServer(cfg.http());
    Routes.health(http.router());
    Routes.files(http.router(), cfg);
    Routes.seedTools(http.router(), cfg, ConfigFile.load(cfg.configPath()), resolver, events::add);
    http.start();
    return this;
  }

  public String url(String path) {
    return "http://127.0.0.1:" + http.port() + path;
  }

  public int port() {
    return http.port();
  }

  @Override
  public void close() throws Exception {
    try {
      if (http != null) {
        http.close();
      }
    } finally {
      try (var s = Files.walk(base)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
