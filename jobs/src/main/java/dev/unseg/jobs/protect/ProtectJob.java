package dev.unseg.jobs.protect;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unseg.jobs.config.GeneratorConfig;
import dev.unseg.jobs.config.ProtectConfig;
import dev.unseg.jobs.config.RunSpec;
import dev.unseg.jobs.generator.Generators;
import dev.unseg.jobs.io.Locations;
import dev.unseg.jobs.io.OutputFullException;
import dev.unseg.jobs.io.SerializableHadoopConf;
import dev.unseg.jobs.io.Storage;
import dev.unseg.jobs.plan.TaskPlanner;
import dev.unseg.jobs.report.ManifestStats;
import dev.unseg.jobs.report.ProtectReport;
import dev.unseg.pipeline.dataset.DatasetFormat;
import dev.unseg.pipeline.dataset.Selection;
import dev.unseg.pipeline.generator.SyntheticTextureGenerator;
import dev.unseg.pipeline.image.EncodeOptions;
import dev.unseg.pipeline.image.JpegCodec;
import dev.unseg.pipeline.image.OutputFormat;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;

/**
 * The protect run on the driver: check the settings against the storage, plan the tasks, run
 * them, write the manifest (Spark's committer makes it exactly one row per image even when tasks
 * are retried), then the summary, the report ({@code _unseg/report.html}), and {@code _SUCCESS}
 * last, only when every entry has its row.
 */
public final class ProtectJob {
  private static final java.time.format.DateTimeFormatter RUN_ID_TIME =
      java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(java.time.ZoneOffset.UTC);

  private final SparkSession spark;
  private final ProtectConfig config;
  private final java.io.PrintStream console;
  /** What the run is doing, for the message when the output turns out to be full. */
  private String step = STARTING;
  private static final String STARTING = "starting"; // start checks throw their own user errors

  /** @param console where notices for the user go (taking over a dead run's output) */
  public ProtectJob(SparkSession spark, ProtectConfig config, java.io.PrintStream console) {
    this.spark = spark;
    this.config = config;
    this.console = console;
  }

  /** What a run did, as the summary records it. */
  /** What a run did; {@code errors}: failed rows by error code. */
  /** @param doneBefore images a resume left as earlier runs made them (0 for a fresh run) */
  public record Result(String runId, URI output, long entries, long rows, long doneBefore, long protectedImages, long noMask,
      long failed, Map<String, Long> errors, boolean success, double seconds, String stopped, String report) {}

  /**
   * Runs it. A full output (no space left, a quota reached), met by a task or by the driver's own
   * writes (settings, plan, manifest, summary), stops the run with an {@link OutputFullException}
   * that names the output, the step and the fix: the records of finished tasks stay, and --resume
   * finishes the run once there is space.
   */
  public Result run() throws Exception {
    try {
      return protect();
    } catch (Exception e) {
      if (OutputFullException.isOutOfSpace(e)) {
        throw OutputFullException.stopping(config.output(), step, e);
      }
      RunStoppedException stop = step.equals(STARTING) ? null : RunStoppedException.ifStorage(config.output(), step, e);
      throw stop != null ? stop : e;
    }
  }

