package dev.unseg.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import dev.unseg.pipeline.audit.Sha256;
import dev.unseg.pipeline.composite.NoiseBudget;
import dev.unseg.pipeline.dataset.ClassLabels;
import dev.unseg.pipeline.dataset.DatasetFormat;
import dev.unseg.pipeline.dataset.LabelMapLayout;
import dev.unseg.pipeline.dataset.Selection;
import dev.unseg.pipeline.error.UserError;
import dev.unseg.pipeline.image.EncodeOptions;
import dev.unseg.pipeline.image.JpegCodec;
import dev.unseg.pipeline.image.OutputFormat;
import dev.unseg.pipeline.protect.PipelineSettings;
import dev.unseg.pipeline.protect.ProtectionSettings;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The validated settings of a protect run, read from the {@code unseg} block of the effective
 * config. Every check names its key; nothing is read lazily later.
 */
public record ProtectConfig(
    DatasetFormat format,
    String images,
    String annotations,
    String panopticMasks,
    Selection selection,
    String maskName,
    String imageList,
    String output,
    ProtectionSettings protection,
    boolean copyAnnotations,
    GeneratorConfig generator,
    int partitionSize,
    int partitionCount,
    int pipelineThreads,
    int maxInFlight,
    String runId,
    String master,
    Duration progressInterval,
    String configDigest,
    RunSafety safety,
    ReportSettings report)
    implements Serializable {

  public static ProtectConfig from(Config root) {
    Config c = root.getConfig("unseg");
    DatasetFormat format = SettingReads.enumSetting(c, "input.format", "--format", DatasetFormat::fromName,
        "coco, coco-panoptic, ade20k, cityscapes, voc or mask-pairs");
    String images = SettingReads.required(c, "input.images", "--images", "the root folder (URI) of the dataset's images");
    String annotations = SettingReads.required(c, "input.annotations", "--annotations",
        format == DatasetFormat.COCO || format == DatasetFormat.COCO_PANOPTIC
            ? "the dataset's annotation JSON file (URI)"
            : "the root folder (URI) of the label/mask files");
    String selectionSpec = SettingReads.string(c, "input.selection");
    Selection selection;
    try {
      selection = "default".equals(selectionSpec) ? Selection.defaultFor(format) : Selection.parse(selectionSpec);
    } catch (IllegalArgumentException e) {
      throw SettingReads.bad("input.selection", "--select", selectionSpec,
          "default, all, class:ID, class:NAME, classes:ID,NAME,... or things (" + e.getMessage() + ")");
    }
    boolean labelMaps = format != DatasetFormat.COCO && format != DatasetFormat.COCO_PANOPTIC;
    // A COCO index's category names are resolved when the start checks read it; a label-map format's are known.
    if (labelMaps) {
      Map<String, List<Long>> byName = ClassLabels.labelValuesByName(format);
      try {
        selection = selection.resolve(byName);
      } catch (IllegalArgumentException e) {
        throw SettingReads.bad("input.selection", "--select", selectionSpec, byName.isEmpty()
            ? "mask values such as class:1 or classes:1,3, or colours of colour-coded masks such as class:#0000ff (mask pairs have no class names: " + e.getMessage() + ")"
            : "label values or class names of --format " + format.cliName() + " (" + e.getMessage() + "; its names: "
                + Selection.listClasses(byName) + ")");
      }
    }
    if (labelMaps && !selection.excludeCrowd()) {
      throw SettingReads.bad("input.selection", "--select", selectionSpec, "a selection without +crowd for --format "
          + format.cliName() + " (+crowd adds COCO's crowd regions; label maps and masks have none: drop it)");
    }
    try {
      if (labelMaps) {
        LabelMapLayout.forFormat(format, selection, null); // the selection's class ids against the format's labels
      }
    } catch (IllegalArgumentException e) {
      throw SettingReads.bad("input.selection", "--select", selectionSpec, "a selection --format " + format.cliName()
          + " can apply (" + e.getMessage() + ")");
    }
    String maskName = SettingReads.string(c, "input.mask-name");
    try {
      if (format == DatasetFormat.MASK_PAIRS) {
        LabelMapLayout.checkRule(maskName);
      }
    } catch (IllegalArgumentException e) {
      throw SettingReads.bad("input.mask-name", "--mask-name", maskName, "a name rule with {stem}, such as {dir}{stem}_mask.png"
          + " (" + e.getMessage() + ")");
    }
    String imageList = SettingReads.string(c, "input.image-list");
    if (!imageList.isEmpty() && (format == DatasetFormat.COCO || format == DatasetFormat.COCO_PANOPTIC)) {
      throw SettingReads.bad("input.image-list", "--image-list", imageList, "nothing (leave it empty) with --format "
          + format.cliName() + ", whose index names its images itself: take a subset with --select or a smaller index");
    }
    String output = SettingReads.required(c, "output.uri", "--output", "where the protected dataset goes (a URI outside the inputs)");
    double eps = SettingReads.doubleIn(c, "noise.eps", "--eps", 0, 255);
    if (eps == 0) {
      throw SettingReads.bad("noise.eps", "--eps", eps, "a number above 0 up to 255 grey levels (a budget of 0 protects nothing)");
    }
    double epsBg = SettingReads.doubleIn(c, "noise.eps-bg", "--eps-bg", 0, 255);
    if (epsBg > eps) {
      throw SettingReads.bad("noise.eps-bg", "--eps-bg", epsBg, "a number from 0 up to --eps (" + eps
          + "): the budget outside the objects is at most the one inside");
    }
    NoiseBudget budget = new NoiseBudget(eps, epsBg);
    long maxPixels = SettingReads.longIn(c, "limits.max-pixels", null, 1, Long.MAX_VALUE);
    long maxFileBytes = SettingReads.bytesIn(c, "limits.max-file-bytes");
    ProtectionSettings protection = new ProtectionSettings(budget, encodeOptions(c), maxFileBytes, maxPixels,
        SettingReads.bool(c, "output.write-masks"), jpegCodec(c), SettingReads.intIn(c, "input.sample-bits", null, 8, 16));
    GeneratorConfig generator = GeneratorConfig.from(c);
    int partitionSize = SettingReads.intIn(c, "partitions.size", null, 1, 1_000_000);
    int partitionCount = SettingReads.intIn(c, "partitions.count", "--partitions", 0, 10_000_000);
    int threads = SettingReads.intIn(c, "pipeline.threads", null, 0, 256);
    int maxInFlight = SettingReads.intIn(c, "pipeline.max-in-flight", null, 1, 100_000);
    if (maxInFlight < generator.batchSize()) {
      throw new UserError("unseg.pipeline.max-in-flight = " + maxInFlight + " is smaller than unseg.generator.batch-size = "
          + generator.batchSize() + ": a batch could never fill. Raise max-in-flight to at least the batch size.");
    }
    Duration progress = SettingReads.duration(c, "run.progress-interval", "a duration such as 5s or 0");
    String digest = Sha256.hex(c.withoutPath("generator.key").withoutPath("run.resume").withoutPath("run.overwrite")
        .withoutPath("run.lease-expiry").root()
        .render(ConfigRenderOptions.concise().setJson(true)).getBytes(StandardCharsets.UTF_8));
    return new ProtectConfig(format, images, annotations, SettingReads.string(c, "input.panoptic-masks"), selection, maskName,
        imageList, output, protection, SettingReads.bool(c, "output.copy-annotations"), generator, partitionSize, partitionCount,
        threads, maxInFlight, SettingReads.string(c, "run.id"), SettingReads.string(c, "run.master"), progress, digest, RunSafety.from(c),
        ReportSettings.from(root));
  }

  /** How protected images are written (the {@code unseg.output} format and JPEG quality, a number or "same"). */
  public static EncodeOptions encodeOptions(Config unseg) {
    OutputFormat outputFormat = SettingReads.enumSetting(unseg, "output.format", "--output-format",
        s -> OutputFormat.valueOf(s.toUpperCase(Locale.ROOT)), "same, png or jpeg");
    String quality = SettingReads.string(unseg, "output.jpeg-quality");
    if (quality.equals(EncodeOptions.SAME_QUALITY)) {
      return new EncodeOptions(outputFormat, EncodeOptions.INPUT_JPEG_QUALITY);
    }
    int q = quality.matches("\\d{1,3}") ? Integer.parseInt(quality) : -1;
    if (q >= 1 && q <= 100) {
      return new EncodeOptions(outputFormat, q);
    }
    throw SettingReads.bad("output.jpeg-quality", "--jpeg-quality", quality,
        "a whole number from 1 to 100, or same (each JPEG input's own quality)");
  }

  /**
   * One task's pipeline: {@code pipeline.threads} worker threads, or {@code executorCores}, the cores Spark
   * gave the executor ({@code spark.executor.cores}); where that is not set (local mode), the cores this JVM
   * sees. Not the JVM's count on a cluster: under YARN without CPU isolation it is the whole node's.
   */
  public PipelineSettings pipeline(java.util.OptionalInt executorCores) {
    int threads = pipelineThreads > 0 ? pipelineThreads
        : Math.max(1, executorCores.orElse(Runtime.getRuntime().availableProcessors()));
    return new PipelineSettings(threads, generator.batchSize(), maxInFlight);
  }

  /** unseg.codec.jpeg resolved here, at start: turbo without libturbojpeg is refused, with the fix. */
  static JpegCodec jpegCodec(Config c) {
    JpegCodec wanted = SettingReads.enumSetting(c, "codec.jpeg", null, JpegCodec::parse, "auto, turbo or imageio");
    try {
      return wanted.resolve();
    } catch (IllegalStateException e) {
      throw new UserError("unseg.codec.jpeg = turbo, but " + e.getMessage());
    }
  }
}
