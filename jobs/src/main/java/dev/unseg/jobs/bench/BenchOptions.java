package dev.unseg.jobs.bench;

import com.typesafe.config.Config;
import dev.unseg.jobs.config.SettingReads;
import dev.unseg.pipeline.error.UserError;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What {@code unseg bench} measures.
 *
 * @param jpegImages COCO-like JPEGs (quality 95, with drawn masks) per run
 * @param pngImages large PNG tiles per run
 * @param jpegWidth width of the JPEGs; {@code jpegHeight} likewise
 * @param pngWidth width of the PNG tiles; {@code pngHeight} likewise
 * @param threads worker threads of the floor and of the in-task pipeline; Spark gets {@code local[threads]}
 * @param repeats timed runs of each scenario (the median is reported, with the spread)
 * @param model the DJL fixture (or any TorchScript generator); null skips the DJL scenario
 * @param skip scenario names not to run
 * @param profile print the per-step breakdown of one image first
 * @param python the interpreter of the pillow and python-naive scenarios (PIL and numpy)
 * @param work where the generated data and the outputs go (deleted at the end unless {@code keep})
 */
record BenchOptions(int jpegImages, int pngImages, int jpegWidth, int jpegHeight, int pngWidth, int pngHeight,
    int threads, int repeats, int batchSize, int maxInFlight, Path model, List<String> skip, Path work, boolean keep,
    boolean profile, Path python) {

  /** From the {@code unseg.bench} block (flags in UnsegCli); every value checked, naming its key. */
  /** Every scenario, in the order the table prints them. */
  static final List<String> SCENARIOS = List.of("floor", "pipeline", "djl", "spark", "serial", "naive", "pillow", "python-naive");

  static BenchOptions from(Config config) {
    Config c = config.getConfig("unseg");
    int jpeg = SettingReads.intIn(c, "bench.jpeg-images", "--jpeg", 0, 1_000_000);
    int png = SettingReads.intIn(c, "bench.png-images", "--png", 0, 1_000_000);
    int[] jpegSize = size(c, "bench.jpeg-size", "--jpeg-size");
    int[] pngSize = size(c, "bench.png-size", "--png-size");
    int threads = SettingReads.intIn(c, "bench.threads", "--threads", 0, 1024);
    int repeats = SettingReads.intIn(c, "bench.repeats", "--repeats", 1, 1000);
    int batch = SettingReads.intIn(c, "bench.batch-size", "--batch-size", 1, 1024);
    int inFlight = SettingReads.intIn(c, "bench.max-in-flight", "--max-in-flight", 1, 100_000);
    String model = SettingReads.string(c, "bench.model");
    String skip = SettingReads.string(c, "bench.skip").toLowerCase(Locale.ROOT);
    String work = SettingReads.string(c, "bench.work");
    List<String> skipped = skip.isBlank() ? List.of() : Arrays.stream(skip.split(",")).map(String::trim).toList();
    for (String name : skipped) {
      if (!SCENARIOS.contains(name)) {
        throw new UserError("unseg.bench.skip (--skip) names '" + name + "', which is not a scenario: it accepts a"
            + " comma-separated list of " + String.join(", ", SCENARIOS));
      }
    }
    if (skipped.containsAll(SCENARIOS)) {
      throw new UserError("unseg.bench.skip (--skip) leaves no scenario to run: drop one of them from --skip");
    }
    if (jpeg + png == 0) {
      throw new UserError("unseg.bench.jpeg-images and unseg.bench.png-images are both 0 (--jpeg, --png): nothing to time");
    }
    if (inFlight < batch) {
      throw new UserError("unseg.bench.max-in-flight = " + inFlight + " is below unseg.bench.batch-size = " + batch
          + ": a batch could never fill. Raise --max-in-flight to at least --batch-size.");
    }
    if (!model.isEmpty() && !Path.of(model).toFile().isFile()) {
      throw new UserError("unseg.bench.model = " + model + " does not exist: give a TorchScript file with --model, or none");
    }
    return new BenchOptions(jpeg, png, jpegSize[0], jpegSize[1], pngSize[0], pngSize[1],
        threads > 0 ? threads : Runtime.getRuntime().availableProcessors(), repeats, batch, inFlight,
        model.isEmpty() ? null : Path.of(model), skipped,
        work.isEmpty() ? null : Path.of(work), SettingReads.bool(c, "bench.keep"), SettingReads.bool(c, "bench.profile"),
        Path.of(SettingReads.required(c, "bench.python", "--python", "a Python interpreter with PIL and numpy")));
  }

  boolean runs(String scenario) {
    return !skip.contains(scenario);
  }

  private static int[] size(Config c, String key, String flag) {
    String v = SettingReads.string(c, key);
    String[] p = v.toLowerCase(Locale.ROOT).split("x");
    try {
      if (p.length == 2 && Integer.parseInt(p[0]) > 0 && Integer.parseInt(p[1]) > 0) {
        return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])};
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw SettingReads.bad(key, flag, v, "WIDTHxHEIGHT, such as 640x480");
  }
}
