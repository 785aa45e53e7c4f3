package dev.unseg.jobs.protect;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unseg.jobs.io.Locations;
import dev.unseg.jobs.io.SerializableHadoopConf;
import dev.unseg.jobs.io.Storage;
import dev.unseg.pipeline.dataset.ImageTask;
import dev.unseg.pipeline.error.UserError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
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
   * writes the same bytes) and no newer file names another input or prompt for it (--resume redid a file
   * or an annotation that changed since, and that failed), else the one written last. Several files name an image only when
   * attempts of one run overlap (retries, speculation), or when --resume tried a failed image again
   * or one whose file changed ({@link InputChanges}), and --overwrite deletes the records. Rows of entries rejected together as
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
    org.apache.spark.sql.expressions.WindowSpec image = Window.partitionBy("input_path");
    // A success stands over a newer failure of the same input and prompt (an attempt's), not over one of a file
    // or an annotation changed since (InputChanges).
    r = r.withColumn("_newest", org.apache.spark.sql.functions.max(org.apache.spark.sql.functions.struct(
        r.col("_file_time"), r.col("_file"), r.col("input_sha256"), r.col("prompt_sha256"))).over(image));
    Column stands = r.col("status").notEqual("failed").and(r.col("input_sha256").eqNullSafe(r.col("_newest.input_sha256")))
        .and(r.col("prompt_sha256").eqNullSafe(r.col("_newest.prompt_sha256")));
    r = r.withColumn("_key", org.apache.spark.sql.functions.struct(stands, r.col("_file_time"), r.col("_file")))
        .withColumn("_best", org.apache.spark.sql.functions.max("_key").over(image));
    return r.where(r.col("_key").equalTo(r.col("_best"))).drop("_file", "_file_time", "_newest", "_key", "_best");
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
   * The tasks to run on --resume: those whose image has no record yet, or only failed or no_mask ones, and
   * those whose image {@link InputChanges} finds changed since it was protected; a Spark join, nothing per
   * image on the driver. A failed image is tried again, so that an input fixed since (a re-exported file, a mask
   * added) is protected by --resume; one still bad fails again, and {@link #latest} keeps one row for it.
   */
  static JavaRDD<ImageTask> pending(JavaRDD<ImageTask> tasks, Dataset<Row> records, InputChanges changes) {
    // The row that stands for each image (a changed file's newer failure over its old success, say), if it was
    // protected: failed images are tried again, and images without a mask looked at again (their copy is the
    // original, unprotected: an annotation added since must protect them; one still without is the same bytes).
    Dataset<Row> standing = latest(records, null);
    JavaPairRDD<String, InputChanges.Seen> done = standing.where(standing.col("status").equalTo("protected"))
        .select("input_path", "input_bytes", "input_sha256", "finished_at", "output_path", "width", "height", "prompt_sha256")
        .javaRDD()
        .mapToPair(r -> new Tuple2<>(r.getString(0), new InputChanges.Seen(r.isNullAt(1) ? -1 : r.getLong(1), r.getString(2),
            r.isNullAt(3) ? Long.MAX_VALUE : r.getTimestamp(3).getTime(), r.getString(4), r.isNullAt(5) ? -1 : r.getInt(5),
            r.isNullAt(6) ? -1 : r.getInt(6), r.getString(7))))
        .reduceByKey((a, b) -> a); // a guard: only duplicate_image rows share a path, and they failed
    return tasks.mapToPair(t -> new Tuple2<>(t.imagePath(), t))
        .leftOuterJoin(done, tasks.getNumPartitions())
        .mapPartitions(changes);
  }

  /**
   * Refuses a --resume whose dataset no longer has images an earlier run protected and whose protected
   * copies are still in the release: a run would leave them there, outside the dataset and its manifest.
   * The user puts them back, or deletes those copies to take them out of the release (their rows go with
   * them, as the rows of failed images no longer in the dataset do: {@link #planned}).
   */
  static void refuseRemovedImages(JavaRDD<ImageTask> tasks, Dataset<Row> records, Locations locations,
      SerializableHadoopConf hadoopConf) {
    JavaRDD<Tuple2<String, String>> kept = records.where(records.col("status").notEqual("failed"))
        .where(records.col("output_path").isNotNull())
        .select("input_path", "output_path").javaRDD()
        .mapToPair(r -> new Tuple2<>(r.getString(0), r.getString(1)))
        .reduceByKey((a, b) -> a)
        .subtractByKey(tasks.mapToPair(t -> new Tuple2<>(t.imagePath(), Boolean.TRUE)))
        .mapPartitions(copies -> {
          Storage out = Storage.of(locations.output(), hadoopConf.get());
          List<Tuple2<String, String>> there = new java.util.ArrayList<>();
          while (copies.hasNext()) {
            Tuple2<String, String> c = copies.next();
            org.apache.hadoop.fs.Path copy = locations.outputImagePath(c._2());
            if (out.exists(copy)) {
              there.add(new Tuple2<>(c._1(), copy.toString()));
            }
          }
          return there.iterator();
        });
    List<Tuple2<String, String>> first = kept.take(6);
    if (first.isEmpty()) {
      return;
    }
    long count = first.size() < 6 ? first.size() : kept.count();
    boolean one = count == 1;
    List<String> names = first.stream().limit(5).map(Tuple2::_1).toList();
    throw new UserError("--resume: " + count + (one ? " image" : " images") + " protected by an earlier run into "
        + locations.output() + (one ? " is" : " are") + " no longer in the dataset (" + String.join(", ", names)
        + (count > 5 ? ", ..." : "") + ") while " + (one ? "its protected copy is" : "their protected copies are")
        + " still in the release: put " + (one ? "it" : "them") + " back under --images (and in the index), or delete "
        + (one ? "that copy (" : "those copies (" + "the first: ") + first.get(0)._2() + ") to take " + (one ? "it" : "them")
        + " out of the release, or start again with --overwrite");
  }

  /** The rows of images the dataset still has (those of failed images taken out of it since are dropped). */
  static Dataset<Row> planned(Dataset<Row> rows, JavaRDD<ImageTask> tasks) {
    SparkSession spark = rows.sparkSession();
    Dataset<Row> paths = spark.createDataset(tasks.map(ImageTask::imagePath).rdd(), org.apache.spark.sql.Encoders.STRING())
        .toDF("input_path").distinct();
    return rows.join(paths, rows.col("input_path").equalTo(paths.col("input_path")), "left_semi");
  }
}
