package dev.unseg.jobs.bench;

import java.nio.file.Path;
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
 * @param work where the generated data and the outputs go (deleted at the end unless {@code keep})
 * @param python the interpreter of the pillow and python-naive scenarios (needs PIL and numpy)
 */
record BenchOptions(int jpegImages, int pngImages, int jpegWidth, int jpegHeight, int pngWidth, int pngHeight,
    int threads, int repeats, int batchSize, int maxInFlight, Path model, List<String> skip, Path work, boolean keep,
    boolean profile, Path python) {

  static final String USAGE = """
      usage: unseg bench [options]

      Times, in one run and on the same generated data (COCO-like JPEGs, then PNG tiles, each kind on
      its own): the floor (read, decode, encode, write only), the in-task pipeline with the built-in
      generator, the same with a TorchScript model through DJL, the whole Spark job (embedded) with the
      built-in generator, the pipeline's steps on one thread (serial), and the naive one-thread loop of
      the reference scripts; then two Python baselines as child processes on the same files and threads:
      a plain Pillow loop (pillow: decode, encode q95, write) and a naive numpy protector (python-naive:
      Pillow decode, +-8 mask-keyed noise, clip, encode, write). Prints images/s (median of the repeats,
      min-max) and the ratios to the floor, the naive loop, the serial run, pillow and python-naive.

      Options:
        --jpeg N          COCO-like JPEGs (default 160; 0 skips the kind)
        --png N           PNG tiles (default 16; 0 skips the kind)
        --jpeg-size WxH   default 640x480
        --png-size WxH    default 2048x1024
        --threads N       worker threads (default: cores)
        --repeats N       timed runs per scenario (default 3)
        --batch-size N    generator batch (default 4)
        --max-in-flight N pipeline admission bound (default 16)
        --model PATH      TorchScript generator for the DJL scenario
                          (e.g. pipeline/src/test/resources/torchscript/fixture_generator.pt); without it, skipped
        --skip A,B        scenarios to skip: floor,pipeline,djl,spark,serial,naive,pillow,python-naive
        --python PATH     interpreter with PIL and numpy for pillow and python-naive (default
                          /usr/bin/python3: Debian's python3-pil, python3-numpy); without them both are skipped, saying why
        --work DIR        working folder (default: a new temporary folder)
        --keep            keep the working folder
        --profile         first print where the ms of one image go, step by step (one thread)""";

  static BenchOptions parse(String[] args, int from) {
    int jpeg = 160;
    int png = 16;
    int[] jpegSize = {640, 480};
    int[] pngSize = {2048, 1024};
    int threads = Runtime.getRuntime().availableProcessors();
    int repeats = 3;
    int batch = 4;
    int inFlight = 16;
    Path model = null;
    List<String> skip = List.of();
    Path work = null;
    boolean keep = false;
    boolean profile = false;
    Path python = Path.of("/usr/bin/python3");
    for (int i = from; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--keep") || a.equals("--profile")) {
        keep |= a.equals("--keep");
        profile |= a.equals("--profile");
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("bench: " + a + " needs a value (see unseg bench --help)");
      }
      String v = args[++i];
      switch (a) {
        case "--jpeg" -> jpeg = count(a, v, 0);
        case "--png" -> png = count(a, v, 0);
        case "--jpeg-size" -> jpegSize = size(a, v);
        case "--png-size" -> pngSize = size(a, v);
        case "--threads" -> threads = count(a, v, 1);
        case "--repeats" -> repeats = count(a, v, 1);
        case "--batch-size" -> batch = count(a, v, 1);
        case "--max-in-flight" -> inFlight = count(a, v, 1);
        case "--model" -> model = Path.of(v);
        case "--skip" -> skip = List.of(v.toLowerCase(Locale.ROOT).split(","));
        case "--work" -> work = Path.of(v);
        case "--python" -> python = Path.of(v);
        default -> throw new IllegalArgumentException("bench: unknown option " + a + " (see unseg bench --help)");
      }
    }
    if (jpeg + png == 0) {
      throw new IllegalArgumentException("bench: --jpeg and --png are both 0: nothing to time");
    }
    if (inFlight < batch) {
      throw new IllegalArgumentException("bench: --max-in-flight " + inFlight + " must be >= --batch-size " + batch);
    }
    if (model != null && !model.toFile().isFile()) {
      throw new IllegalArgumentException("bench: --model " + model + " does not exist");
    }
    return new BenchOptions(jpeg, png, jpegSize[0], jpegSize[1], pngSize[0], pngSize[1], threads, repeats, batch,
        inFlight, model, skip, work, keep, profile, python);
  }

  boolean runs(String scenario) {
    return !skip.contains(scenario);
  }

  private static int count(String flag, String v, int min) {
    try {
      int n = Integer.parseInt(v);
      if (n >= min) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("bench: " + flag + " needs an integer >= " + min + ", got '" + v + "'");
  }

  private static int[] size(String flag, String v) {
    String[] p = v.toLowerCase(Locale.ROOT).split("x");
    if (p.length == 2) {
      return new int[] {count(flag, p[0], 1), count(flag, p[1], 1)};
    }
    throw new IllegalArgumentException("bench: " + flag + " needs WIDTHxHEIGHT, got '" + v + "'");
  }
}
