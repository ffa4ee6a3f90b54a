package dev.chainboot.testing;

import java.io.IOException;
import java.util.List;

/** Runs an external validator (fsck.fat, mtools, xorriso, sfdisk) and captures its output. */
public record Proc(int exit, String out) {

  public static Proc run(String... cmd) {
    try {
      ProcessBuilder pb = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true);
      pb.environment().put("MTOOLS_SKIP_CHECK", "1");
      pb.environment().put("LC_ALL", "C");
      dev.chainboot.testing.Processes.Output o =
          dev.chainboot.testing.Processes.run(pb, java.time.Duration.ofSeconds(60));
      return new Proc(o.exit(), o.stdout());
    } catch (IOException e) {
      throw new AssertionError(
          "cannot run " + cmd[0] + " (install it: see scripts/test-packages.txt)", e);
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