  private Result protect() throws Exception {
    Instant started = Instant.now();
    String runId = config.runId().isEmpty()
        ? RUN_ID_TIME.format(started) + "-" + UUID.randomUUID().toString().substring(0, 8)
        : config.runId();
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Configuration hadoop = sc.hadoopConfiguration();
    RunSpec settings = RunSpec.of(config);
    Locations locations = settings.locations();
    locations.checkOutputSeparate();
    URI annotationRoot = settings.annotationRoot(locations);
    // Every start check comes before the first write to the output: a refused start leaves it as it was.
    Selection selection = StartChecks.inputs(config, locations, annotationRoot, hadoop);
    StartChecks.output(locations.output(), hadoop);
    RunSpec spec = settings.withSelection(selection).withModelSha256(Generators.checkModel(config.generator(), hadoop));
    if (sc.sc().isLocal()) {
      Generators.loadForEmbeddedTasks(config.generator(), hadoop);
    }
    // From here a storage failure is the output's, met after the inputs checked out: a clean stop, not a bug.
    step = "checking the output";
    Storage outFs = Storage.of(locations.output(), hadoop);
    OutputLease.checkFree(outFs, locations, config.safety());
    boolean resuming = PreviousRun.check(outFs, locations, config.safety());
    if (resuming && outFs.exists(locations.layout().settings())) { // a run that died before writing it has no outputs
      spec.checkResumable(readSpec(outFs, locations.layout()));
    }
    // After the start checks, so that a refused start still prints its one line only.
    SampleBitsHint.of(config, locations, hadoop).ifPresent(console::println);
    console.println("unseg: JPEG codec: " + (config.protection().jpegCodec() == JpegCodec.TURBO
        ? "libjpeg-turbo (libturbojpeg)" : "ImageIO") + " (unseg.codec.jpeg)");
    step = "taking the output's lease _unseg/lease.json";
    try (OutputLease lease = OutputLease.acquire(outFs, locations, config.safety(), runId, console)) {
      PreviousRun.prepare(outFs, locations, config.safety());
      if (!resuming) {
        step = "writing _unseg/settings.json";
        outFs.publish(locations.layout().settings(), spec.toJson());
      }
      return runHoldingLease(runId, spec, started, sc, hadoop, locations, annotationRoot, outFs, resuming, lease);
    }
  }

  /**
   * A console line on what --resume found: {@code n} and the subject, then {@code rest} with it/them for its first
   * %s and a verb's singular s for its second.
   */
  private void resumeLine(long n, String one, String many, String rest) {
    if (n > 0) {
      console.println("unseg: " + n + " " + (n == 1 ? one : many) + String.format(rest, n == 1 ? "it" : "them", n == 1 ? "s" : ""));
    }
  }

  /**
   * When the COCO or panoptic index was last written (epoch ms): --resume looks again at the masks of images
   * protected before. Not when the release's copy of it is newer: the run that copied it, at its end, had looked
   * at every mask it makes.
   */
  private long indexModified(Configuration hadoop, Locations locations) throws IOException {
    if (config.format() != DatasetFormat.COCO && config.format() != DatasetFormat.COCO_PANOPTIC) {
      return Long.MIN_VALUE;
    }
    Storage.Status index = Storage.of(locations.annotations(), hadoop).status(new Path(locations.annotations()));
    Storage.Status copy = config.copyAnnotations() ? Storage.of(locations.output(), hadoop).status(indexCopy(locations)) : null;
    return index == null || copy != null && copy.modified() >= index.modified() ? Long.MIN_VALUE : index.modified();
  }

  private static Path indexCopy(Locations locations) {
    return locations.layout().path(locations.mirror(locations.annotations()));
  }

  /** The spec of the run an output holds. */
  public static RunSpec readSpec(Storage fs, dev.unseg.jobs.io.OutputLayout layout) throws IOException {
    try (InputStream in = fs.open(layout.settings())) {
      return RunSpec.fromJson(in);
    }
  }

