package dev.unseg.jobs.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.unseg.jobs.config.RunSpec;
import dev.unseg.jobs.io.Locations;
import dev.unseg.jobs.io.OutputLayout;
import dev.unseg.jobs.io.SerializableHadoopConf;
import dev.unseg.jobs.io.Storage;
import dev.unseg.jobs.plan.ChunkSpill;
import dev.unseg.jobs.plan.GdalSidecars;
import dev.unseg.jobs.plan.TaskPlanner;
import dev.unseg.jobs.protect.Progress;
import dev.unseg.jobs.protect.ProtectJob;
import dev.unseg.pipeline.dataset.ImageTask;
import dev.unseg.pipeline.error.UserError;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

/**
 * {@code unseg verify}: checks a protect run's output with Spark, so it scales like protect.
 * Every input has a row (against the dataset's index when the originals are given, else against
 * the summary's counts); every output's SHA-256 matches its row; with the originals, every
 * protected image is within its bound. Only a bounded sample of problems reaches the driver.
 */
public final class VerifyJob {
  /** Problems printed; all are counted. */
  public static final int SHOWN = 50;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SparkSession spark;
  private final URI output;
  private final String originals;
  private final java.time.Duration progressInterval;
  private final int partitionSize;
  private final int partitionCount;

  /**
   * @param progressInterval how often the progress line is printed (0: never)
   * @param partitionSize images per partition when planning the originals ({@code unseg.partitions.size})
   * @param partitionCount partitions, overriding the size when above 0 ({@code unseg.partitions.count})
   */
  public VerifyJob(SparkSession spark, String output, String originals, java.time.Duration progressInterval,
      int partitionSize, int partitionCount) {
    this.spark = spark;
    this.output = Locations.directory(Locations.qualify(output));
    this.originals = originals;
    this.progressInterval = progressInterval;
    this.partitionSize = partitionSize;
    this.partitionCount = partitionCount;
  }

  /** What did not hold: the total count and the first {@link #SHOWN} messages. */
  public record Result(long rows, long problems, List<String> shown) {}

  public Result run() throws Exception {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Configuration hadoop = sc.hadoopConfiguration();
    Storage fs = Storage.of(output, hadoop);
    OutputLayout layout = new OutputLayout(output);
    Path summaryPath = layout.summary();
    Path manifestPath = layout.manifest();
    if (!fs.exists(manifestPath)) {
      throw layout.noManifest(fs);
    }
    if (!fs.exists(summaryPath)) {
      throw new UserError(summaryPath + " does not exist: the run in --output " + output
          + " did not finish; rerun unseg protect with --resume");
    }
    JsonNode summary;
    try (InputStream in = fs.open(summaryPath)) {
      summary = JSON.readTree(in);
    }
    Dataset<Row> manifest = spark.read().parquet(manifestPath.toString());
    long rows = manifest.count();
    SerializableHadoopConf conf = new SerializableHadoopConf(hadoop);
    String imagesInOutput = summary.get("images_in_output").asText();
    List<JavaRDD<String>> problems = new ArrayList<>();
    if (!summary.path("success").asBoolean(false)) {
      problems.add(sc.parallelize(List.of("the run did not succeed (summary.json success = false; no _SUCCESS)")));
    }
    OutputChecks.Tally tally = new OutputChecks.Tally(sc.sc().longAccumulator("unseg.verify.checked"),
        sc.sc().longAccumulator("unseg.verify.problems"));
    long checks = manifest.where("output_path IS NOT NULL").count();
    problems.add(OutputChecks.hashes(manifest, output, imagesInOutput, conf, tally));
    Path planDir = layout.verifyPlan();
    try {
      RunSpec recorded = fs.exists(layout.settings()) ? ProtectJob.readSpec(fs, layout) : null;
      problems.add(strayImages(sc, fs, layout, imagesInOutput, annotationsInOutput(recorded), manifest, planDir, conf));
      if (originals == null || originals.isEmpty()) {
        problems.add(sc.parallelize(countProblems(summary, rows, manifest)));
        return collect(sc, problems, rows, checks, tally);
      }
      RunSpec spec = requireDataset(recorded, layout).withImages(originals);
      Locations locations = spec.locations();
      originalsFound(manifest, locations, recorded.images(), hadoop);
      TaskPlanner.Plan plan = new TaskPlanner(sc, spec, partitionSize, partitionCount, locations, conf, planDir).plan();
      JavaRDD<ImageTask> tasks = plan.tasks().cache();
      problems.add(rowAccounting(tasks, manifest));
      problems.add(OutputChecks.bounds(tasks, manifest, locations.images(), spec.annotationRoot(locations),
          output, imagesInOutput, conf, spec.maxPixels(), spec.sampleBits(), tally));
      checks += manifest.where("status IN ('protected', 'no_mask')").count();
      return collect(sc, problems, rows, checks, tally);
    } finally {
      fs.delete(planDir, true);
    }
  }

