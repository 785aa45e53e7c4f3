package dev.unseg.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException.Missing;
import com.typesafe.config.ConfigException.WrongType;
import com.typesafe.config.ConfigRenderOptions;
import dev.unseg.pipeline.audit.Sha256;
import dev.unseg.pipeline.composite.NoiseBudget;
import dev.unseg.pipeline.dataset.DatasetFormat;
import dev.unseg.pipeline.dataset.Selection;
import dev.unseg.pipeline.image.EncodeOptions;
import dev.unseg.pipeline.image.JpegCodec;
import dev.unseg.pipeline.image.OutputFormat;
import dev.unseg.pipeline.protect.PipelineSettings;
import dev.unseg.pipeline.protect.ProtectionSettings;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

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
    DatasetFormat format = enumSetting(c, "input.format", "--format", DatasetFormat::fromName,
        "coco, coco-panoptic, ade20k, cityscapes, voc or mask-pairs");
    String images = required(c, "input.images", "--images", "the root folder (URI) of the dataset's images");
    String annotations = required(c, "input.annotations", "--annotations",
        format == DatasetFormat.COCO || format == DatasetFormat.COCO_PANOPTIC
            ? "the dataset's annotation JSON file (URI)"
            : "the root folder (URI) of the label/mask files");
    String selectionSpec = string(c, "input.selection");
    Selection selection;
    try {
      selection = "default".equals(selectionSpec) ? Selection.defaultFor(format) : Selection.parse(selectionSpec);
    } catch (IllegalArgumentException e) {
      throw bad("input.selection", "--select", selectionSpec,
          "default, all, class:ID, classes:ID,ID,... or things (" + e.getMessage() + ")");
    }
    String maskName = string(c, "input.mask-name");
    if (format == DatasetFormat.MASK_PAIRS && !maskName.contains("{stem}")) {
      throw bad("input.mask-name", "--mask-name", maskName, "a name rule containing {stem}, e.g. {dir}{stem}_mask.png");
    }
    String output = required(c, "output.uri", "--output", "where the protected dataset goes (a URI outside the inputs)");
    OutputFormat outputFormat = enumSetting(c, "output.format", "--output-format",
        s -> OutputFormat.valueOf(s.toUpperCase(Locale.ROOT)), "same, png or jpeg");
    int quality = intIn(c, "output.jpeg-quality", "--jpeg-quality", 1, 100);
    double eps = doubleIn(c, "noise.eps", "--eps", 0, 255);
    double epsBg = doubleIn(c, "noise.eps-bg", "--eps-bg", 0, 255);
    NoiseBudget budget;
    try {
      budget = new NoiseBudget(eps, epsBg);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("unseg.noise.eps / unseg.noise.eps-bg: " + e.getMessage() + " (flags --eps, --eps-bg)");
    }
    long maxPixels = longIn(c, "limits.max-pixels", null, 1, Long.MAX_VALUE);
    long maxFileBytes = bytesIn(c, "limits.max-file-bytes");
    ProtectionSettings protection = new ProtectionSettings(budget, new EncodeOptions(outputFormat, quality),
        maxFileBytes, maxPixels, bool(c, "output.write-masks"), jpegCodec(c));
    GeneratorConfig generator = GeneratorConfig.from(c);
    int partitionSize = intIn(c, "partitions.size", null, 1, 1_000_000);
    int partitionCount = intIn(c, "partitions.count", "--partitions", 0, 10_000_000);
    int threads = intIn(c, "pipeline.threads", null, 0, 256);
    int maxInFlight = intIn(c, "pipeline.max-in-flight", null, 1, 100_000);
    if (maxInFlight < generator.batchSize()) {
      throw new ConfigException("unseg.pipeline.max-in-flight = " + maxInFlight + " is smaller than unseg.generator.batch-size = "
          + generator.batchSize() + ": a batch could never fill. Raise max-in-flight to at least the batch size.");
    }
    Duration progress = duration(c, "run.progress-interval", "a duration such as 5s or 0");
    String digest = Sha256.hex(c.withoutPath("generator.key").withoutPath("run.resume").withoutPath("run.overwrite")
        .withoutPath("run.lease-expiry").root()
        .render(ConfigRenderOptions.concise().setJson(true)).getBytes(StandardCharsets.UTF_8));
    return new ProtectConfig(format, images, annotations, string(c, "input.panoptic-masks"), selection, maskName,
        output, protection, bool(c, "output.copy-annotations"), generator, partitionSize, partitionCount,
        threads, maxInFlight, string(c, "run.id"), string(c, "run.master"), progress, digest, RunSafety.from(c),
        ReportSettings.from(root));
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

  // ---- typed reads that name the key on failure ----

  static String string(Config c, String key) {
    try {
      return c.getString(key).trim();
    } catch (Missing | WrongType e) {
      throw new ConfigException("unseg." + key + ": " + e.getMessage());
    }
  }

  static String required(Config c, String key, String flag, String what) {
    String v = string(c, key);
    if (v.isEmpty()) {
      throw new ConfigException("unseg." + key + " is not set: give " + what
          + (flag == null ? "" : " with " + flag) + " or --conf unseg." + key + "=...");
    }
    return v;
  }

  static boolean bool(Config c, String key) {
    try {
      return c.getBoolean(key);
    } catch (Missing | WrongType e) {
      throw bad(key, null, c.hasPath(key) ? c.getValue(key).unwrapped() : null, "true or false");
    }
  }

  static int intIn(Config c, String key, String flag, int min, int max) {
    long v = longIn(c, key, flag, min, max);
    return (int) v;
  }

  static long longIn(Config c, String key, String flag, long min, long max) {
    long v;
    try {
      v = c.getLong(key);
    } catch (Missing | WrongType e) {
      throw bad(key, flag, c.hasPath(key) ? c.getValue(key).unwrapped() : null, "a whole number from " + min + " to " + max);
    }
    if (v < min || v > max) {
      throw bad(key, flag, v, "a whole number from " + min + " to " + max);
    }
    return v;
  }

  static double doubleIn(Config c, String key, String flag, double min, double max) {
    double v;
    try {
      v = c.getDouble(key);
    } catch (Missing | WrongType e) {
      throw bad(key, flag, c.hasPath(key) ? c.getValue(key).unwrapped() : null, "a number from " + min + " to " + max);
    }
    if (!(v >= min && v <= max)) {
      throw bad(key, flag, v, "a number from " + min + " to " + max);
    }
    return v;
  }

  static Duration duration(Config c, String key, String accepted) {
    try {
      return c.getDuration(key);
    } catch (com.typesafe.config.ConfigException e) {
      throw bad(key, null, c.hasPath(key) ? c.getValue(key).unwrapped() : null, accepted);
    }
  }

  static long bytesIn(Config c, String key) {
    try {
      long v = c.getBytes(key);
      if (v <= 0) {
        throw bad(key, null, v, "a positive size such as 512 MiB");
      }
      return v;
    } catch (com.typesafe.config.ConfigException e) {
      throw bad(key, null, c.hasPath(key) ? c.getValue(key).unwrapped() : null, "a size such as 512 MiB");
    }
  }

  /** unseg.codec.jpeg resolved here, at start: turbo without libturbojpeg is refused, with the fix. */
  static JpegCodec jpegCodec(Config c) {
    JpegCodec wanted = enumSetting(c, "codec.jpeg", null, JpegCodec::parse, "auto, turbo or imageio");
    try {
      return wanted.resolve();
    } catch (IllegalStateException e) {
      throw new ConfigException("unseg.codec.jpeg = turbo, but " + e.getMessage());
    }
  }

  interface Parser<T> {
    T parse(String s);
  }

  static <T> T enumSetting(Config c, String key, String flag, Parser<T> parser, String accepted) {
    String v = string(c, key);
    if (v.isEmpty()) {
      throw new ConfigException("unseg." + key + " is not set: it accepts " + accepted
          + (flag == null ? "" : " (flag " + flag + ")"));
    }
    try {
      return parser.parse(v);
    } catch (IllegalArgumentException e) {
      throw bad(key, flag, v, accepted);
    }
  }

  static ConfigException bad(String key, String flag, Object value, String accepted) {
    return new ConfigException("unseg." + key + " = " + (value == null ? "(missing)" : "'" + value + "'")
        + " is not valid: it accepts " + accepted + (flag == null ? "" : " (flag " + flag + ")"));
  }
}
