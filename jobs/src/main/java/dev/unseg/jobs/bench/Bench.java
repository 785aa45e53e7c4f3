package dev.unseg.jobs.bench;

import dev.unseg.pipeline.generator.NoiseGenerator;
import dev.unseg.pipeline.generator.SyntheticTextureGenerator;
import dev.unseg.pipeline.generator.djl.TorchScriptGenerator;
import dev.unseg.pipeline.generator.djl.TorchScriptSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * {@code unseg bench}: every scenario on the same generated data in one JVM, one after the
 * other, each warmed up by one untimed round over all the images, then timed {@code repeats} times. Figures are
 * images/s (median, min-max) and the median's ratio to the floor's median.
 */
public final class Bench {
  private Bench() {}

  /** One scenario's timed runs. */
  record Figure(String name, String what, double[] imagesPerSecond, double[] cpuMillisPerImage) {
    double median() {
      double[] s = imagesPerSecond.clone();
      Arrays.sort(s);
      return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** Median CPU time the JVM spent per image (all its threads): what the scenario costs on a busy machine. */
    double cpuMillis() {
      double[] s = cpuMillisPerImage.clone();
      Arrays.sort(s);
      return s[s.length / 2];
    }

    double min() {
      return Arrays.stream(imagesPerSecond).min().orElse(0);
    }

    double max() {
      return Arrays.stream(imagesPerSecond).max().orElse(0);
    }
  }

  /** One timed pass; returns the CPU nanoseconds of child processes (0 for scenarios inside this JVM). */
  private interface Run {
    long run(List<String> files, Path out) throws Exception;
  }

  private interface InJvm {
    void run(List<String> files, Path out) throws Exception;
  }

  private static Run inJvm(InJvm run) {
    return (files, out) -> {
      run.run(files, out);
      return 0L;
    };
  }

  /** {@code unseg bench}, with the {@code unseg.bench} settings of {@code config}. */
  public static int run(com.typesafe.config.Config config, PrintStream out) throws Exception {
    BenchOptions o = BenchOptions.from(config);
    Path work = o.work() != null ? Files.createDirectories(o.work()) : Files.createTempDirectory("unseg-bench");
    try {
      return run(o, work, out);
    } finally {
      if (!o.keep()) {
        delete(work);
      }
    }
  }

  private static int run(BenchOptions o, Path work, PrintStream out) throws Exception {
    out.printf(Locale.ROOT, "unseg bench: %d JPEG %dx%d and %d PNG %dx%d, %d threads, batch %d, max-in-flight %d,"
            + " %d repeats; %d cores, Java %s, max heap %d MiB%n",
        o.jpegImages(), o.jpegWidth(), o.jpegHeight(), o.pngImages(), o.pngWidth(), o.pngHeight(), o.threads(),
        o.batchSize(), o.maxInFlight(), o.repeats(), Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20);
    List<BenchData> kinds = BenchData.generate(o, work.resolve("data"));
    String pythonMissing = o.runs("pillow") || o.runs("python-naive") ? PythonScenarios.unavailable(o.python()) : "";
    if (pythonMissing != null && !pythonMissing.isEmpty()) {
      out.println("pillow, python-naive: skipped: " + pythonMissing);
    }
    NoiseGenerator djl = null;
    SparkSession spark = null;
    try (NoiseGenerator synthetic = new SyntheticTextureGenerator("bench-key")) {
      if (o.runs("djl") && o.model() != null) {
        djl = TorchScriptGenerator.load(
            new TorchScriptSettings(o.model().toAbsolutePath(), "", "cpu", o.batchSize(), 1, 0));
      }
      if (o.runs("spark")) {
        spark = SparkSession.builder().appName("unseg-bench").master("local[" + o.threads() + "]")
            .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
      }
      for (BenchData data : kinds) {
        out.printf(Locale.ROOT, "%n== %s: %d images, %.1f MiB, in %s%n", data.kind(), data.files().size(),
            data.bytes() / 1048576.0, data.images().getParent());
        if (o.profile()) {
          StageProfile.print(data, synthetic, out);
        }
        List<Scenario> scenarios = scenarios(data, o, synthetic, djl, spark);
        if (pythonMissing == null) {
          addPython(scenarios, PythonScenarios.create(o.python(), work, data, o.threads()), o);
        }
        print(time(scenarios, data, o, work, out), out);
      }
    } finally {
      if (djl != null) {
        djl.close();
      }
      if (spark != null) {
        spark.close();
      }
    }
    return 0;
  }

