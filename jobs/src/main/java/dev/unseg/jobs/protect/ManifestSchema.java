package dev.unseg.jobs.protect;

import dev.unseg.pipeline.audit.AuditRecord;
import dev.unseg.pipeline.audit.Distortion;
import dev.unseg.pipeline.protect.ImageOutcome;
import java.sql.Timestamp;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** The manifest's columns: the audit record, plus the run id, the task attempt and timings. */
public final class ManifestSchema {
  private ManifestSchema() {}

  public static final StructType SCHEMA = new StructType(new StructField[] {
      field("run_id", DataTypes.StringType, false),
      field("input_path", DataTypes.StringType, false),
      field("input_bytes", DataTypes.LongType, true),
      field("input_sha256", DataTypes.StringType, true),
      field("output_path", DataTypes.StringType, true),
      field("output_bytes", DataTypes.LongType, true),
      field("output_sha256", DataTypes.StringType, true),
      field("width", DataTypes.IntegerType, true),
      field("height", DataTypes.IntegerType, true),
      field("format", DataTypes.StringType, true),
      field("mask_pixels", DataTypes.LongType, true),
      field("eps_pixels", DataTypes.LongType, true),
      field("eps", DataTypes.DoubleType, false),
      field("eps_bg", DataTypes.DoubleType, false),
      field("generator_id", DataTypes.StringType, false),
      field("generator_version", DataTypes.StringType, false),
      field("model_digest", DataTypes.StringType, true),
      field("linf_inside", DataTypes.IntegerType, true),
      field("linf_outside", DataTypes.IntegerType, true),
      field("psnr_inside", DataTypes.DoubleType, true),
      field("psnr_outside", DataTypes.DoubleType, true),
      field("status", DataTypes.StringType, false),
      field("error_code", DataTypes.StringType, true),
      field("error_message", DataTypes.StringType, true),
      field("stage_id", DataTypes.IntegerType, false),
      field("partition_id", DataTypes.IntegerType, false),
      field("task_attempt", DataTypes.IntegerType, false),
      field("prepare_ms", DataTypes.LongType, false),
      field("generate_ms", DataTypes.LongType, false),
      field("finish_ms", DataTypes.LongType, false),
      field("finished_at", DataTypes.TimestampType, false),
  });

  private static StructField field(String name, org.apache.spark.sql.types.DataType type, boolean nullable) {
    return DataTypes.createStructField(name, type, nullable);
  }

  /** Where in Spark the row was made: the attempt that wrote it is the one whose output was committed. */
  public record TaskRef(int stageId, int partitionId, int attemptNumber) {}

  public static Row row(String runId, ImageOutcome outcome, TaskRef task) {
    AuditRecord r = outcome.record();
    Distortion d = r.distortion();
    return RowFactory.create(
        runId, r.inputPath(), r.inputBytes(), r.inputSha256(),
        r.outputPath(), r.outputBytes(), r.outputSha256(),
        r.width(), r.height(), r.format(), r.maskPixels(), r.epsPixels(),
        r.eps(), r.epsBackground(), r.generatorId(), r.generatorVersion(), r.modelDigest(),
        d == null ? null : d.linfInside(), d == null ? null : d.linfOutside(),
        d == null ? null : d.psnrInside(), d == null ? null : d.psnrOutside(),
        r.status().label(), r.errorCode(), r.errorMessage(),
        task.stageId(), task.partitionId(), task.attemptNumber(),
        outcome.prepareMillis(), outcome.generateMillis(), outcome.finishMillis(),
        new Timestamp(System.currentTimeMillis()));
  }
}
