package dev.unseg.jobs.protect;

import java.time.Duration;
import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

/**
 * The console progress line, every {@code unseg.run.progress-interval} and once at the end: images done
 * of total, rate, ETA, failures so far. Counted per image: running tasks' counts arrive with executor
 * heartbeats ({@link LiveCounts}), so the line moves between task ends.
 */
public final class Progress implements AutoCloseable {
  private final Thread thread;
  private final LiveCounts counts;
  private final Runnable print;

  private Progress(Thread thread, LiveCounts counts, Runnable print) {
    this.thread = thread;
    this.counts = counts;
    this.print = print;
  }

  /**
   * Protect's line: images done, failed images; on --resume, {@code skipped} counts the images found done
   * by an earlier run, shown as done but not in the rate (they cost a lookup, not a protection).
   */
  static Progress start(SparkContext sc, long total, LongAccumulator done, LongAccumulator failed, LongAccumulator skipped,
      Duration interval) {
    return start(sc, "", "images", "failed", total, done, failed, skipped, interval);
  }

  /**
   * A line {@code [unseg<command>] done/total <what> (...), <failed> <failedWhat>}.
   *
   * @param command " verify" for that command's lines, "" for protect's
   */
  public static Progress start(SparkContext sc, String command, String what, String failedWhat, long total,
      LongAccumulator done, LongAccumulator failed, Duration interval) {
    return start(sc, command, what, failedWhat, total, done, failed, sc.longAccumulator(), interval);
  }

  private static Progress start(SparkContext sc, String command, String what, String failedWhat, long total,
      LongAccumulator done, LongAccumulator failed, LongAccumulator skipped, Duration interval) {
    if (interval.isZero() || interval.isNegative()) {
      return new Progress(null, null, null);
    }
    LiveCounts live = LiveCounts.watch(sc, done, failed, skipped);
    long startNanos = System.nanoTime();
    Runnable print = () -> {
      long before = Math.min(total, live.value(2));
      System.err.println("[unseg" + command + "] " + line(total, before, Math.min(total - before, live.value(0)), live.value(1),
          (System.nanoTime() - startNanos) / 1e9, what, failedWhat));
    };
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

  /** @param before done before this run (a resumed run's finished images): counted as done, not in the rate */
  static String line(long total, long before, long done, long failed, double seconds, String what, String failedWhat) {
    double rate = seconds > 0 ? done / seconds : 0;
    long shown = before + done;
    String eta = rate > 0 && shown < total ? format(Duration.ofSeconds((long) ((total - shown) / rate))) : "-";
    return String.format(java.util.Locale.ROOT, "%d/%d %s (%.1f%%), %.1f/s, ETA %s, %d %s",
        shown, total, what, total == 0 ? 100.0 : 100.0 * shown / total, rate, eta, failed, failedWhat);
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
