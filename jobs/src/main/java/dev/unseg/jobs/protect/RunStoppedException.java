package dev.unseg.jobs.protect;

import dev.unseg.jobs.io.StorageErrors;
import java.io.IOException;

/**
 * A run that stopped because its storage failed (unreachable, throttled past its retries, a read cut
 * short) after the start checks passed: not a bug, and not a problem of one image. What finished is
 * recorded, so the message says to rerun with --resume; the cause's stack trace goes to the log.
 */
public final class RunStoppedException extends Exception {
  private static final long serialVersionUID = 1L;
  private static final int MAX_DEPTH = 32;

  private RunStoppedException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The stop for {@code failure}, or null when no storage error ({@link java.io.IOException}) caused it. */
  static RunStoppedException ifStorage(String output, String doing, Throwable failure) {
    int depth = 0;
    IOException io = null;
    for (Throwable c = failure; c != null && depth < MAX_DEPTH; c = c.getCause(), depth++) {
      if (c instanceof IOException e) {
        io = e; // the deepest: the storage's own words, not a wrapper's
      }
    }
    if (io == null) {
      return null;
    }
    String recorded = " What finished is recorded under " + dev.unseg.jobs.io.OutputLayout.of(output).audit();
    IOException denied = StorageErrors.accessDenied(failure);
    if (denied != null) {
      return new RunStoppedException("stopped while " + doing + ": " + StorageErrors.accessDeniedMessage(denied) + "."
          + recorded + ": then run the same command with --resume to finish the rest", failure);
    }
    return new RunStoppedException("stopped while " + doing + ": the storage failed (" + StorageErrors.reason(io) + ")."
        + recorded + ": once the storage answers, run the same command with --resume to"
        + " finish the rest (object stores: raise spark.hadoop.fs.s3a.attempts.maximum / retry.limit to ride out"
        + " longer outages)", failure);
  }
}
