package dev.unseg.pipeline.generator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One loaded generator per key per JVM (per Spark executor), shared by all its tasks and threads, and
 * closed at JVM shutdown. Why: reloading a 375 MB model per partition costs seconds each time and
 * leaks native memory (DJL issue 3079); Iceberg's executor cache is the pattern.
 *
 * <p>Keys should name the model and everything the load depends on (digest or path, device, batch
 * size, threads), e.g. {@code TorchScriptSettings.cacheKey()}. A failed load is not cached: the next
 * call tries again and gets the same error.
 */
public final class GeneratorCache {
  private static final Map<String, Slot> SLOTS = new ConcurrentHashMap<>();
  private static final AtomicLong LOADS = new AtomicLong();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(GeneratorCache::closeAll, "unseg-generator-cache-close"));
  }

  private GeneratorCache() {}

  /**
   * The generator cached under {@code key}, loading it with {@code loader} if this JVM has none yet.
   * Concurrent callers with the same key wait for one load; other keys load in parallel.
   */
  public static NoiseGenerator get(String key, Callable<? extends NoiseGenerator> loader) throws Exception {
    if (key == null || key.isBlank()) {
      throw new IllegalArgumentException("generator cache key must not be blank");
    }
    return SLOTS.computeIfAbsent(key, k -> new Slot()).get(loader);
  }

  /** How many loads this JVM has started through the cache, successful or not. */
  public static long loadCount() {
    return LOADS.get();
  }

  /** Closes and forgets every cached generator; used by the shutdown hook. */
  static void closeAll() {
    List<Slot> slots = new ArrayList<>(SLOTS.values());
    SLOTS.clear();
    for (Slot s : slots) {
      s.close();
    }
  }

  /** Holds one key's generator; the load runs under the slot's own lock, not the map's. */
  private static final class Slot {
    private NoiseGenerator generator;

    synchronized NoiseGenerator get(Callable<? extends NoiseGenerator> loader) throws Exception {
      if (generator == null) {
        LOADS.incrementAndGet();
        NoiseGenerator g = loader.call();
        if (g == null) {
          throw new IllegalStateException("generator loader returned null");
        }
        generator = g;
      }
      return generator;
    }

    synchronized void close() {
      if (generator != null) {
        try {
          generator.close();
        } catch (Exception e) {
          System.err.println("unseg: closing generator " + generator.info().id() + " failed: " + e);
        }
        generator = null;
      }
    }
  }
}