  private Result runHoldingLease(String runId, RunSpec spec, Instant started, JavaSparkContext sc, Configuration hadoop,
      Locations locations, URI annotationRoot, Storage outFs, boolean resuming, OutputLease lease) throws Exception {
    SerializableHadoopConf conf = new SerializableHadoopConf(hadoop);
    Path planDir = locations.layout().plan();
    step = "planning the run into _unseg/plan/";
    TaskPlanner.Plan plan = new TaskPlanner(sc, spec, config.partitionSize(), config.partitionCount(), locations, conf, planDir).plan();
    TaskPlanner.Sidecars sidecars = plan.sidecars();
    // With another output format the images' names change, and the sidecars' names would no longer match them.
    boolean copySidecars = sidecars.count() > 0 && config.protection().encode().format() == OutputFormat.SAME;
    long notImages = plan.notImages() + (copySidecars ? 0 : sidecars.count());
    String firstNotImage = plan.firstNotImage() != null || copySidecars ? plan.firstNotImage() : sidecars.first();
    if (firstNotImage != null) {
      // Not an error, and not silent: what stays out of the release may be what its users need.
      String format = config.format().cliName();
      console.println("unseg: " + (notImages == 1 ? "1 file under --images is not a " + format + " image and stays"
          : notImages + " files under --images are not " + format + " images and stay")
          + " out of the release (the first: " + firstNotImage + "). Copy what the release needs yourself"
          + (copySidecars || sidecars.count() == 0 ? "" : " (GDAL's sidecars, with names to match the images' new ones)")
          + "; never .ovr overviews, which hold the images' pixels unprotected.");
    }
    long sidecarsCopied = 0;
    if (copySidecars) {
      step = "copying GDAL's sidecars";
      sidecarsCopied = SidecarCopies.copy(sc, sidecars, locations, conf);
      console.println("unseg: " + sidecarsCopied + (sidecarsCopied == 1 ? " GDAL sidecar" : " GDAL sidecars") + " beside the"
          + " images (georeferencing, projection, masks; the first: " + sidecars.first() + ") copied into the release"
          + " unchanged; overviews (.ovr) never are.");
    }
    LongAccumulator done = sc.sc().longAccumulator("unseg.done");
    LongAccumulator failedAcc = sc.sc().longAccumulator("unseg.failed");
    LongAccumulator loads = sc.sc().longAccumulator("unseg.generator_loads");
    InputChanges.Counts resume = new InputChanges.Counts(sc.sc().longAccumulator("unseg.changedInputs"),
        sc.sc().longAccumulator("unseg.changedMasks"), sc.sc().longAccumulator("unseg.copiedAnnotations"),
        sc.sc().longAccumulator("unseg.missingCopies"), sc.sc().longAccumulator("unseg.doneBefore"));
    JavaRDD<dev.unseg.pipeline.dataset.ImageTask> pending = plan.tasks();
    if (resuming) {
      step = "comparing the dataset with the earlier run's records";
      Dataset<Row> earlier = RunRecords.all(spark, outFs, locations);
      try {
        RunRecords.refuseRemovedImages(plan.tasks(), earlier, locations, conf);
      } catch (dev.unseg.pipeline.error.UserError e) {
        outFs.delete(planDir, true);
        throw e;
      }
      PreviousRun.resuming(outFs, locations);
      pending = RunRecords.pending(plan.tasks(), earlier, new InputChanges(locations, annotationRoot, config.format(),
          config.copyAnnotations(), indexModified(hadoop, locations), conf, resume));
    }
    JavaRDD<Row> rows = pending.mapPartitions(
        new ProtectPartition(config, locations, annotationRoot, conf, runId, done, failedAcc, loads));
    String manifest = locations.layout().manifest().toString();
    FailureLimit limit = new FailureLimit(sc, plan.entries(), failedAcc, config.safety().maxFailedFraction());
    step = "protecting the images";
    try (Progress progress = Progress.start(sc.sc(), plan.entries(), done, failedAcc, resume.unchanged(), config.progressInterval());
        FailureLimit watching = limit.start()) {
      rows.count();
    } catch (Exception e) { // Spark's job cancellation (a SparkException, thrown undeclared)
      if (limit.reason() == null) {
        throw e;
      }
    }
    String stopped = limit.reason();
    // An executor killed mid-write (lost node, OOM kill) leaves a partial file under a temporary
    // name; its task was redone elsewhere, so the file is garbage. Every task has ended here
    // (a stopped run's cancelled tasks may not have: --resume removes what they leave).
    if (stopped == null) {
      PreviousRun.removeTemporaryFiles(outFs, locations);
    }
    // Every task's records (this run's and, when resuming, earlier runs'): one row per image.
    step = "writing the manifest _unseg/manifest";
    Dataset<Row> records = RunRecords.latest(RunRecords.all(spark, outFs, locations), resuming ? null : runId);
    // On --resume, the rows of images taken out of the dataset since go (refuseRemovedImages kept their copies out).
    Dataset<Row> latest = resuming ? RunRecords.planned(records, plan.tasks()) : records;
    QuietSparkLogs.during(() -> {
      latest.write().mode("overwrite").parquet(manifest);
      return null;
    });
    outFs.afterSparkWrite(locations.layout().manifest());

    ManifestStats stats = ProtectReport.stats(spark, locations.layout().manifest(), config.report());
    denseMasksNote(stats);
    if (stopped == null && stats.withStatus("failed") > config.safety().maxFailedFraction() * plan.entries()) {
      stopped = limit.message(stats.withStatus("failed"));
    }
    // Not by a stopped run, which may not have compared every mask with the index (indexModified).
    if (stopped == null && config.copyAnnotations()
        && (config.format() == DatasetFormat.COCO || config.format() == DatasetFormat.COCO_PANOPTIC)) {
      step = "copying the annotations";
      copyFile(hadoop, locations.annotations(), indexCopy(locations));
    }
    if (config.copyAnnotations() && !config.imageList().isEmpty()) {
      step = "copying the image list"; // the release's split file (VOC's ImageSets/Segmentation/*.txt)
      URI list = Locations.qualify(config.imageList());
      copyFile(hadoop, list, locations.layout().path(locations.mirror(list)));
    }
    Instant finished = Instant.now();
    double seconds = Math.max(1e-3, Duration.between(started, finished).toMillis() / 1000.0);
    long changed = resume.inputs().value();
    long masks = resume.masks().value();
    long copied = resume.copied().value();
    long missing = resume.missing().value();
    resumeLine(changed, "image has", "images have",
        " changed since an earlier run protected %s (another size, or other bytes in a file written since): protected again");
    resumeLine(masks, "image's annotation has", "images' annotations have",
        " changed since an earlier run protected %s (another mask): protected again");
    resumeLine(copied, "image's annotation was", "images' annotations were", " written since an earlier run protected %s"
        + " and make%s the same mask: copied into the release again, the image left as it was");
    resumeLine(missing, "protected copy was", "protected copies were", " no longer in the release: written again");
    if (stopped == null && lease.lostTo() != null) {
      stopped = "another run took over this output while this one ran (" + lease.lostTo() + "; this run's heartbeat"
          + " was late by more than unseg.run.lease-expiry): check the output with unseg verify, or --resume it";
    }
    boolean success = stats.rows() == plan.entries() && stopped == null;
    long before = resume.unchanged().value();
    ObjectNode summary = summary(runId, spec, locations, plan, stats, started, finished, seconds, success, resuming, before,
        notImages, sidecarsCopied);
    summary.put("generator_loads", loads.value()); // model loads by executor JVMs in this run: one each, never per task
    summary.put("changed_inputs", changed); // images protected again by --resume because their file changed
    summary.put("changed_annotations", masks); // because their annotation made another mask
    summary.put("missing_outputs", missing); // and because their copy had gone from the release
    summary.put("recopied_annotations", copied); // annotations written since that make the same mask: copied again
    step = "writing _unseg/summary.json";
    outFs.publish(locations.layout().summary(), new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
        .writeValueAsBytes(summary));
    String report = report(locations, stats);
    outFs.delete(planDir, true);
    if (success) {
      step = "writing _SUCCESS";
      outFs.publish(locations.layout().success(), runId.getBytes(StandardCharsets.UTF_8));
    }
    return new Result(runId, locations.output(), plan.entries(), stats.rows(), before, stats.withStatus("protected"),
        stats.withStatus("no_mask"), stats.withStatus("failed"), stats.errors(), success, seconds, stopped, report);
  }

