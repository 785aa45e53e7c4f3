package dev.unseg.jobs.plan;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.unseg.jobs.config.ProtectConfig;
import dev.unseg.jobs.io.Locations;
import dev.unseg.jobs.io.SerializableHadoopConf;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Run by {@link PlanningAtScaleTest} in a child JVM with a small heap: plans a COCO index exactly as
 * protect does (the driver streams the index into spill chunks, Spark groups them into tasks) and
 * counts the tasks with Spark, collecting nothing. Prints the figures as {@code key=value} lines.
 *
 * <p>Arguments: the instances JSON, the images folder (never read for COCO), a scratch output root.
 */
public final class PlanAtScaleMain {
  private PlanAtScaleMain() {}

  public static void main(String[] args) throws Exception {
    String index = args[0];
    String images = args[1];
    String output = args[2];
    AtomicLong sampledMax = new AtomicLong();
    Thread sampler = new Thread(() -> {
      var memory = ManagementFactory.getMemoryMXBean();
      while (!Thread.currentThread().isInterrupted()) {
        sampledMax.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "heap-sampler");
    sampler.setDaemon(true);
    sampler.start();
    // The live heap: what each collection left (young and full), the largest seen.
    AtomicLong liveMax = new AtomicLong();
    AtomicLong gcCount = new AtomicLong();
    java.util.Set<String> heapPools = new java.util.HashSet<>();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        heapPools.add(pool.getName());
      }
    }
    for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      ((javax.management.NotificationEmitter) gc).addNotificationListener((n, handback) -> {
        if (n.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
          var info = GarbageCollectionNotificationInfo.from((javax.management.openmbean.CompositeData) n.getUserData());
          long after = 0;
          for (var e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
            after += heapPools.contains(e.getKey()) ? e.getValue().getUsed() : 0;
          }
          liveMax.accumulateAndGet(after, Math::max);
          gcCount.incrementAndGet();
        }
      }, null, null);
    }

    try (SparkSession spark = SparkSession.builder().appName("plan-at-scale").master("local[2]")
        .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false").getOrCreate()) {
      spark.sparkContext().setLogLevel("WARN");
      JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      Config root = ConfigFactory.parseMap(Map.of(
              "unseg.input.format", "coco",
              "unseg.input.images", images,
              "unseg.input.annotations", index,
              "unseg.output.uri", output,
              "unseg.generator.key", "plan-at-scale"))
          .withFallback(ConfigFactory.defaultReference()).resolve();
      ProtectConfig config = ProtectConfig.from(root);
      Locations locations = Locations.of(config.images(), config.annotations(), config.output());
      SerializableHadoopConf conf = new SerializableHadoopConf(sc.hadoopConfiguration());
      // The heap before planning (Spark started), so the planning's own share can be read off.
      System.gc();
      long baseline = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP) {
          pool.resetPeakUsage();
        }
      }
      sampledMax.set(0);
      liveMax.set(0);
      gcCount.set(0);

      // The start check reads the whole index once before anything is written (StartChecks).
      long c0 = System.nanoTime();
      dev.unseg.pipeline.dataset.CocoIndexReader.Counts counts;
      try (java.io.InputStream in = java.nio.file.Files.newInputStream(java.nio.file.Path.of(index))) {
        counts = dev.unseg.pipeline.dataset.CocoIndexReader.count(in, index);
      }
      System.out.printf("start_check_seconds=%.1f%n", (System.nanoTime() - c0) / 1e9);
      System.out.println("start_check_images=" + counts.images());

      long t0 = System.nanoTime();
      TaskPlanner.Plan plan = new TaskPlanner(sc, dev.unseg.jobs.config.RunSpec.of(config), config.partitionSize(), config.partitionCount(),
          locations, conf, locations.layout().plan()).plan();
      long t1 = System.nanoTime(); // the driver has streamed the index into spill chunks
      long tasks = plan.tasks().count(); // Spark reads the chunks, groups by image id and by path
      long t2 = System.nanoTime();

      long poolPeaks = 0;
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP) {
          poolPeaks += pool.getPeakUsage().getUsed();
        }
      }
      sampler.interrupt();
      System.out.println("entries=" + plan.entries());
      System.out.println("tasks=" + tasks);
      System.out.println("partitions=" + plan.tasks().getNumPartitions());
      System.out.printf("stream_seconds=%.1f%n", (t1 - t0) / 1e9);
      System.out.printf("group_seconds=%.1f%n", (t2 - t1) / 1e9);
      System.out.printf("planning_seconds=%.1f%n", (t2 - t0) / 1e9);
      System.out.println("max_heap_mib=" + Runtime.getRuntime().maxMemory() / (1 << 20));
      System.out.println("baseline_heap_mib=" + baseline / (1 << 20));
      // The peak the driver needs: the largest heap occupancy a collection left (GC-logged max).
      System.out.println("gc_count=" + gcCount.get());
      System.out.println("peak_heap_mib=" + (gcCount.get() > 0 ? liveMax.get() : sampledMax.get()) / (1 << 20));
      // Peaks of used heap including garbage not yet collected: the collector lets the young
      // generation fill whatever heap it is given, so these approach -Xmx by design.
      System.out.println("pool_peaks_sum_mib=" + poolPeaks / (1 << 20));
      System.out.println("sampled_used_peak_mib=" + sampledMax.get() / (1 << 20));
    }
  }
}
