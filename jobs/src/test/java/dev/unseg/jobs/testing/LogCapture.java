package dev.unseg.jobs.testing;

import java.io.StringWriter;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * Captures what Spark, Hadoop/S3A and our code log (INFO, S3A at DEBUG) into memory, so a test can
 * check that secrets never reach the logs. Separate logger configs keep it off the console, and
 * out of reach of Spark's setLogLevel (which changes only the root logger).
 */
public final class LogCapture implements AutoCloseable {
  private static final List<String[]> LOGGERS = List.of(
      new String[] {"org.apache.spark", "INFO"}, new String[] {"org.apache.hadoop", "INFO"},
      new String[] {"org.apache.hadoop.fs.s3a", "DEBUG"}, new String[] {"com.amazonaws", "INFO"},
      new String[] {"dev.unseg", "DEBUG"});
  private final StringWriter buffer = new StringWriter();
  private final WriterAppender appender;
  private final LoggerContext ctx;

  public LogCapture() {
    ctx = (LoggerContext) LogManager.getContext(false);
    Configuration cfg = ctx.getConfiguration();
    appender = WriterAppender.newBuilder().setName("unseg-test-capture").setTarget(buffer)
        .setLayout(PatternLayout.newBuilder().withPattern("%p %c: %m%n%ex").build()).build();
    appender.start();
    for (String[] l : LOGGERS) {
      LoggerConfig lc = new LoggerConfig(l[0], Level.valueOf(l[1]), false);
      lc.addAppender(appender, null, null);
      cfg.addLogger(l[0], lc);
    }
    ctx.updateLoggers();
  }

  public String text() {
    synchronized (buffer) {
      return buffer.toString();
    }
  }

  @Override
  public void close() {
    Configuration cfg = ctx.getConfiguration();
    for (String[] l : LOGGERS) {
      cfg.removeLogger(l[0]);
    }
    ctx.updateLoggers();
    appender.stop();
  }
}
