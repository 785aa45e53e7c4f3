package dev.unseg.jobs.report;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * What the report shows of the manifest, computed by Spark: a handful of groups, bucket counts and
 * at most {@code samples + codes x errorPaths} rows reach the driver, however many images there are.
 *
 * @param statuses rows by status; {@code errors} rows by error code
 * @param errorPaths the first paths (by input path) of each error code, with their messages
 * @param histograms per metric (linf_inside, linf_outside, psnr_inside, psnr_outside), images per
 *     bucket: an L-inf value (grey levels), or a PSNR floored to whole dB; {@link #INFINITE} counts
 *     an infinite PSNR (the output is identical to the input there); and {@link #MASK_PERCENT}, protected
 *     images by the whole percent of their pixels their mask covers
 * @param samples the sample images, in their fixed order
 * @param generators the generators the rows name (id, version, model_digest; at most 10)
 */
public record ManifestStats(Map<String, Long> statuses, Map<String, Long> errors, List<ErrorPath> errorPaths,
    Bytes bytes, Map<String, Map<Long, Long>> histograms, List<Sample> samples, List<Map<String, String>> generators) {

  static final long INFINITE = -1;
  static final List<String> METRICS = List.of("linf_inside", "linf_outside", "psnr_inside", "psnr_outside");
  /** The histogram of the share of each protected image its mask covers, in whole percent. */
  static final String MASK_PERCENT = "mask_percent";
  /** A mask that covers this share of its image or more leaves almost no background: a dense label map's. */
  public static final int DENSE_MASK_PERCENT = 90;

  /** A failed image of an error code. */
  public record ErrorPath(String code, String path, String message) {}

  /**
   * Byte sums: over every row, and over the rows that have an output (protected and no_mask
   * images), whose change is the size change of the release.
   */
  public record Bytes(long in, long out, long inWritten, long outWritten, long written) {}

  /** A sample image's row. */
  public record Sample(String inputPath, String outputPath, int width, int height, String format, double eps, double epsBg,
      Integer linfInside, Integer linfOutside, Double psnrInside, Double psnrOutside, Long epsPixels) {}

  public long rows() {
    return statuses.values().stream().mapToLong(Long::longValue).sum();
  }

  public long withStatus(String status) {
    return statuses.getOrDefault(status, 0L);
  }

  /** Protected images whose mask covers {@link #DENSE_MASK_PERCENT} percent of the image or more. */
  public long denseMasks() {
    return histograms.get(MASK_PERCENT).entrySet().stream().filter(e -> e.getKey() >= DENSE_MASK_PERCENT)
        .mapToLong(Map.Entry::getValue).sum();
  }

  /**
   * Computes them. The protect job computes them once, for its summary and its report; {@code unseg
   * report} again from the manifest.
   *
   * @param errorPathsPerCode failed paths listed per error code
   * @param samples sample images picked
   */
  public static ManifestStats of(Dataset<Row> m, int errorPathsPerCode, int samples) {
    // One Spark job, one scan, for the counts, the byte sums and the four histograms (each query costs a
    // job and its planning; a union of five scans took 1.3 s of a 200-image run): every row once as
    // "rows" with its bytes and generator, and once per metric with its value, grouped by (metric,
    // bucket, status, error code, generator).
    Column[] entries = new Column[2 + METRICS.size()];
    entries[0] = struct(lit("rows").as("metric"), lit(null).cast("double").as("v"));
    for (int k = 0; k < METRICS.size(); k++) {
      entries[k + 1] = struct(lit(METRICS.get(k)).as("metric"), col(METRICS.get(k)).cast("double").as("v"));
    }
    entries[METRICS.size() + 1] = struct(lit(MASK_PERCENT).as("metric"), when(col("status").equalTo("protected"),
        col("mask_pixels").multiply(100.0).divide(col("width").cast("double").multiply(col("height")))).as("v"));
    Column isRows = col("e.metric").equalTo("rows");
    Column hasOutput = isRows.and(col("output_bytes").isNotNull());
    Dataset<Row> values = m.select(explode(array(entries)).as("e"), col("status"), col("error_code"),
            col("input_bytes"), col("output_bytes"), col("generator_id"), col("generator_version"), col("model_digest"),
            col("mask_pixels"), col("width"), col("height"))
        .select(col("e.metric").as("metric"), col("e.v").as("v"), col("status"), col("error_code"),
            when(isRows, col("input_bytes")).as("in"), when(isRows, col("output_bytes")).as("out"),
            when(hasOutput, col("input_bytes")).as("in_written"), when(hasOutput, lit(1L)).as("written"),
            when(isRows, col("generator_id")).as("generator_id"),
            when(isRows, col("generator_version")).as("generator_version"),
            when(isRows, col("model_digest")).as("model_digest"));
    Column bucket = when(col("v").equalTo(lit(Double.POSITIVE_INFINITY)), lit(INFINITE)).otherwise(floor(col("v")));
    List<Row> groups = values.where(col("metric").equalTo("rows").or(col("v").isNotNull().and(col("v").isNaN().unary_$bang())))
        .groupBy(col("metric"), bucket.as("bucket"), col("status"), col("error_code"), col("generator_id"),
            col("generator_version"), col("model_digest"))
        .agg(count(lit(1)).as("n"), sum("in").as("in"), sum("out").as("out"), sum("in_written").as("in_written"),
            sum("written").as("written")).collectAsList();

    Map<String, Long> statuses = new TreeMap<>();
    Map<String, Long> errors = new TreeMap<>();
    Map<String, Map<Long, Long>> histograms = new TreeMap<>();
    METRICS.forEach(metric -> histograms.put(metric, new TreeMap<>()));
    histograms.put(MASK_PERCENT, new TreeMap<>());
    long in = 0;
    long out = 0;
    long inWritten = 0;
    long written = 0;
    java.util.Set<Map<String, String>> generators = new java.util.LinkedHashSet<>();
    for (Row r : groups) {
      long n = r.<Long>getAs("n");
      String metric = r.getAs("metric");
      if (!metric.equals("rows")) {
        histograms.get(metric).merge(r.<Long>getAs("bucket"), n, Long::sum);
        continue;
      }
      statuses.merge(r.getAs("status"), n, Long::sum);
      if (r.getAs("error_code") != null) {
        errors.merge(r.getAs("error_code"), n, Long::sum);
      }
      in += longOr0(r, "in");
      out += longOr0(r, "out");
      inWritten += longOr0(r, "in_written");
      written += longOr0(r, "written");
      if (generators.size() < 10) {
        Map<String, String> g = new java.util.LinkedHashMap<>();
        g.put("id", r.getAs("generator_id"));
        g.put("version", r.getAs("generator_version"));
        g.put("model_digest", r.getAs("model_digest"));
        generators.add(g);
      }
    }
    long outWritten = out;

    List<ErrorPath> paths = new ArrayList<>();
    if (!errors.isEmpty() && errorPathsPerCode > 0) {
      for (Row r : m.where(col("error_code").isNotNull())
          .withColumn("n", row_number().over(Window.partitionBy("error_code").orderBy("input_path")))
          .where(col("n").leq(errorPathsPerCode))
          .select("error_code", "input_path", "error_message").collectAsList()) {
        String message = r.getAs("error_message");
        paths.add(new ErrorPath(r.getAs("error_code"), r.getAs("input_path"), message == null ? "" : message));
      }
      paths.sort(java.util.Comparator.comparing(ErrorPath::code).thenComparing(ErrorPath::path));
    }

    List<Sample> picked = new ArrayList<>();
    if (samples > 0) {
      // Deterministic and spread over the dataset: the smallest SHA-256 of the input path, not the first names.
      for (Row r : m.where(col("status").equalTo("protected"))
          .withColumn("pick", sha2(col("input_path"), 256))
          .orderBy(col("pick"), col("input_path")).limit(samples)
          .select("input_path", "output_path", "width", "height", "format", "eps", "eps_bg", "linf_inside",
              "linf_outside", "psnr_inside", "psnr_outside", "eps_pixels").collectAsList()) {
        picked.add(new Sample(r.getAs("input_path"), r.getAs("output_path"), r.<Integer>getAs("width"),
            r.<Integer>getAs("height"), r.getAs("format"), r.<Double>getAs("eps"), r.<Double>getAs("eps_bg"),
            r.getAs("linf_inside"), r.getAs("linf_outside"), r.getAs("psnr_inside"), r.getAs("psnr_outside"),
            r.getAs("eps_pixels")));
      }
    }
    return new ManifestStats(statuses, errors, paths, new Bytes(in, out, inWritten, outWritten, written), histograms, picked,
        new ArrayList<>(generators));
  }

  private static long longOr0(Row r, String column) {
    Long v = r.getAs(column);
    return v == null ? 0 : v;
  }
}
