package dev.unseg.pipeline.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.unseg.pipeline.generator.djl.TorchScriptGenerator;
import dev.unseg.pipeline.generator.djl.TorchScriptSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One model load per key per JVM, with the real TorchScript fixture. */
class GeneratorCacheTest {
  @AfterEach
  void closeCached() {
    GeneratorCache.closeAll();
  }

  @Test
  void concurrentCallersShareOneLoad() throws Exception {
    Path model = Path.of(getClass().getResource("/torchscript/fixture_generator.pt").toURI());
    TorchScriptSettings s = TorchScriptSettings.cpu(model).withBatchSize(2);
    AtomicInteger loaderCalls = new AtomicInteger();
    long before = GeneratorCache.loadCount();
    int threads = 6;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<NoiseGenerator>> got = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        got.add(pool.submit(() -> {
          start.await();
          return GeneratorCache.get(s.cacheKey(), () -> {
            loaderCalls.incrementAndGet();
            return TorchScriptGenerator.load(s);
          });
        }));
      }
      start.countDown();
      NoiseGenerator first = got.get(0).get();
      for (Future<NoiseGenerator> f : got) {
        assertSame(first, f.get());
      }
      assertEquals(1, loaderCalls.get());
      assertEquals(before + 1, GeneratorCache.loadCount());
      // Other settings are another key: a second load.
      NoiseGenerator other = GeneratorCache.get(s.withBatchSize(1).cacheKey(), () -> TorchScriptGenerator.load(s.withBatchSize(1)));
      assertNotSame(first, other);
      assertEquals(before + 2, GeneratorCache.loadCount());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void failedLoadIsNotCached() throws Exception {
    String key = "test-failing-" + System.nanoTime();
    assertThrows(IllegalStateException.class, () -> GeneratorCache.get(key, () -> {
      throw new IllegalStateException("boom");
    }));
    NoiseGenerator g = new NoiseGenerator() {
      @Override
      public GeneratorInfo info() {
        return new GeneratorInfo("t", "1", "d", GeneratorInfo.ImageInput.NONE);
      }

      @Override
      public List<float[]> generate(List<GeneratorImage> images, List<float[]> prompts) {
        return List.of();
      }
    };
    assertSame(g, GeneratorCache.get(key, () -> g));
    assertSame(g, GeneratorCache.get(key, () -> {
      throw new AssertionError("must not load again");
    }));
  }
}
