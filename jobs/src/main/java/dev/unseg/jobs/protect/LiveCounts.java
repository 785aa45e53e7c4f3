package dev.unseg.jobs.protect;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.LongAccumulator;
import scala.Tuple4;
import scala.collection.JavaConverters;

/**
 * Accumulator values as they stand now, not only at task ends: the driver's value (finished tasks)
 * plus each running task's partial value, which executors send with every heartbeat
 * ({@code spark.executor.heartbeatInterval}). Without it a progress line moves a whole task at a time.
 */
final class LiveCounts extends SparkListener implements AutoCloseable {
  private final SparkContext sc;
  private final LongAccumulator[] accumulators;
  private final Map<Long, long[]> running = new ConcurrentHashMap<>();

  private LiveCounts(SparkContext sc, LongAccumulator... accumulators) {
    this.sc = sc;
    this.accumulators = accumulators;
  }

  static LiveCounts watch(SparkContext sc, LongAccumulator... accumulators) {
    LiveCounts live = new LiveCounts(sc, accumulators);
    sc.addSparkListener(live);
    return live;
  }

  /** The i-th accumulator's value including running tasks' progress. */
  long value(int i) {
    long v = accumulators[i].value();
    for (long[] partial : running.values()) {
      v += partial[i];
    }
    return v;
  }

  @Override
  public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
    for (Tuple4<Object, Object, Object, scala.collection.Seq<AccumulableInfo>> task
        : JavaConverters.seqAsJavaList(update.accumUpdates())) {
      long taskId = (Long) task._1();
      long[] partial = null;
      for (AccumulableInfo info : JavaConverters.seqAsJavaList(task._4())) {
        for (int i = 0; i < accumulators.length; i++) {
          if (info.id() == accumulators[i].id() && info.update().isDefined() && info.update().get() instanceof Number n) {
            partial = partial == null ? new long[accumulators.length] : partial;
            partial[i] = n.longValue();
          }
        }
      }
      if (partial != null) {
        running.put(taskId, partial);
      }
    }
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    // From here the driver's value holds the task's count (or, for a failed attempt, never will).
    running.remove(end.taskInfo().taskId());
  }

  @Override
  public void close() {
    sc.removeSparkListener(this);
  }
}
