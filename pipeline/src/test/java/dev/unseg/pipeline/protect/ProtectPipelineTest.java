package dev.unseg.pipeline.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unseg.pipeline.audit.AuditRecord;
import dev.unseg.pipeline.audit.ImageStatus;
import dev.unseg.pipeline.composite.NoiseBudget;
import dev.unseg.pipeline.dataset.DatasetFormat;
import dev.unseg.pipeline.dataset.ImageTask;
import dev.unseg.pipeline.dataset.LabelMapLayout;
import dev.unseg.pipeline.dataset.Selection;
import dev.unseg.pipeline.error.ErrorCode;
import dev.unseg.pipeline.generator.GeneratorImage;
import dev.unseg.pipeline.generator.GeneratorInfo;
import dev.unseg.pipeline.generator.NoiseGenerator;
import dev.unseg.pipeline.generator.SyntheticTextureGenerator;
import dev.unseg.pipeline.image.EncodeOptions;
import dev.unseg.pipeline.image.OutputFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The in-task pipeline on the real ADE20K samples, without Spark. */
class ProtectPipelineTest {
  static final Path ADE = Paths.get("..", "samples", "ade20k").toAbsolutePath().normalize();

  @TempDir Path out;

  static ProtectionSettings settings() {
    return new ProtectionSettings(NoiseBudget.DEFAULT, new EncodeOptions(OutputFormat.PNG, 95), 64L << 20, 100_000_000L, true);
  }

  List<ImageTask> tasks(String... extra) throws Exception {
    LabelMapLayout layout = LabelMapLayout.forFormat(DatasetFormat.ADE20K, Selection.defaultFor(DatasetFormat.ADE20K), null);
    List<ImageTask> tasks = new ArrayList<>();
    try (var files = Files.list(ADE.resolve("images/validation"))) {
      files.sorted().forEach(f -> tasks.add(layout.task("validation/" + f.getFileName())));
    }
    for (String e : extra) {
      tasks.add(layout.task(e));
    }
    return tasks;
  }

  LocalDatasetIO io() {
    return new LocalDatasetIO(ADE.resolve("images"), ADE.resolve("annotations"), out.resolve("images"), out.resolve("_unseg"));
  }

  Map<String, AuditRecord> run(NoiseGenerator generator, List<ImageTask> tasks, PipelineSettings ps) throws Exception {
    ImageProtector protector = new ImageProtector(settings(), generator.info());
    LocalDatasetIO io = io();
    Map<String, AuditRecord> records = new HashMap<>();
    try (ProtectPipeline p = new ProtectPipeline(protector, generator, io, ps)) {
      p.run(tasks.iterator(), o -> assertEquals(null, records.put(o.record().inputPath(), o.record()), "one record per task"));
    }
    return records;
  }

  @Test
  void everyTaskGetsExactlyOneRecordAndOutputsAreWritten() throws Exception {
    Map<String, AuditRecord> records = run(new SyntheticTextureGenerator("k"), tasks("validation/missing.jpg"),
        new PipelineSettings(2, 2, 4));
    assertEquals(4, records.size());
    AuditRecord missing = records.get("validation/missing.jpg");
    assertEquals(ImageStatus.FAILED, missing.status());
    assertEquals(ErrorCode.IMAGE_MISSING.code(), missing.errorCode());
    assertTrue(missing.errorMessage().contains("validation/missing.jpg"), missing.errorMessage());
    for (AuditRecord r : records.values()) {
      if (r != missing) {
        assertEquals(ImageStatus.PROTECTED, r.status(), r.toString());
        assertTrue(Files.exists(out.resolve("images").resolve(r.outputPath())), r.outputPath());
        assertTrue(r.outputPath().endsWith(".png"), "--output-format png renames: " + r.outputPath());
        assertTrue(Files.exists(out.resolve("_unseg").resolve(ProtectionSettings.maskPath(r.inputPath()))));
        assertTrue(r.distortion().linfInside() <= 8 && r.distortion().linfOutside() <= 2, r.toString());
      }
    }
  }

  @Test
  void imagesInFlightNeverPassTheBound() throws Exception {
    assertTrue(mostInFlight(new PipelineSettings(3, 2, 4), HeapBudget.JVM) <= 4, "max-in-flight 4");
  }

