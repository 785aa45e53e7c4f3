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
 * other, each warmed up once on a few images, then timed {@code repeats} times. Figures are
 * images/s (median, min-max) and the median's ratio to the floor's median.
 */
public final class Bench {
  private Bench() {}

  /** One scenario's timed runs. */
  record Figure(String name, String what, double[] imagesPerSecond) {
    double median() {
      double[] s = imagesPerSecond.clone();
      Arrays.sort(s);
      return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    double min() {
      return Arrays.stream(imagesPerSecond).min().orElse(0);
    }

    double max() {
      return Arrays.stream(imagesPerSecond).max().orElse(0);
    }
  }

  private interface Run {
    void run(List<String> files, Path out) throws Exception;
  }

  public static int main(String[] args, PrintStream out) throws Exception {
    if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
      out.println(BenchOptions.USAGE);
      return 0;
    }
    BenchOptions o = BenchOptions.parse(args, 1);
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
    out.printf(Locale.ROOT, "unseg bench: %d JPEG %dx%d + %d PNG %dx%d, %d threads, batch %d, max-in-flight %d,"
            + " %d repeats; %d cores, Java %s, max heap %d MiB%n",
        o.jpegImages(), o.jpegWidth(), o.jpegHeight(), o.pngImages(), o.pngWidth(), o.pngHeight(), o.threads(),
        o.batchSize(), o.maxInFlight(), o.repeats(), Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20);
    BenchData data = BenchData.generate(o, work.resolve("data"));
    out.printf(Locale.ROOT, "data: %s (%.1f MiB of images)%n", work.resolve("data"), data.bytes() / 1048576.0);
    Scenarios s = new Scenarios(data, o);
    List<Figure> figures = new ArrayList<>();
    try (NoiseGenerator synthetic = new SyntheticTextureGenerator("bench-key")) {
      if (o.runs("floor")) {
        figures.add(time("floor", "read+decode+encode+write only, " + o.threads() + " threads", s::floor, data, o, work, out));
      }
      if (o.runs("pipeline")) {
        figures.add(time("pipeline", "in-task pipeline, built-in generator, with audit",
            (f, p) -> s.pipeline(f, p, synthetic), data, o, work, out));
      }
      if (o.runs("djl") && o.model() != null) {
        try (NoiseGenerator djl = TorchScriptGenerator.load(
            new TorchScriptSettings(o.model().toAbsolutePath(), "", "cpu", o.batchSize(), 1, 0))) {
          figures.add(time("djl", "in-task pipeline, DJL " + o.model().getFileName() + " on CPU",
              (f, p) -> s.pipeline(f, p, djl), data, o, work, out));
        }
      }
      if (o.runs("spark")) {
        try (SparkSession spark = SparkSession.builder().appName("unseg-bench").master("local[" + o.threads() + "]")
            .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false").getOrCreate()) {
          spark.sparkContext().setLogLevel("WARN");
          figures.add(time("spark", "whole Spark job, local[" + o.threads() + "], built-in generator",
              (f, p) -> s.spark(spark, p), data, o, work, out));
        }
      }
      if (o.runs("naive")) {
        figures.add(time("naive", "one-thread loop of the reference scripts, built-in generator",
            (f, p) -> s.naive(f, p, synthetic), data, o, work, out));
      }
    }
    print(figures, out);
    return 0;
  }

  /** A warm-up on a few images (JIT, class loading, thread pools), then the timed repeats. */
  private static Figure time(String name, String what, Run run, BenchData data, BenchOptions o, Path work,
      PrintStream out) throws Exception {
    List<String> warm = data.files().subList(0, Math.min(4, data.files().size()));
    Path dir = work.resolve("out-" + name);
    run.run(warm, fresh(dir));
    double[] ips = new double[o.repeats()];
    for (int r = 0; r < o.repeats(); r++) {
      Path target = fresh(dir);
      System.gc();
      long start = System.nanoTime();
      run.run(data.files(), target);
      double seconds = (System.nanoTime() - start) / 1e9;
      ips[r] = data.files().size() / seconds;
      out.printf(Locale.ROOT, "  %-8s run %d: %6.2f img/s (%.2f s)%n", name, r + 1, ips[r], seconds);
    }
    delete(dir);
    return new Figure(name, what, ips);
  }

  private static void print(List<Figure> figures, PrintStream out) {
    Figure floor = figures.stream().filter(f -> f.name().equals("floor")).findFirst().orElse(null);
    Figure naive = figures.stream().filter(f -> f.name().equals("naive")).findFirst().orElse(null);
    out.println();
    out.printf("%-9s %9s %17s %9s %9s  %s%n", "scenario", "img/s", "min-max", "x floor", "x naive", "what");
    for (Figure f : figures) {
      out.printf(Locale.ROOT, "%-9s %9.2f %17s %9s %9s  %s%n", f.name(), f.median(),
          String.format(Locale.ROOT, "%.2f-%.2f", f.min(), f.max()),
          floor == null ? "-" : String.format(Locale.ROOT, "%.2f", f.median() / floor.median()),
          naive == null ? "-" : String.format(Locale.ROOT, "%.2f", f.median() / naive.median()), f.what());
    }
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
