package dev.unseg.jobs.config;

import com.typesafe.config.Config;
import java.io.Serializable;

/**
 * What {@code _unseg/report.html} is built with (by every protect run, and by {@code unseg report}).
 *
 * @param samples images shown as quadruples (original, protected, noise, eps region), {@code unseg.report.samples}
 * @param maxPixels, maxFileBytes the run's input limits, which the report's decodes keep too
 */
public record ReportSettings(int samples, long maxPixels, long maxFileBytes) implements Serializable {
  public static final int MAX_SAMPLES = 100;

  /** From the effective config's {@code unseg} block; a bad value names its key. */
  public static ReportSettings from(Config root) {
    Config c = root.getConfig("unseg");
    return new ReportSettings(SettingReads.intIn(c, "report.samples", "--samples (unseg report)", 0, MAX_SAMPLES),
        SettingReads.longIn(c, "limits.max-pixels", null, 1, Long.MAX_VALUE),
        SettingReads.bytesIn(c, "limits.max-file-bytes"));
  }
}
