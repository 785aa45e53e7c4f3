package dev.unseg.jobs.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.unseg.jobs.io.Locations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which record file's rows become the manifest when several name one image. */
class RunRecordsTest {
  static SparkSession spark;

  @TempDir Path tmp;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[1]").appName("records").config("spark.ui.enabled", "false").getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void aSuccessWinsOverAFailureThenTheNewestFileWins() throws Exception {
    Files.createDirectories(tmp.resolve("out/_unseg/records"));
    // x: protected by an earlier attempt, failed in a later one -> the protected row.
    // y: failed three times -> the failure of the file written last (t7; t9's name sorts later but the file
    // is older). z: one file. d: two duplicate_image rows in one file.
    record("part-r-p00000-t1.json", 2, row("x", "protected", null, "10:00:01"), row("y", "failed", "output_write_failed", "10:00:02"));
    record("part-r-p00000-t7.json", 6, row("x", "failed", "output_write_failed", "10:00:05"), row("y", "failed", "generator_failed", "10:00:06"));
    record("part-r-p00000-t9.json", 4, row("y", "failed", "image_unreadable", "10:00:04"));
    record("part-r-p00001-t2.json", 3, row("z", "no_mask", null, "10:00:03"),
        row("d", "failed", "duplicate_image", "10:00:03"), row("d", "failed", "duplicate_image", "10:00:03"));
    Map<String, String> expected = Map.of("x", "protected", "y", "failed:generator_failed", "z", "no_mask",
        "d", "failed:duplicate_image,failed:duplicate_image");
    assertEquals(expected, manifest(null)); // resuming
    assertEquals(expected, manifest("r")); // a fresh run whose partition 0 ran three times
  }

  /**
   * A resumed run redoes an image whose file changed since it was protected: the new outcome stands, a
   * failure included (a failed attempt on the same input still loses to its success, and a fixed file's
   * success wins over its failure).
   */
  @Test
  void theOutcomeForAChangedFileStandsEvenAFailure() throws Exception {
    Files.createDirectories(tmp.resolve("out/_unseg/records"));
    record("part-first-p00000-t1.json", 2, row("same", "protected", null, "10:00:01", "aa"),
        row("changed", "protected", null, "10:00:01", "aa"), row("fixed", "failed", "image_unreadable", "10:00:01", "aa"));
    record("part-second-p00000-t3.json", 5, row("same", "failed", "output_write_failed", "10:00:04", "aa"),
        row("changed", "failed", "image_unreadable", "10:00:04", "bb"), row("fixed", "protected", null, "10:00:04", "cc"));
    assertEquals(Map.of("same", "protected", "changed", "failed:image_unreadable", "fixed", "protected"), manifest(null));
  }

  /** The same for an annotation edited since: the prompt it makes now is another, and the new outcome stands. */
  @Test
  void theOutcomeForAChangedMaskStandsEvenAFailure() throws Exception {
    Files.createDirectories(tmp.resolve("out/_unseg/records"));
    record("part-first-p00000-t1.json", 2, row("same", "protected", null, "10:00:01", "aa", "p1"),
        row("broken", "protected", null, "10:00:01", "aa", "p1"), row("other", "protected", null, "10:00:01", "aa", "p1"));
    record("part-second-p00000-t3.json", 5, row("same", "failed", "output_write_failed", "10:00:04", "aa", "p1"),
        row("broken", "failed", "annotation_invalid", "10:00:04", "aa", null),
        row("other", "failed", "output_write_failed", "10:00:04", "aa", "p2"));
    assertEquals(Map.of("same", "protected", "broken", "failed:annotation_invalid", "other", "failed:output_write_failed"),
        manifest(null));
  }

  @Test
  void aFreshRunTakesItsRecordsAsTheyAreUnlessAnotherRunLeftOne() throws Exception {
    Files.createDirectories(tmp.resolve("out/_unseg/records"));
    record("part-r-p00000-t1.json", 2, row("x", "protected", null, "10:00:01"));
    record("part-r-p00001-t2.json", 3, row("z", "no_mask", null, "10:00:03"),
        row("d", "failed", "duplicate_image", "10:00:03"), row("d", "failed", "duplicate_image", "10:00:03"));
    assertEquals(Map.of("x", "protected", "z", "no_mask", "d", "failed:duplicate_image,failed:duplicate_image"),
        manifest("r"));
    // A task of an earlier run that outlived it, writing after this run began: x once, the success.
    record("part-old-p00007-t5.json", 1, row("x", "failed", "output_write_failed", "09:59:59"));
    assertEquals(Map.of("x", "protected", "z", "no_mask", "d", "failed:duplicate_image,failed:duplicate_image"),
        manifest("r"));
  }

  /** The manifest the records in tmp/out make: input path to its rows' status[:error code]. */
  private Map<String, String> manifest(String freshRun) throws Exception {
    Locations locations = Locations.of(tmp.resolve("in/images").toString(), tmp.resolve("in/masks").toString(),
        tmp.resolve("out").toString());
    dev.unseg.jobs.io.Storage fs = dev.unseg.jobs.io.Storage.of(locations.output(), spark.sparkContext().hadoopConfiguration());
    List<Row> rows = RunRecords.latest(RunRecords.all(spark, fs, locations), freshRun)
        .select("input_path", "status", "error_code").collectAsList();
    Map<String, String> got = new TreeMap<>();
    for (Row r : rows) {
      got.merge(r.getString(0), r.getString(1) + (r.isNullAt(2) ? "" : ":" + r.getString(2)), (a, b) -> a + "," + b);
    }
    return got;
  }

  /** A record file last modified at 10:00:{second}. */
  private void record(String name, int second, String... rows) throws Exception {
    Path file = Files.writeString(tmp.resolve("out/_unseg/records").resolve(name), String.join("\n", rows) + "\n");
    Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(
        java.time.Instant.parse("2026-11-22T10:00:00Z").plusSeconds(second)));
  }

  private static String row(String path, String status, String error, String time) {
    return row(path, status, error, time, null);
  }

  private static String row(String path, String status, String error, String time, String inputSha) {
    return row(path, status, error, time, inputSha, null);
  }

  private static String row(String path, String status, String error, String time, String inputSha, String promptSha) {
    return "{\"run_id\": \"r\", \"input_path\": \"" + path + "\", \"status\": \"" + status + "\", \"error_code\": "
        + (error == null ? "null" : "\"" + error + "\"") + ", \"finished_at\": \"2026-11-22T" + time + ".000Z\""
        + (inputSha == null ? "" : ", \"input_sha256\": \"" + inputSha + "\"")
        + (promptSha == null ? "" : ", \"prompt_sha256\": \"" + promptSha + "\"") + "}";
  }
}