  /**
   * Where the run copied its annotations, relative to the output root (folders end with '/'): the COCO JSON, a
   * panoptic index's PNG folder, the label or mask folder. None for a run recorded without them.
   */
  private static List<String> annotationsInOutput(RunSpec recorded) {
    if (recorded == null || recorded.annotations() == null || recorded.annotations().isEmpty()) {
      return List.of();
    }
    Locations at = recorded.locations();
    URI annotations = Locations.qualify(recorded.annotations());
    return switch (recorded.datasetFormat()) {
      case COCO -> List.of(at.mirror(annotations));
      case COCO_PANOPTIC -> List.of(at.mirror(annotations),
          at.mirror(RunSpec.panopticFolder(annotations, recorded.panopticMasks())));
      default -> List.of(at.mirror(Locations.directory(annotations)));
    };
  }

  /**
   * Images in the release that no manifest row wrote (an original copied in by hand, into the images folder
   * or beside it), and GDAL overviews (copied in with the sidecars by hand): released, they would go out unprotected. The whole output is listed but the audit folder,
   * into spill files, so memory stays bounded; the copied annotations ({@code annotationsInOutput}: label
   * maps and masks are PNGs) are not the release's images.
   */
  private static JavaRDD<String> strayImages(JavaSparkContext sc, Storage fs, OutputLayout layout, String imagesInOutput,
      List<String> annotationsInOutput, Dataset<Row> manifest, Path planDir, SerializableHadoopConf conf) throws java.io.IOException {
    String audit = OutputLayout.AUDIT.replace("/", "");
    JavaRDD<String> listed;
    try (ChunkSpill<String> spill = new ChunkSpill<>(fs, planDir, "release", TaskPlanner.CHUNK_SIZE)) {
      Storage.Visitor release = inOutput -> {
        boolean annotation = annotationsInOutput.stream()
            .anyMatch(a -> inOutput.equals(a) || a.endsWith("/") && inOutput.startsWith(a));
        if ((TaskPlanner.imageName(inOutput) || GdalSidecars.overviews(inOutput)) && !TaskPlanner.hidden(inOutput) && !annotation) {
          spill.add(inOutput);
        }
      };
      for (Path child : fs.children(layout.path(""))) {
        Storage.Status status = fs.status(child);
        if (status == null || child.getName().equals(audit)) {
          continue;
        }
        if (status.directory()) {
          fs.walk(Locations.directory(child.toUri()), rel -> release.file(child.getName() + "/" + rel));
        } else {
          release.file(child.getName());
        }
      }
      spill.close();
      listed = ChunkSpill.rdd(sc, spill.chunks(), conf);
    }
    JavaRDD<String> written = manifest.where("output_path IS NOT NULL").select("output_path").as(Encoders.STRING()).javaRDD()
        .map(p -> imagesInOutput + p);
    return listed.mapToPair(p -> new Tuple2<>(p, 1)).subtractByKey(written.mapToPair(p -> new Tuple2<>(p, 1))).keys()
        .map(p -> GdalSidecars.overviews(p)
            ? p + ": GDAL overviews in the release: they hold an image's pixels, reduced and not protected; remove"
                + " the file (gdaladdo builds overviews again from a protected image)"
            : p + ": an image in the release that no manifest row wrote, so not protected by this"
                + " run: remove it, or put it under the run's --images and protect it with --resume");
  }

