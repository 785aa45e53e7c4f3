package dev.unseg.jobs.protect;

import java.time.Duration;
import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

/**
 * The console progress line, every {@code unseg.run.progress-interval} and once at the end: images done
 * of total, rate, ETA, failures so far. Counted per image: running tasks' counts arrive with executor
 * heartbeats ({@link LiveCounts}), so the line moves between task ends.
 */
final class Progress implements AutoCloseable {
  private final Thread thread;
  private final LiveCounts counts;
  private final Runnable print;

  private Progress(Thread thread, LiveCounts counts, Runnable print) {
    this.thread = thread;
    this.counts = counts;
    this.print = print;
  }

  static Progress start(SparkContext sc, long total, LongAccumulator done, LongAccumulator failed, Duration interval) {
    if (interval.isZero() || interval.isNegative()) {
      return new Progress(null, null, null);
    }
    LiveCounts live = LiveCounts.watch(sc, done, failed);
    long startNanos = System.nanoTime();
    Runnable print = () -> System.err.println(
        line(total, Math.min(total, live.value(0)), live.value(1), (System.nanoTime() - startNanos) / 1e9));
    Thread t = new Thread(() -> {
      try {
        while (!Thread.currentThread().isInterrupted()) {
          Thread.sleep(interval.toMillis());
          print.run();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "unseg-progress");
    t.setDaemon(true);
    t.start();
    return new Progress(t, live, print);
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
      print.run();
      counts.close();
    }
  }
}