  /**
   * Large images are held back by the heap they take, not only by their count, and a budget too small for
   * a batch does not deadlock: the reader dispatches its partial batch and admits one image at a time.
   */
  @Test
  void theHeapBudgetHoldsBackLargeImagesWithoutDeadlock() throws Exception {
    long largest = HeapBudget.BYTES_PER_PIXEL * 683 * 512; // ADE_val_00000001, the largest sample
    int unbounded = mostInFlight(new PipelineSettings(3, 2, 16), new HeapBudget(Long.MAX_VALUE));
    System.out.println("ProtectPipelineTest: without a heap budget " + unbounded + " images in flight");
    assertTrue(unbounded > 6, "the count alone admits more: " + unbounded);
    HeapBudget two = new HeapBudget(2 * largest);
    int bounded = mostInFlight(new PipelineSettings(3, 2, 16), two);
    System.out.println("ProtectPipelineTest: with room for two of the largest " + bounded + " images in flight");
    assertTrue(bounded <= 6, "room for two of the largest: " + bounded);
    assertEquals(0, two.used(), "every image gave its bytes back");
    HeapBudget none = new HeapBudget(1);
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(120), () ->
        assertEquals(1, mostInFlight(new PipelineSettings(3, 4, 16), none), "room for none: one at a time, batches of 4"));
    assertEquals(0, none.used());
  }

  /** A task that fails with images in flight gives their budget back when its pipeline closes: the next one runs. */
  @Test
  void aFailedTaskLeaksNoHeapBudget() throws Exception {
    HeapBudget one = new HeapBudget(1);
    LocalDatasetIO local = io();
    DatasetIO failing = new DatasetIO() {
      @Override
      public byte[] readImage(String imagePath, long maxBytes) {
        throw new StackOverflowError("a fatal error in a worker");
      }

      @Override
      public dev.unseg.pipeline.dataset.AnnotationStore annotations() {
        return local.annotations();
      }

      @Override
      public void publishImage(String outputPath, byte[] data) {}

      @Override
      public void publishAudit(String auditPath, byte[] data) {}
    };
    NoiseGenerator generator = new SyntheticTextureGenerator("k");
    try (ProtectPipeline p = new ProtectPipeline(new ImageProtector(settings(), generator.info()), generator, failing,
        new PipelineSettings(2, 2, 4), one)) {
      org.junit.jupiter.api.Assertions.assertThrows(Throwable.class, () -> p.run(tasks().iterator(), o -> { }));
    }
    assertEquals(0, one.used());
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(120), () ->
        assertEquals(1, mostInFlight(new PipelineSettings(2, 2, 4), one)));
  }

  /** Runs 30 tasks over the 3 samples and returns the most images held at once, from read to outcome. */
  int mostInFlight(PipelineSettings ps, HeapBudget heap) throws Exception {
    List<ImageTask> tasks = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      tasks.addAll(tasks());
    }
    LocalDatasetIO local = io();
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    DatasetIO counting = new DatasetIO() {
      @Override
      public byte[] readImage(String imagePath, long maxBytes) throws java.io.IOException {
        most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        return local.readImage(imagePath, maxBytes);
      }

      @Override
      public dev.unseg.pipeline.dataset.AnnotationStore annotations() {
        return local.annotations();
      }

      @Override
      public void publishImage(String outputPath, byte[] data) throws java.io.IOException {
        local.publishImage(outputPath, data);
      }

      @Override
      public void publishAudit(String auditPath, byte[] data) throws java.io.IOException {
        local.publishAudit(auditPath, data);
      }
    };
    NoiseGenerator generator = new SyntheticTextureGenerator("k");
    List<AuditRecord> records = new ArrayList<>();
    try (ProtectPipeline p = new ProtectPipeline(new ImageProtector(settings(), generator.info()), generator, counting,
        ps, heap)) {
      p.run(tasks.iterator(), o -> {
        inFlight.decrementAndGet();
        records.add(o.record());
      });
    }
    assertEquals(30, records.size());
    assertTrue(records.stream().allMatch(r -> r.status() == ImageStatus.PROTECTED), records.toString());
    return most.get();
  }

  /** A generator that fails every other batch and counts how many images it holds at once. */
  static final class FlakyGenerator implements NoiseGenerator {
    final SyntheticTextureGenerator inner = new SyntheticTextureGenerator("k");
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public GeneratorInfo info() {
      return inner.info();
    }

    @Override
    public List<float[]> generate(List<GeneratorImage> images, List<float[]> prompts) throws Exception {
      if (calls.getAndIncrement() % 2 == 0) {
        throw new IllegalStateException("device lost");
      }
      return inner.generate(images, prompts);
    }
  }

  @Test
  void aFailedBatchFailsOnlyItsImages() throws Exception {
    FlakyGenerator flaky = new FlakyGenerator();
    Map<String, AuditRecord> records = run(flaky, tasks(), new PipelineSettings(1, 1, 1));
    assertEquals(3, records.size());
    long failed = records.values().stream().filter(r -> r.status() == ImageStatus.FAILED).count();
    assertEquals(2, failed, "batches 1 and 3 of 3 fail");
    records.values().stream().filter(r -> r.status() == ImageStatus.FAILED).forEach(r -> {
      assertEquals(ErrorCode.GENERATOR_FAILED.code(), r.errorCode());
      assertTrue(r.errorMessage().contains("device lost"), r.errorMessage());
      assertTrue(!Files.exists(out.resolve("images").resolve(r.inputPath().replace(".jpg", ".png"))), "nothing written for a failed image");
    });
  }
}
