package dev.unseg.jobs.config;

import com.typesafe.config.Config;
import dev.unseg.pipeline.error.UserError;
import java.io.Serializable;
import java.util.List;

/**
 * How a run treats an output that already holds a run, when it gives up on failures, and the
 * test-only fault injection.
 *
 * @param resume keep the previous run's records and protect only images without one
 * @param overwrite delete the previous run's output before starting
 * @param maxFailedFraction stop (exit 1, no _SUCCESS) once more than this share of entries failed
 * @param failPartitionsOnFirstAttempt test only: these partitions throw on attempt 0, after publishing
 * @param leaseExpiry a lease on the output whose heartbeat is older than this belongs to a run that died
 */
public record RunSafety(boolean resume, boolean overwrite, double maxFailedFraction,
    List<Integer> failPartitionsOnFirstAttempt, java.time.Duration leaseExpiry) implements Serializable {

  static RunSafety from(Config c) {
    boolean resume = SettingReads.bool(c, "run.resume");
    boolean overwrite = SettingReads.bool(c, "run.overwrite");
    if (resume && overwrite) {
      throw new UserError("unseg.run.resume (--resume) and unseg.run.overwrite (--overwrite) exclude each other:"
          + " give --resume to continue the run in --output, or --overwrite to delete it and start again");
    }
    double maxFailed = SettingReads.doubleIn(c, "run.max-failed-fraction", null, 0, 1);
    List<Integer> fail;
    try {
      fail = intList(c, "testing.fail-partitions-on-first-attempt");
    } catch (com.typesafe.config.ConfigException | NumberFormatException e) {
      throw SettingReads.bad("testing.fail-partitions-on-first-attempt", null,
          c.hasPath("testing.fail-partitions-on-first-attempt")
              ? c.getValue("testing.fail-partitions-on-first-attempt").unwrapped() : null,
          "a list of partition numbers such as [0, 2] (test only; leave it empty)");
    }
    java.time.Duration leaseExpiry = SettingReads.duration(c, "run.lease-expiry", "a duration such as 2m or 30s");
    if (leaseExpiry.toMillis() < 100) {
      throw SettingReads.bad("run.lease-expiry", null, c.getValue("run.lease-expiry").unwrapped(), "a duration of at least 100ms, such as 2m");
    }
    return new RunSafety(resume, overwrite, maxFailed, fail, leaseExpiry);
  }

  /** A HOCON list, or the string "[0,2]" / "0,2" that --conf key=value gives. */
  private static List<Integer> intList(Config c, String key) {
    if (c.getValue(key).valueType() != com.typesafe.config.ConfigValueType.STRING) {
      return List.copyOf(c.getIntList(key));
    }
    String s = c.getString(key).replace("[", "").replace("]", "").trim();
    return s.isEmpty() ? List.of() : java.util.Arrays.stream(s.split(",")).map(v -> Integer.valueOf(v.trim())).toList();
  }
}
