package dev.unseg.jobs.protect;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.LongAccumulator;

/**
 * {@code unseg.run.max-failed-fraction}: once more than that share of the dataset's entries has
 * failed, the final share can only be larger, so the run is cancelled at once instead of
 * protecting the rest. The records of finished tasks stay, so --resume can continue later.
 */
final class FailureLimit implements AutoCloseable {
  private final JavaSparkContext sc;
  private final long entries;
  private final LongAccumulator failed;
  private final double fraction;
  private volatile String reason;
  private Thread thread;

  FailureLimit(JavaSparkContext sc, long entries, LongAccumulator failed, double fraction) {
    this.sc = sc;
    this.entries = entries;
    this.failed = failed;
    this.fraction = fraction;
  }

  FailureLimit start() {
    if (fraction >= 1.0) {
      return this; // more than all entries can never fail
    }
    thread = new Thread(() -> {
      try {
        while (!Thread.currentThread().isInterrupted()) {
          long f = failed.value();
          if (f > fraction * entries) {
            reason = message(f);
            sc.sc().cancelAllJobs();
            return;
          }
          Thread.sleep(100);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "unseg-failure-limit");
    thread.setDaemon(true);
    thread.start();
    return this;
  }

  /** Why the run was stopped, or null. */
  String reason() {
    return reason;
  }

  String message(long failedCount) {
    return String.format("stopped: %d of %d images failed, more than unseg.run.max-failed-fraction = %s allows"
        + " (see the failed rows with unseg inspect; fix the inputs, or raise the key with --conf"
        + " unseg.run.max-failed-fraction=..., then rerun with --resume)", failedCount, entries, fraction);
  }

  @Override
  public void close() {
    if (thread != null) {
      thread.interrupt();
    }
  }
}
