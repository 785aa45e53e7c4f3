package dev.unseg.jobs.protect;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;

/**
 * Runs a Spark write of the driver's (the manifest) with Spark's own reports of a failed write
 * muted. When the write fails (the output is full, say), Spark logs the same exception, with its
 * whole stack trace, four times over (aborting the task, the executor, the lost task, aborting the
 * job): hundreds of lines on the console of an embedded run. The failure still reaches the driver
 * as the write's exception, with every cause, and protect reports it once: in one line when the
 * output is full, with its stack trace otherwise. Nothing else runs while the manifest is written.
 */
final class QuietSparkLogs {
  static final List<String> WRITE_FAILURE_LOGGERS = List.of(
      "org.apache.spark.util.Utils", // "Aborting task"
      "org.apache.spark.sql.execution.datasources.FileFormatWriter", // "Aborting job"
      "org.apache.spark.sql.execution.datasources.FileFormatDataWriter",
      "org.apache.spark.executor.Executor", // "Exception in task"
      "org.apache.spark.scheduler.TaskSetManager"); // "Lost task", "aborting job"

  private QuietSparkLogs() {}

  static <T> T during(Callable<T> write) throws Exception {
    Runnable restore = () -> {};
    try {
      restore = mute();
    } catch (LinkageError | RuntimeException notLog4jCore) {
      // Another logging backend (a cluster's own): its logging stays as it is.
    }
    try {
      return write.call();
    } finally {
      restore.run();
    }
  }

  /** Sets the loggers to OFF; returns how to put back exactly what was configured before. */
  private static Runnable mute() {
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    Configuration cfg = ctx.getConfiguration();
    Map<LoggerConfig, Level> changed = new LinkedHashMap<>();
    List<String> added = new ArrayList<>();
    for (String name : WRITE_FAILURE_LOGGERS) {
      LoggerConfig own = cfg.getLoggers().get(name);
      if (own != null) {
        changed.put(own, own.getLevel());
        own.setLevel(Level.OFF);
      } else {
        cfg.addLogger(name, new LoggerConfig(name, Level.OFF, true));
        added.add(name);
      }
    }
    ctx.updateLoggers();
    return () -> {
      changed.forEach(LoggerConfig::setLevel);
      added.forEach(cfg::removeLogger);
      ctx.updateLoggers();
    };
  }
}
