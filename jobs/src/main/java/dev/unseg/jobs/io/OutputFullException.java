package dev.unseg.jobs.io;

/**
 * The output storage is full (no space left, a quota reached). That is not a problem of one image:
 * every later write fails too, and a failed manifest row is final (--resume does not redo it). So a
 * task that meets it stops without recording its images, and the run stops with one message naming
 * the output and the fix, instead of a failed row per image or a stack trace.
 *
 * <p>No stack trace and no cause (the message carries the cause's text): Spark logs a failed task's
 * exception with its trace, and this one is not a bug to debug.
 */
public final class OutputFullException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private static final int MAX_DEPTH = 32;

  public OutputFullException(String message) {
    super(message, null, false, false);
  }

  /** The exception a task stops with when writing {@code target} found no space. */
  public static OutputFullException writing(Object target, Throwable cause) {
    return new OutputFullException("no space to write " + target + ": " + reason(cause));
  }

  /** {@code e} itself to rethrow, unless it says the output is full: then throws the stop. */
  public static java.io.IOException stopIfFull(java.io.IOException e, Object target) {
    if (isOutOfSpace(e)) {
      throw writing(target, e);
    }
    return e;
  }

  /**
   * Whether {@code t} or one of its causes says the storage is out of space or over quota: the
   * ENOSPC/EDQUOT texts of local and NFS disks, HDFS quota exceptions, or this exception (also when
   * it reached the driver only as the text of a Spark job failure).
   */
  public static boolean isOutOfSpace(Throwable t) {
    return outOfSpaceCause(t) != null;
  }

  /** How the run stops: the output, what it was doing, the cause and the fix. */
  public static OutputFullException stopping(String output, String doing, Throwable cause) {
    return new OutputFullException("stopped while " + doing + ": the output " + output + " is full (" + reason(cause)
        + "). Free space there (or choose another --output), then run the same command with --resume: it"
        + " keeps what is done and finishes the rest");
  }

  private static String reason(Throwable cause) {
    Throwable c = outOfSpaceCause(cause);
    if (c == null) {
      return String.valueOf(cause);
    }
    // A task's stop as the driver sees it: keep its own words, not Spark's wrapping.
    return c instanceof OutputFullException ? c.getMessage() : StorageErrors.reason(c);
  }

  private static Throwable outOfSpaceCause(Throwable t) {
    int depth = 0;
    Throwable textOnly = null;
    for (Throwable c = t; c != null && depth < MAX_DEPTH; c = c.getCause(), depth++) {
      if (c instanceof OutputFullException || c.getClass().getName().endsWith("QuotaExceededException")) {
        return c;
      }
      String m = c.getMessage();
      if (m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded")
          || m.contains(OutputFullException.class.getName()))) {
        textOnly = textOnly == null || c.getMessage().length() < textOnly.getMessage().length() ? c : textOnly;
      }
    }
    return textOnly;
  }
}