  /**
   * Some of the first images the manifest names are under --originals: when none is, --originals is almost
   * surely the wrong folder (the dataset's root, say), and every row would be reported missing from it.
   */
  private static void originalsFound(Dataset<Row> manifest, Locations locations, String recordedImages, Configuration hadoop)
      throws java.io.IOException {
    List<String> first = manifest.where("error_code IS NULL OR error_code NOT IN ('image_missing', 'path_unsafe')")
        .select("input_path").limit(20).as(Encoders.STRING()).collectAsList();
    if (!first.isEmpty() && !locations.anyImageThere(first, hadoop)) {
      throw new UserError("--originals " + locations.images() + " holds none of the first " + first.size() + " images the"
          + " manifest names (the first, " + first.get(0) + ", is not at " + locations.images() + first.get(0) + "): give the"
          + " folder the run read its images from, " + recordedImages + " (or where it is mounted now).");
    }
  }

  /** Runs the checks (a progress line as they go) and keeps the first problems for the console. */
  private Result collect(JavaSparkContext sc, List<JavaRDD<String>> problems, long rows, long checks, OutputChecks.Tally tally) {
    JavaRDD<String> all = sc.union(problems.toArray(JavaRDD[]::new)).cache();
    try (Progress progress = Progress.start(sc.sc(), " verify", "checks", "problems", checks, tally.checked(), tally.found(),
        progressInterval)) {
      return new Result(rows, all.count(), all.take(SHOWN));
    }
  }

  /** Without the originals: the manifest must hold the rows the summary counted, one per entry. */
  private static List<String> countProblems(JsonNode summary, long rows, Dataset<Row> manifest) {
    List<String> out = new ArrayList<>();
    long entries = summary.get("entries").asLong();
    if (rows != entries) {
      out.add("the manifest has " + rows + " rows but the run planned " + entries + " dataset entries");
    }
    long recorded = summary.get("manifest_rows").asLong();
    if (rows != recorded) {
      out.add("the manifest has " + rows + " rows but summary.json recorded " + recorded);
    }
    long duplicates = manifest.where("status <> 'failed' OR error_code <> 'duplicate_image'")
        .groupBy("input_path").count().where("count > 1").count();
    if (duplicates > 0) {
      out.add(duplicates + " input paths have more than one manifest row");
    }
    return out;
  }

  /** Entries of the index without a row, and rows naming no entry: anti-joins both ways. */
  private static JavaRDD<String> rowAccounting(JavaRDD<ImageTask> tasks, Dataset<Row> manifest) {
    JavaRDD<String> entries = tasks.map(ImageTask::imagePath);
    JavaRDD<String> rowPaths = manifest.select("input_path").as(Encoders.STRING()).javaRDD();
    JavaRDD<String> missing = entries.mapToPair(p -> new Tuple2<>(p, 1))
        .subtractByKey(rowPaths.mapToPair(p -> new Tuple2<>(p, 1))).keys()
        .map(p -> p + ": in the dataset's index but has no manifest row");
    JavaRDD<String> extra = rowPaths.mapToPair(p -> new Tuple2<>(p, 1))
        .subtractByKey(entries.mapToPair(p -> new Tuple2<>(p, 1))).keys()
        .map(p -> p + ": has a manifest row but is not in the dataset's index");
    return missing.union(extra);
  }

  /** The run's spec: the dataset it read and the limits it applied, as it recorded them; --originals needs it. */
  private static RunSpec requireDataset(RunSpec spec, OutputLayout layout) {
    if (spec == null || spec.annotations() == null || spec.maxPixels() == 0) {
      throw new UserError("--originals: " + layout.settings() + " does not record the dataset this run"
          + " read (a run made by an earlier version). Verify without --originals, or protect the dataset again.");
    }
    return spec;
  }
}
