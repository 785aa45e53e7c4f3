package dev.unseg.jobs.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.unseg.jobs.config.ProtectConfig;
import dev.unseg.jobs.io.Locations;
import dev.unseg.jobs.io.SerializableHadoopConf;
import dev.unseg.jobs.plan.TaskPlanner;
import dev.unseg.jobs.protect.ProtectJob;
import dev.unseg.jobs.protect.Progress;
import dev.unseg.pipeline.dataset.ImageTask;
import java.io.FileNotFoundException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
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

  /** @param progressInterval how often the progress line is printed (0: never) */
  public VerifyJob(SparkSession spark, String output, String originals, java.time.Duration progressInterval) {
    this.spark = spark;
    this.output = Locations.directory(Locations.qualify(output));
    this.originals = originals;
    this.progressInterval = progressInterval;
  }

  /** What did not hold: the total count and the first {@link #SHOWN} messages. */
  public record Result(long rows, long problems, List<String> shown) {}

  public Result run() throws Exception {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Configuration hadoop = sc.hadoopConfiguration();
    FileSystem fs = FileSystem.get(output, hadoop);
    Path summaryPath = new Path(output.toString() + Locations.AUDIT_DIR + ProtectJob.SUMMARY);
    Path manifestPath = new Path(output.toString() + Locations.AUDIT_DIR + ProtectJob.MANIFEST);
    if (!fs.exists(manifestPath)) {
      throw new FileNotFoundException(manifestPath + " does not exist: --output " + output
          + " holds no finished protect run (run unseg protect, or --resume it, first)");
    }
    if (!fs.exists(summaryPath)) {
      throw new FileNotFoundException(summaryPath + " does not exist: the run in --output " + output
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

    if (originals == null || originals.isEmpty()) {
      problems.add(sc.parallelize(countProblems(summary, rows, manifest)));
    } else {
      ProtectConfig config = ProtectConfig.from(replanConfig(summary));
      Locations locations = Locations.of(config.images(), config.annotations(), output.toString());
      Path planDir = new Path(output.toString() + Locations.AUDIT_DIR + "verify-plan/");
      try {
        TaskPlanner.Plan plan = new TaskPlanner(sc, config, locations, conf, planDir).plan();
        JavaRDD<ImageTask> tasks = plan.tasks().cache();
        problems.add(rowAccounting(tasks, manifest));
        problems.add(OutputChecks.bounds(tasks, manifest, locations.images(), ProtectJob.annotationRoot(config, locations),
            output, imagesInOutput, conf, config.protection().maxPixels(), tally));
        checks += manifest.where("status IN ('protected', 'no_mask')").count();
        return collect(sc, problems, rows, checks, tally);
      } finally {
        fs.delete(planDir, true);
      }
    }
    return collect(sc, problems, rows, checks, tally);
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

  /** The run's input settings from its summary, with the images root moved to --originals. */
  private Config replanConfig(JsonNode summary) {
    Map<String, Object> m = new java.util.HashMap<>();
    m.put("unseg.input.format", summary.get("format").asText());
    m.put("unseg.input.images", originals);
    m.put("unseg.input.annotations", summary.get("annotations").asText());
    m.put("unseg.input.panoptic-masks", summary.path("panoptic_masks").asText(""));
    m.put("unseg.input.selection", summary.path("selection").asText("default"));
    m.put("unseg.input.mask-name", summary.path("mask_name").asText("{dir}{stem}.png"));
    m.put("unseg.output.uri", output.toString());
    m.put("unseg.noise.eps", summary.get("eps").asDouble());
    m.put("unseg.noise.eps-bg", summary.get("eps_bg").asDouble());
    m.put("unseg.generator.key", "unused-by-verify"); // verify never generates noise
    return ConfigFactory.parseMap(m).withFallback(ConfigFactory.defaultReference()).resolve();
  }
}
