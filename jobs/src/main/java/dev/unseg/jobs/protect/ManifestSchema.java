package dev.unseg.jobs.protect;

import dev.unseg.pipeline.audit.AuditRecord;
import dev.unseg.pipeline.audit.Distortion;
import dev.unseg.pipeline.protect.ImageOutcome;
import java.sql.Timestamp;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The manifest's columns: the audit record, plus the run id, the task attempt and timings. One table of
 * columns makes the Spark row, the Parquet schema and (through the schema) the JSON record of each image;
 * readers select columns by these names (docs/manifest.md lists them).
 */
public final class ManifestSchema {
  private ManifestSchema() {}

  /** Where in Spark the row was made: the attempt that wrote it is the one whose output was committed. */
  public record TaskRef(int stageId, int partitionId, int attemptNumber) {}

  /** What one row is made from. */
  private record Source(String runId, ImageOutcome outcome, AuditRecord record, Distortion distortion, TaskRef task) {}

  private record Column(String name, DataType type, boolean nullable, Function<Source, Object> value) {}

  private static Column column(String name, DataType type, boolean nullable, Function<Source, Object> value) {
    return new Column(name, type, nullable, value);
  }

  /** A distortion figure, null for an image without one (failed, or not decoded). */
  private static Function<Source, Object> distortion(Function<Distortion, Object> figure) {
    return s -> s.distortion() == null ? null : figure.apply(s.distortion());
  }

  private static final List<Column> COLUMNS = List.of(
      column("run_id", DataTypes.StringType, false, Source::runId),
      column("input_path", DataTypes.StringType, false, s -> s.record().inputPath()),
      column("input_bytes", DataTypes.LongType, true, s -> s.record().inputBytes()),
      column("input_sha256", DataTypes.StringType, true, s -> s.record().inputSha256()),
      column("output_path", DataTypes.StringType, true, s -> s.record().outputPath()),
      column("output_bytes", DataTypes.LongType, true, s -> s.record().outputBytes()),
      column("output_sha256", DataTypes.StringType, true, s -> s.record().outputSha256()),
      column("width", DataTypes.IntegerType, true, s -> s.record().width()),
      column("height", DataTypes.IntegerType, true, s -> s.record().height()),
      column("format", DataTypes.StringType, true, s -> s.record().format()),
      column("mask_pixels", DataTypes.LongType, true, s -> s.record().maskPixels()),
      column("eps_pixels", DataTypes.LongType, true, s -> s.record().epsPixels()),
      column("prompt_sha256", DataTypes.StringType, true, s -> s.record().promptSha256()),
      column("eps", DataTypes.DoubleType, false, s -> s.record().eps()),
      column("eps_bg", DataTypes.DoubleType, false, s -> s.record().epsBackground()),
      column("generator_id", DataTypes.StringType, false, s -> s.record().generatorId()),
      column("generator_version", DataTypes.StringType, false, s -> s.record().generatorVersion()),
      column("model_digest", DataTypes.StringType, true, s -> s.record().modelDigest()),
      column("linf_inside", DataTypes.IntegerType, true, distortion(Distortion::linfInside)),
      column("linf_outside", DataTypes.IntegerType, true, distortion(Distortion::linfOutside)),
      column("psnr_inside", DataTypes.DoubleType, true, distortion(Distortion::psnrInside)),
      column("psnr_outside", DataTypes.DoubleType, true, distortion(Distortion::psnrOutside)),
      column("status", DataTypes.StringType, false, s -> s.record().status().label()),
      column("error_code", DataTypes.StringType, true, s -> s.record().errorCode()),
      column("error_message", DataTypes.StringType, true, s -> s.record().errorMessage()),
      column("stage_id", DataTypes.IntegerType, false, s -> s.task().stageId()),
      column("partition_id", DataTypes.IntegerType, false, s -> s.task().partitionId()),
      column("task_attempt", DataTypes.IntegerType, false, s -> s.task().attemptNumber()),
      column("prepare_ms", DataTypes.LongType, false, s -> s.outcome().prepareMillis()),
      column("generate_ms", DataTypes.LongType, false, s -> s.outcome().generateMillis()),
      column("finish_ms", DataTypes.LongType, false, s -> s.outcome().finishMillis()),
      column("finished_at", DataTypes.TimestampType, false, s -> new Timestamp(System.currentTimeMillis())));

  public static final StructType SCHEMA = new StructType(COLUMNS.stream()
      .map(c -> DataTypes.createStructField(c.name(), c.type(), c.nullable())).toArray(StructField[]::new));

  public static Row row(String runId, ImageOutcome outcome, TaskRef task) {
    Source s = new Source(runId, outcome, outcome.record(), outcome.record().distortion(), task);
    return RowFactory.create(COLUMNS.stream().map(c -> c.value().apply(s)).toArray());
  }
}