  private static List<Scenario> scenarios(BenchData data, BenchOptions o, NoiseGenerator synthetic,
      NoiseGenerator djl, SparkSession spark) {
    Scenarios s = new Scenarios(data, o);
    List<Scenario> scenarios = new ArrayList<>();
    if (o.runs("floor")) {
      scenarios.add(new Scenario("floor", "read+decode+encode+write only, " + o.threads() + " threads", inJvm(s::floor)));
    }
    if (o.runs("pipeline")) {
      scenarios.add(new Scenario("pipeline", "in-task pipeline, built-in generator, with audit",
          inJvm((f, p) -> s.pipeline(f, p, synthetic))));
    }
    if (djl != null) {
      scenarios.add(new Scenario("djl", "in-task pipeline, DJL " + o.model().getFileName() + " on CPU",
          inJvm((f, p) -> s.pipeline(f, p, djl))));
    }
    if (spark != null) {
      scenarios.add(new Scenario("spark", "whole Spark job, local[" + o.threads() + "], built-in generator",
          inJvm((f, p) -> s.spark(spark, p))));
    }
    if (o.runs("serial")) {
      scenarios.add(new Scenario("serial", "the pipeline's steps with audit, one thread, one image at a time",
          inJvm((f, p) -> s.serial(f, p, synthetic))));
    }
    if (o.runs("naive")) {
      scenarios.add(new Scenario("naive", "one-thread loop of the reference scripts, built-in generator, no audit",
          inJvm((f, p) -> s.naive(f, p, synthetic))));
    }
    return scenarios;
  }

  /** The Python baselines, after the JVM scenarios, on the same files and threads. */
  private static void addPython(List<Scenario> scenarios, PythonScenarios py, BenchOptions o) {
    if (o.runs("pillow")) {
      scenarios.add(new Scenario("pillow", "Python: Pillow read+decode+encode q95+write, " + o.threads() + " threads",
          (f, p) -> py.run("pillow", f, p)));
    }
    if (o.runs("python-naive")) {
      scenarios.add(new Scenario("python-naive", "Python: Pillow decode, numpy +-8 mask-keyed noise, clip, encode, write",
          (f, p) -> py.run("python-naive", f, p)));
    }
  }

  private record Scenario(String name, String what, Run run) {}

  /**
   * Warms every scenario up with one untimed round over all the images (JIT, class loading, pools),
   * then runs the repeats round-robin, so that load from other users of a shared machine spreads over
   * all scenarios instead of falling on whichever ran at the wrong moment. A whole round, not a few
   * images: the Spark job's planning, manifest and report code runs a few times per round, so the JIT
   * compiles it over the first full round (a 4-image warm-up left the job's first timed rounds 20-30%
   * slower than its later ones, see docs/throughput.md). The warm-up's figure is printed, as what one
   * run in a fresh JVM costs, but not counted.
   */
  private static List<Figure> time(List<Scenario> scenarios, BenchData data, BenchOptions o, Path work,
      PrintStream out) throws Exception {
    for (Scenario sc : scenarios) {
      Round w = round(sc, data, work);
      out.printf(Locale.ROOT, "  warm-up %-8s %6.2f img/s (%.1f CPU ms/image; a fresh JVM's first run, not counted)%n",
          sc.name(), w.imagesPerSecond(), w.cpuMillisPerImage());
    }
    double[][] ips = new double[scenarios.size()][o.repeats()];
    double[][] cpu = new double[scenarios.size()][o.repeats()];
    for (int r = 0; r < o.repeats(); r++) {
      for (int k = 0; k < scenarios.size(); k++) {
        Round t = round(scenarios.get(k), data, work);
        ips[k][r] = t.imagesPerSecond();
        cpu[k][r] = t.cpuMillisPerImage();
        out.printf(Locale.ROOT, "  round %d %-8s %6.2f img/s (%.2f s, %.1f CPU ms/image)%n",
            r + 1, scenarios.get(k).name(), ips[k][r], t.seconds(), cpu[k][r]);
      }
    }
    List<Figure> figures = new ArrayList<>();
    for (int k = 0; k < scenarios.size(); k++) {
      delete(work.resolve("out-" + scenarios.get(k).name()));
      figures.add(new Figure(scenarios.get(k).name(), scenarios.get(k).what(), ips[k], cpu[k]));
    }
    return figures;
  }

