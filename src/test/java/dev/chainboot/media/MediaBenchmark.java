package dev.chainboot.media;

import dev.chainboot.boot.Arch;
import dev.chainboot.firmware.FirmwareCatalog;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time to build boot media for a new URL in-process (bench/media.sh runs it). Every invocation uses
 * a URL not seen before, so nothing can be cached.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MediaBenchmark {

  private final MediaBuilder builder = new MediaBuilder(FirmwareCatalog.embedded());
  private final AtomicLong n = new AtomicLong();

  private MediaSpec spec(MediaFormat f) {
    String url = "http://10.0.0.1:8080/boot.ipxe?mac=52-54-00-00-" + n.incrementAndGet();
    return new MediaSpec(
        f, EnumSet.of(Arch.X86_64), MediaScript.chainTo(ChainUrl.parse(url)), null);
  }

  @Benchmark
  public byte[] hybridIsoForANewUrl() {
    return builder.build(spec(MediaFormat.ISO));
  }

  @Benchmark
  public byte[] espForANewUrl() {
    return builder.build(spec(MediaFormat.ESP));
  }
}
