package dev.unseg.jobs.protect;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unseg.jobs.io.Locations;
import dev.unseg.jobs.io.Storage;
import dev.unseg.pipeline.dataset.ImageTask;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.StructField;
import scala.Tuple2;

/**
 * The durable record of what is done: every task publishes its manifest rows as one small
 * JSON-lines file under {@code _unseg/records/} (atomically, after its images), before it
 * finishes. A run that dies leaves the records of every task that completed; the manifest is
 * rebuilt from all records, one row per image: the rows of the newest record file naming it.
 */
final class RunRecords {
  private static final String TIME_PATTERN = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern(TIME_PATTERN).withZone(ZoneOffset.UTC);
  private static final ObjectMapper JSON = new ObjectMapper();

  private RunRecords() {}

  static Path dir(Locations locations) {
    return locations.layout().records();
  }

  /** One file per task attempt; the attempt id is unique within the Spark application. */
  static Path file(Locations locations, String runId, int partition, long taskAttemptId) {
    return locations.layout().record(String.format("part-%s-p%05d-t%d.json", safeRun(runId), partition, taskAttemptId));
  }

  private static String safeRun(String runId) {
    return runId.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  /** Manifest rows as JSON lines, typed by {@link ManifestSchema#SCHEMA}. */
  static byte[] encode(List<Row> rows) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StructField[] fields = ManifestSchema.SCHEMA.fields();
    try {
      for (Row row : rows) {
        ObjectNode o = JSON.createObjectNode();
        for (int i = 0; i < fields.length; i++) {
          Object v = row.get(i);
          if (v instanceof Timestamp t) {
            v = TIME.format(t.toInstant());
          }
          o.set(fields[i].name(), JSON.valueToTree(v));
        }
        out.write(JSON.writeValueAsBytes(o));
        out.write('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Every record row of every earlier attempt and run (duplicates included). */
  static Dataset<Row> all(SparkSession spark, Storage fs, Locations locations) throws IOException {
    Path dir = dir(locations);
    if (fs.children(dir).stream().noneMatch(p -> p.getName().endsWith(".json") && !p.getName().startsWith("."))) {
      return spark.createDataFrame(List.of(), ManifestSchema.SCHEMA);
    }
    // FAILFAST: a record file is published whole, so one that does not parse is a real problem.
    return spark.read().schema(ManifestSchema.SCHEMA).option("mode", "FAILFAST")
        .option("timestampFormat", TIME_PATTERN).json(dir.toString());
  }

  /**
   * One row per image: for each input path, the rows of one record file: one where the image did
   * not fail if there is one (its output was published before its record, and every attempt
   * writes the same bytes), else the one written last. Several files name an image only when
   * attempts of one run overlap (retries, speculation), or when --resume tried a failed image again
   * (it never redoes one that did not fail), and --overwrite deletes the records. Rows of entries rejected together as
   * duplicate_image share a file and are all kept, as the plan counted them.
   *
   * @param freshRun the run writing the manifest, when it resumes nothing (else null): when every
   *     record file is one of its own, one per partition (no attempt retried or speculated), no two
   *     files name an image (each image is in one partition) and the rows are taken as they are,
   *     without the choice's shuffle (about half a second of every run, whatever its size); a file of
   *     any other run (a task of an earlier run that outlived it) keeps the choice
   */
  static Dataset<Row> latest(Dataset<Row> all, String freshRun) {
    String[] files = all.inputFiles();
    if (files.length == 0 || freshRun != null && oneFilePerPartition(files, freshRun)) {
      return all; // no record file yet (all() gave the empty frame), or no two files naming an image
    }
    // The file's own modification time says when it was written (one shuffle fewer than a window over
    // its rows' finished_at, and the file system's clock rather than each executor's).
    Dataset<Row> r = all.withColumn("_file", all.col("_metadata.file_path"))
        .withColumn("_file_time", all.col("_metadata.file_modification_time"));
    Column key = org.apache.spark.sql.functions.struct(r.col("status").notEqual("failed"), r.col("_file_time"), r.col("_file"));
    r = r.withColumn("_key", key)
        .withColumn("_best", org.apache.spark.sql.functions.max("_key").over(Window.partitionBy("input_path")));
    return r.where(r.col("_key").equalTo(r.col("_best"))).drop("_file", "_file_time", "_key", "_best");
  }

  private static boolean oneFilePerPartition(String[] files, String runId) {
    java.util.regex.Pattern own = java.util.regex.Pattern.compile(
        "part-" + java.util.regex.Pattern.quote(safeRun(runId)) + "-p(\\d{5,})-t\\d+\\.json");
    java.util.Set<String> partitions = new java.util.HashSet<>();
    for (String f : files) {
      java.util.regex.Matcher m = own.matcher(f.substring(f.lastIndexOf('/') + 1));
      if (!m.matches() || !partitions.add(m.group(1))) {
        return false;
      }
    }
    return true;
  }

  /**
   * The tasks whose image has no record yet, or only failed ones: a Spark anti-join, nothing per image on
   * the driver. A failed image is tried again, so that an input fixed since (a re-exported file, a mask
   * added) is protected by --resume; one still bad fails again, and {@link #latest} keeps one row for it.
   */
  static JavaRDD<ImageTask> withoutRecord(JavaRDD<ImageTask> tasks, Dataset<Row> records) {
    JavaRDD<Row> donePaths = records.where(records.col("status").notEqual("failed")).select("input_path").distinct().javaRDD();
    return tasks.mapToPair(t -> new Tuple2<>(t.imagePath(), t))
        .subtractByKey(donePaths.mapToPair(r -> new Tuple2<>(r.<String>getAs("input_path"), Boolean.TRUE)))
        .values();
  }
}
