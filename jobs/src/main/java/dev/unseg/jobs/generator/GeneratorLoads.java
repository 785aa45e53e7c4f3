package dev.unseg.jobs.generator;

import dev.unseg.pipeline.generator.GeneratorCache;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns this JVM's {@link GeneratorCache#loadCount()} into per-task increments for a Spark
 * accumulator, each load reported exactly once. Why not a plain before/after delta per task: two
 * tasks of one executor that wait on the same load would both see the count rise and count it twice.
 * Here the first task to look after a load reports it and moves the JVM's watermark past it.
 */
public final class GeneratorLoads {
  private static final AtomicLong REPORTED = new AtomicLong();

  private GeneratorLoads() {}

  /** Loads this JVM started since the last call (by any task), at least 0. */
  public static long unreported() {
    long now = GeneratorCache.loadCount();
    long before = REPORTED.getAndAccumulate(now, Math::max);
    return Math.max(0, now - before);
  }
}