  /** One run of a scenario over all the images: wall seconds, and CPU time of the JVM plus any child process. */
  private record Round(double seconds, double imagesPerSecond, double cpuMillisPerImage) {}

  private static Round round(Scenario sc, BenchData data, Path work) throws Exception {
    Path target = fresh(work.resolve("out-" + sc.name()));
    System.gc();
    long cpuStart = processCpuNanos();
    long start = System.nanoTime();
    long childCpu = sc.run().run(data.files(), target);
    double seconds = (System.nanoTime() - start) / 1e9;
    int n = data.files().size();
    return new Round(seconds, n / seconds, (processCpuNanos() - cpuStart + childCpu) / 1e6 / n);
  }

  private static void print(List<Figure> figures, PrintStream out) {
    Figure floor = figures.stream().filter(f -> f.name().equals("floor")).findFirst().orElse(null);
    Figure naive = figures.stream().filter(f -> f.name().equals("naive")).findFirst().orElse(null);
    Figure serial = figures.stream().filter(f -> f.name().equals("serial")).findFirst().orElse(null);
    Figure pillow = figures.stream().filter(f -> f.name().equals("pillow")).findFirst().orElse(null);
    Figure pyNaive = figures.stream().filter(f -> f.name().equals("python-naive")).findFirst().orElse(null);
    out.println();
    out.printf("%-12s %8s %13s %8s %8s %8s %8s %8s %8s %9s %9s  %s%n", "scenario", "img/s", "min-max", "x floor",
        "x naive", "x serial", "x pillow", "x py-nv", "cpu ms", "x floor*", "x pillow*", "what");
    for (Figure f : figures) {
      out.printf(Locale.ROOT, "%-12s %8.2f %13s %8s %8s %8s %8s %8s %8.1f %9s %9s  %s%n", f.name(), f.median(),
          String.format(Locale.ROOT, "%.2f-%.2f", f.min(), f.max()), ratio(f, floor), ratio(f, naive),
          ratio(f, serial), ratio(f, pillow), ratio(f, pyNaive), f.cpuMillis(), cpuRatio(floor, f),
          cpuRatio(pillow, f), f.what());
    }
    out.println("img/s: median of the rounds (min-max); x floor, x naive, x serial, x pillow, x py-nv (python-naive):"
        + " ratio of the medians; cpu ms: median CPU time per image (the whole JVM, or the Python child process);"
        + " x floor* = the floor's CPU per image over the scenario's (x pillow*: the pillow loop's): the throughput"
        + " ratio once every core is busy, steadier than wall time on a machine shared with other work");
  }

  private static String ratio(Figure f, Figure base) {
    return base == null ? "-" : String.format(Locale.ROOT, "%.2f", f.median() / base.median());
  }

  private static String cpuRatio(Figure base, Figure f) {
    return base == null ? "-" : String.format(Locale.ROOT, "%.2f", base.cpuMillis() / f.cpuMillis());
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static Path fresh(Path dir) throws IOException {
    delete(dir);
    return Files.createDirectories(dir);
  }

  private static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
