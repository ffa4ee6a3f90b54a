package dev.chainboot.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafePathTest {

  @TempDir Path tmp;

  @Test
  void plainRelativeAndLeadingSlashResolveInsideRoot() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("root"));
    Files.writeString(root.resolve("a.txt"), "a");
    assertThat(SafePath.resolve(root, "a.txt")).contains(root.toRealPath().resolve("a.txt"));
    assertThat(SafePath.resolve(root, "/a.txt")).contains(root.toRealPath().resolve("a.txt"));
    assertThat(SafePath.resolve(root, "sub/new.txt"))
        .contains(root.toRealPath().resolve("sub/new.txt"));
  }

  @Test
  void refusesEscapes() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("root"));
    Files.writeString(tmp.resolve("secret"), "s");
    for (String bad :
        new String[] {"../secret", "a/../../secret", "..", "a\\..\\secret", "a\0b", "a\nb", ""}) {
      assertThat(SafePath.resolve(root, bad)).as(bad).isEmpty();
      assertThat(SafePath.problem(bad)).as(bad).isPresent();
    }
  }

  @Test
  void refusesSymlinkPointingOutside() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("root"));
    Files.writeString(tmp.resolve("secret"), "s");
    Files.createSymbolicLink(root.resolve("link"), tmp.resolve("secret"));
    Files.createDirectories(root.resolve("in"));
    Files.writeString(root.resolve("in/ok"), "ok");
    Files.createSymbolicLink(root.resolve("inlink"), root.resolve("in/ok"));
    assertThat(SafePath.resolve(root, "link")).isEmpty();
    assertThat(SafePath.resolve(root, "inlink")).contains(root.toRealPath().resolve("in/ok"));
  }
}
