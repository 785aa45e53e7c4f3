package dev.unseg.jobs.protect;

import java.time.Duration;
import org.apache.spark.util.LongAccumulator;

/**
 * The console progress line: images done of total, rate, ETA, failures so far. Accumulators
 * reach the driver as tasks finish, so the line moves a partition at a time.
 */
final class Progress implements AutoCloseable {
  private final Thread thread;

  private Progress(Thread thread) {
    this.thread = thread;
  }

  static Progress start(long total, LongAccumulator done, LongAccumulator failed, Duration interval) {
    if (interval.isZero() || interval.isNegative()) {
      return new Progress(null);
    }
    long startNanos = System.nanoTime();
    Thread t = new Thread(() -> {
      try {
        while (!Thread.currentThread().isInterrupted()) {
          Thread.sleep(interval.toMillis());
          System.err.println(line(total, done.value(), failed.value(), (System.nanoTime() - startNanos) / 1e9));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "unseg-progress");
    t.setDaemon(true);
    t.start();
    return new Progress(t);
  }

  static String line(long total, long done, long failed, double seconds) {
    double rate = seconds > 0 ? done / seconds : 0;
    String eta = rate > 0 && done < total ? format(Duration.ofSeconds((long) ((total - done) / rate))) : "-";
    return String.format("[unseg] %d/%d images (%.1f%%), %.1f img/s, ETA %s, %d failed",
        done, total, total == 0 ? 100.0 : 100.0 * done / total, rate, eta, failed);
  }

  private static String format(Duration d) {
    long h = d.toHours();
    return h > 0 ? String.format("%dh%02dm", h, d.toMinutesPart()) : String.format("%dm%02ds", d.toMinutes(), d.toSecondsPart());
  }

  @Override
  public void close() {
    if (thread != null) {
      thread.interrupt();
    }
  }
}
