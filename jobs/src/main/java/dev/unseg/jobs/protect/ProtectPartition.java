package dev.unseg.jobs.protect;

import dev.unseg.jobs.config.ProtectConfig;
import dev.unseg.jobs.generator.GeneratorLoads;
import dev.unseg.jobs.generator.Generators;
import dev.unseg.jobs.io.HadoopDatasetIO;
import dev.unseg.jobs.io.Locations;
import dev.unseg.jobs.io.OutputFullException;
import dev.unseg.jobs.io.SerializableHadoopConf;
import dev.unseg.jobs.io.Storage;
import dev.unseg.pipeline.audit.ImageStatus;
import dev.unseg.pipeline.dataset.ImageTask;
import dev.unseg.pipeline.generator.NoiseGenerator;
import dev.unseg.pipeline.protect.ImageProtector;
import dev.unseg.pipeline.protect.ProtectPipeline;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;

/**
 * One Spark task: protects its partition's images through the core pipeline and returns their
 * manifest rows. The generator comes from the executor JVM's cache, so it is loaded once per
 * executor, not per task.
 */
final class ProtectPartition implements FlatMapFunction<Iterator<ImageTask>, Row> {
  private final ProtectConfig config;
  private final Locations locations;
  private final URI annotationRoot;
  private final SerializableHadoopConf hadoopConf;
  private final String runId;
  private final LongAccumulator done;
  private final LongAccumulator failed;
  private final LongAccumulator generatorLoads;

  ProtectPartition(ProtectConfig config, Locations locations, URI annotationRoot, SerializableHadoopConf hadoopConf,
      String runId, LongAccumulator done, LongAccumulator failed, LongAccumulator generatorLoads) {
    this.config = config;
    this.locations = locations;
    this.annotationRoot = annotationRoot;
    this.hadoopConf = hadoopConf;
    this.runId = runId;
    this.done = done;
    this.failed = failed;
    this.generatorLoads = generatorLoads;
  }

  @Override
  public Iterator<Row> call(Iterator<ImageTask> tasks) throws Exception {
    TaskContext ctx = TaskContext.get();
    ManifestSchema.TaskRef ref = new ManifestSchema.TaskRef(ctx.stageId(), ctx.partitionId(), ctx.attemptNumber());
    NoiseGenerator generator;
    try {
      generator = Generators.forThisExecutor(config.generator(), hadoopConf.get(), ctx);
    } finally {
      // summary.json's generator_loads: 1 per executor JVM. In finally: a failed load is consumed here
      // (its task fails, so Spark drops the count) instead of being charged to a later run of this JVM.
      generatorLoads.add(GeneratorLoads.unreported());
    }
    ImageProtector protector = new ImageProtector(config.protection(), generator.info());
    HadoopDatasetIO io = new HadoopDatasetIO(locations, annotationRoot, hadoopConf.get());
    Set<String> annotationFiles = new LinkedHashSet<>();
    Iterator<ImageTask> recording = new Iterator<>() {
      @Override
      public boolean hasNext() {
        return tasks.hasNext();
      }

      @Override
      public ImageTask next() {
        ImageTask t = tasks.next();
        annotationFiles.addAll(AnnotationCopies.of(config.format(), t));
        return t;
      }
    };
    List<Row> rows = new ArrayList<>();
    SparkConf sparkConf = SparkEnv.get().conf();
    java.util.OptionalInt executorCores = sparkConf.contains("spark.executor.cores")
        ? java.util.OptionalInt.of(sparkConf.getInt("spark.executor.cores", 1)) : java.util.OptionalInt.empty();
    try (ProtectPipeline pipeline = new ProtectPipeline(protector, generator, io, config.pipeline(executorCores))) {
      pipeline.run(recording, outcome -> {
        rows.add(ManifestSchema.row(runId, outcome, ref));
        done.add(1);
        if (outcome.record().status() == ImageStatus.FAILED) {
          failed.add(1);
        }
      });
    } catch (RuntimeException | Error e) {
      OutOfHeap.noteIfCause(e);
      throw e;
    }
    io.stopIfOutputFull();
    io.checkStore(); // before any record: a storage failure is not the image's, the task is retried
    if (config.copyAnnotations()) {
      AnnotationCopies.copy(annotationFiles, locations, annotationRoot, hadoopConf.get());
    }
    // Last, after every file it names: the task's durable record, which --resume trusts.
    if (!rows.isEmpty()) {
      org.apache.hadoop.fs.Path record = RunRecords.file(locations, runId, ctx.partitionId(), ctx.taskAttemptId());
      try {
        Storage.of(locations.output(), hadoopConf.get()).publish(record, RunRecords.encode(rows));
      } catch (IOException e) {
        throw OutputFullException.stopIfFull(e, record);
      }
    }
    if (ctx.attemptNumber() == 0 && config.safety().failPartitionsOnFirstAttempt().contains(ctx.partitionId())) {
      throw new IllegalStateException("injected failure of partition " + ctx.partitionId()
          + " on its first attempt (unseg.testing.fail-partitions-on-first-attempt; test only)");
    }
    return rows.iterator();
  }
}
