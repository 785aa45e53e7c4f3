package dev.unseg.jobs.io;

import dev.unseg.pipeline.error.UserError;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import org.apache.hadoop.fs.Path;

/**
 * Every name under an output root: the protected dataset mirrors the input beside {@code _SUCCESS};
 * the audit trail lives in {@code _unseg/}. The one place these names are spelled.
 */
public record OutputLayout(URI root) implements Serializable {
  /** The audit folder's name, '/'-terminated. */
  public static final String AUDIT = "_unseg/";
  /** Mask PNGs ({@code --write-masks}), relative to the audit folder. */
  public static final String MASKS = "masks/";
  /** The report's pictures, relative to the audit folder (and so to report.html). */
  public static final String REPORT_FILES = "report/";

  public OutputLayout {
    root = Locations.directory(root);
  }

  /** The layout of an output given as a path or URI. */
  public static OutputLayout of(String output) {
    return new OutputLayout(Locations.qualify(output));
  }

  /** A file or folder (ending with '/') below the output root. */
  public Path path(String relative) {
    return Locations.child(root, relative);
  }

  public Path audit() {
    return path(AUDIT);
  }

  public Path success() {
    return path("_SUCCESS");
  }

  /** The run spec ({@code RunSpec}). */
  public Path settings() {
    return path(AUDIT + "settings.json");
  }

  public Path summary() {
    return path(AUDIT + "summary.json");
  }

  /** The Parquet manifest: one row per input. */
  public Path manifest() {
    return path(AUDIT + "manifest/");
  }

  /**
   * The refusal of a command that reads a run's manifest (inspect, report, verify) where there is none: no
   * run at all, or one that has not finished (running, or stopped before it wrote its manifest).
   */
  public UserError noManifest(Storage fs) throws IOException {
    return new UserError(fs.exists(audit())
        ? root + " holds a protect run that has not written its manifest (" + manifest() + "): it is running, or it"
            + " stopped before its end; finish it with the same protect command and --resume"
        : root + " holds no protect run (no " + manifest() + "): is it the --output of unseg protect?");
  }

  /** Each task's manifest rows as JSON lines, published before the task ends. */
  public Path records() {
    return path(AUDIT + "records/");
  }

  public Path record(String fileName) {
    return path(AUDIT + "records/" + fileName);
  }

  /** protect's planning spill; deleted at the end of the run. */
  public Path plan() {
    return path(AUDIT + "plan/");
  }

  /** verify's planning spill; deleted at the end of verify. */
  public Path verifyPlan() {
    return path(AUDIT + "verify-plan/");
  }

  public Path lease() {
    return path(AUDIT + "lease.json");
  }

  public Path report() {
    return path(AUDIT + "report.html");
  }

  /** The report's pictures. */
  public Path reportFile(String name) {
    return path(AUDIT + REPORT_FILES + name);
  }

  public Path reportFiles() {
    return path(AUDIT + REPORT_FILES);
  }

  /** One {@code unseg evaluate} run's report folder. */
  public Path evaluation(String run) {
    return path(AUDIT + "evaluation/" + run + "/");
  }
}
