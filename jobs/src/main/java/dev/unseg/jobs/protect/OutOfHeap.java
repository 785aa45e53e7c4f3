package dev.unseg.jobs.protect;

/**
 * Whether a task of this JVM ran out of heap. Spark's executor exits the JVM on an OutOfMemoryError,
 * which the CLI would otherwise take for Ctrl-C; in embedded Spark the tasks run in the CLI's JVM, so
 * this flag lets it say what happened.
 */
public final class OutOfHeap {
  private static volatile boolean seen;

  private OutOfHeap() {}

  /** Marks the JVM when {@code t} is, or was caused by, an OutOfMemoryError. */
  static void noteIfCause(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof OutOfMemoryError) {
        seen = true;
        return;
      }
    }
  }

  public static boolean seen() {
    return seen;
  }
}
