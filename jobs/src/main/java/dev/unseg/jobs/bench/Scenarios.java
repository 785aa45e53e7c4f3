package dev.unseg.jobs.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.unseg.jobs.config.ProtectConfig;
import dev.unseg.jobs.protect.ProtectJob;
import dev.unseg.pipeline.audit.ImageStatus;
import dev.unseg.pipeline.composite.Composite;
import dev.unseg.pipeline.composite.NoiseBudget;
import dev.unseg.pipeline.dataset.BinaryMaskFile;
import dev.unseg.pipeline.dataset.ImageTask;
import dev.unseg.pipeline.generator.GeneratorImage;
import dev.unseg.pipeline.generator.NoiseGenerator;
import dev.unseg.pipeline.image.DecodedImage;
import dev.unseg.pipeline.image.EncodeOptions;
import dev.unseg.pipeline.image.ImageCodec;
import dev.unseg.pipeline.mask.BinaryMask;
import dev.unseg.pipeline.protect.ImageProtector;
import dev.unseg.pipeline.protect.LocalDatasetIO;
import dev.unseg.pipeline.protect.PipelineSettings;
import dev.unseg.pipeline.protect.ProtectPipeline;
import dev.unseg.pipeline.protect.ProtectionSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.SparkSession;

/** The timed scenarios. Each processes every file of the data once and throws if any image failed. */
final class Scenarios {
  static final long MAX_PIXELS = 100_000_000L;
  static final ProtectionSettings PROTECTION = new ProtectionSettings(
      NoiseBudget.DEFAULT, EncodeOptions.defaults(), 512L << 20, MAX_PIXELS, false);

  private final BenchData data;
  private final BenchOptions options;
  private final ImageCodec codec = new ImageCodec(MAX_PIXELS);

  Scenarios(BenchData data, BenchOptions options) {
    this.data = data;
    this.options = options;
  }

  /** Read, decode, encode (same format, quality 95), write: on {@code threads} threads, nothing else. */
  void floor(List<String> files, Path out) throws Exception {
    LocalDatasetIO io = io(out);
    ExecutorService pool = Executors.newFixedThreadPool(options.threads());
    try {
      List<Future<?>> done = new ArrayList<>();
      for (String f : files) {
        done.add(pool.submit(() -> {
          byte[] bytes = io.readImage(f, PROTECTION.maxFileBytes());
          DecodedImage img = codec.decode(bytes, f);
          io.publishImage(f, codec.encode(img, img.rgb(), PROTECTION.encode()));
          return null;
        }));
      }
      for (Future<?> d : done) {
        d.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** The core pipeline one Spark task runs, with its audit (hashes, distortion), on local files. */
  void pipeline(List<String> files, Path out, NoiseGenerator generator) throws Exception {
    ImageProtector protector = new ImageProtector(PROTECTION, generator.info());
    LocalDatasetIO io = io(out);
    PipelineSettings settings = new PipelineSettings(options.threads(), options.batchSize(), options.maxInFlight());
    AtomicInteger bad = new AtomicInteger();
    StringBuilder why = new StringBuilder();
    try (ProtectPipeline p = new ProtectPipeline(protector, generator, io, settings)) {
      p.run(tasks(files).iterator(), outcome -> {
        if (outcome.record().status() != ImageStatus.PROTECTED && bad.getAndIncrement() == 0) {
          why.append(outcome.record().inputPath()).append(": ").append(outcome.record().errorMessage());
        }
      });
    }
    if (bad.get() > 0) {
      throw new IllegalStateException(bad + " images were not protected, e.g. " + why);
    }
  }

  /**
   * The pipeline's own steps (audit included) on one thread, one image at a time: what the in-task
   * pipeline does, without its overlap. Against it, the pipeline's ratio is its parallel speed-up alone.
   */
  void serial(List<String> files, Path out, NoiseGenerator generator) throws Exception {
    ImageProtector protector = new ImageProtector(PROTECTION, generator.info());
    LocalDatasetIO io = io(out);
    for (ImageTask task : tasks(files)) {
      ImageProtector.Stage stage = protector.prepare(task, io);
      if (!(stage instanceof ImageProtector.Prepared p)) {
        throw new IllegalStateException(task.imagePath() + " failed: " + ((ImageProtector.Done) stage).record().errorMessage());
      }
      float[] noise = p.needsNoise()
          ? generator.generate(java.util.Collections.singletonList(p.generatorImage()), List.of(p.prompt())).get(0)
          : null;
      if (protector.finish(p, noise, io).status() != ImageStatus.PROTECTED) {
        throw new IllegalStateException(task.imagePath() + " was not protected");
      }
    }
  }

  /**
   * The reference scripts' loop: one thread, one image at a time: read, decode, mask, generator
   * (batch of one), composite, encode, write. No hashes or audit: it does less than the pipeline.
   */
  void naive(List<String> files, Path out, NoiseGenerator generator) throws Exception {
    LocalDatasetIO io = io(out);
    for (String f : files) {
      byte[] bytes = io.readImage(f, PROTECTION.maxFileBytes());
      DecodedImage img = codec.decode(bytes, f);
      BinaryMask mask = tasks(List.of(f)).get(0).mask().build(img.width(), img.height(), io.annotations());
      float[] prompt = Composite.maskPrompt(mask);
      GeneratorImage x = Composite.generatorInput(generator.info().imageInput(), img.rgb(), img.width(), img.height());
      float[] noise = generator.generate(java.util.Collections.singletonList(x), List.of(prompt)).get(0);
      byte[] rgb = Composite.protect(img.rgb(), img.width(), img.height(), prompt, noise, PROTECTION.budget());
      io.publishImage(f, codec.encode(img, rgb, PROTECTION.encode()));
    }
  }

  /** Local files with no Hadoop layer, so the in-task scenarios time the core pipeline alone. */
  private LocalDatasetIO io(Path out) {
    return new LocalDatasetIO(data.images(), data.masks(), out, out.resolve("_unseg"));
  }

  /** The whole protect job on embedded Spark (planning, tasks, manifest, summary), built-in generator. */
  void spark(SparkSession spark, Path out) throws Exception {
    Config c = ConfigFactory.parseMap(Map.of(
            "unseg.input.format", "mask-pairs",
            "unseg.input.images", data.images().toUri().toString(),
            "unseg.input.annotations", data.masks().toUri().toString(),
            "unseg.output.uri", out.toUri().toString(),
            "unseg.generator.key", "bench-key",
            "unseg.generator.batch-size", options.batchSize(),
            "unseg.pipeline.max-in-flight", options.maxInFlight()))
        .withValue("unseg.run.master", ConfigValueFactory.fromAnyRef("local[" + options.threads() + "]"))
        .withFallback(ConfigFactory.defaultReference()).resolve();
    ProtectJob.Result r = new ProtectJob(spark, ProtectConfig.from(c), System.err).run();
    if (!r.success() || r.protectedImages() != data.files().size()) {
      throw new IllegalStateException("spark run protected " + r.protectedImages() + " of " + data.files().size()
          + " images (" + r.failed() + " failed)");
    }
  }

  private List<ImageTask> tasks(List<String> files) {
    List<ImageTask> tasks = new ArrayList<>(files.size());
    for (String f : files) {
      tasks.add(ImageTask.of(f, new BinaryMaskFile(f.substring(0, f.lastIndexOf('.')) + ".png")));
    }
    return tasks;
  }
}
