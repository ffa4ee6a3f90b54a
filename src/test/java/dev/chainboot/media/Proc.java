package dev.chainboot.media;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs an external validator (fsck.fat, mtools, xorriso, sfdisk) and captures its output. */
public record Proc(int exit, String out) {

  public static Proc run(String... cmd) {
    try {
      ProcessBuilder pb = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true);
      pb.environment().put("MTOOLS_SKIP_CHECK", "1");
      pb.environment().put("LC_ALL", "C");
      Process p = pb.start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("timed out: " + String.join(" ", cmd));
      }
      return new Proc(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new AssertionError("cannot run " + cmd[0] + " (install it: see scripts/test-packages.txt)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public Proc ok() {
    if (exit != 0) {
      throw new AssertionError("exit " + exit + ":\n" + out);
    }
    return this;
  }
}