  /**
   * {@code _unseg/report.html}, after the manifest and summary it shows and before {@code _SUCCESS}. The
   * report is for people: a failure to build it (an original image moved, say) is said on the console and
   * does not fail the run, whose outputs are complete; {@code unseg report OUTPUT} builds it again.
   *
   * @return where the report is, or null when it could not be written
   */
  private String report(Locations locations, ManifestStats stats) {
    try {
      return ProtectReport.write(spark, locations.output(), config.report(), stats).toString();
    } catch (Exception e) {
      console.println("unseg: the report could not be written (" + e + "); the run's outputs are complete."
          + " Build it again with: unseg report " + locations.output());
      return null;
    }
  }

  /** Published like every output file: a full disk leaves no truncated copy under its name. */
  private static void copyFile(Configuration hadoop, URI from, Path to) throws IOException {
    try (InputStream src = Storage.of(from, hadoop).open(new Path(from))) {
      Storage.of(to.toUri(), hadoop).publish(to, src);
    }
  }

  /**
   * The built-in generator sets the mask's pixels apart from the rest: where the mask is the whole image (a dense
   * label map's every labelled pixel, an RGB class map's nonzero pixels) the noise is one tint over the whole
   * image, which gives a model trained on the release nothing to learn instead of the classes (docs/evaluate.md).
   */
  private void denseMasksNote(ManifestStats stats) {
    long dense = stats.denseMasks();
    long protectedImages = stats.withStatus("protected");
    // The classes design colours each class of a label map its own way: a dense map is what it is for.
    boolean classColours = config.generator().design() == SyntheticTextureGenerator.Design.CLASSES
        && config.format().classMaps();
    if (config.generator().kind() != GeneratorConfig.Kind.SYNTHETIC || classColours || dense == 0 || 2 * dense < protectedImages) {
      return;
    }
    console.println("unseg: note: the masks of " + dense + " of " + protectedImages + " protected images cover "
        + ManifestStats.DENSE_MASK_PERCENT + "% or more of their image (a dense label map: every labelled pixel is in"
        + " the mask). The built-in generator moves the pixels inside the mask one way and those outside it the other;"
        + " with nothing outside, that is one tint over the whole image, which a model trained on the release learns"
        + " to ignore, so these images are barely protected. Give the classes that are objects with --select (things"
        + " where the format marks them: Cityscapes, COCO categories with isthing; \"classes:person,car\" by name;"
        + " class:VALUE for the values of mask pairs, class:#RRGGBB for the colours of colour-coded ones) and protect"
        + " again with --overwrite"
        + (config.format().classMaps() ? ", or give each class its own colour: --conf unseg.generator.synthetic.design=classes" : "") + ":"
        + " the rest of each image is then the background that the noise sets them apart from.");
  }

  private ObjectNode summary(String runId, RunSpec spec, Locations locations, TaskPlanner.Plan plan, ManifestStats stats,
      Instant started, Instant finished, double seconds, boolean success, boolean resuming, long doneBefore,
      long notImages, long sidecarsCopied) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode s = json.createObjectNode();
    s.put("run_id", runId);
    s.put("success", success);
    s.put("resumed", resuming);
    s.put("format", spec.format());
    s.put("images", locations.images().toString());
    s.put("annotations", locations.annotations().toString());
    s.put("output", locations.output().toString());
    s.put("images_in_output", locations.mirror(locations.images()));
    s.put("entries", plan.entries());
    s.put("manifest_rows", stats.rows());
    ObjectNode status = s.putObject("status");
    for (String st : List.of("protected", "no_mask", "failed")) {
      status.put(st, stats.withStatus(st));
    }
    ObjectNode errors = s.putObject("errors");
    stats.errors().forEach(errors::put);
    s.put("not_images", notImages);
    s.put("sidecars_copied", sidecarsCopied);
    s.put("dense_masks", stats.denseMasks());
    s.put("orphan_annotations", plan.orphanAnnotations().value());
    s.put("bytes_in", stats.bytes().in());
    s.put("bytes_out", stats.bytes().out());
    s.put("eps", spec.eps());
    s.put("eps_bg", spec.epsBackground());
    s.put("output_format", spec.outputFormat());
    if (spec.jpegQuality().equals(EncodeOptions.SAME_QUALITY)) {
      s.put("jpeg_quality", spec.jpegQuality());
    } else {
      s.put("jpeg_quality", Integer.parseInt(spec.jpegQuality()));
    }
    s.set("generators", json.valueToTree(stats.generators()));
    s.put("config_sha256", config.configDigest());
    s.put("unseg_version", dev.unseg.jobs.config.BuildVersion.get());
    s.put("started_at", started.toString());
    s.put("finished_at", finished.toString());
    s.put("seconds", seconds);
    s.put("done_before", doneBefore); // images --resume left as earlier runs made them
    s.put("images_per_second", Math.max(0, stats.rows() - doneBefore) / seconds); // of the images this run did
    s.set("settings", json.valueToTree(spec)); // the run spec, as _unseg/settings.json holds it
    return s;
  }
}
