package dev.unseg.jobs.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ProgressTest {
  /**
   * A resumed run counts the images an earlier run finished as done, and its rate and ETA from its own
   * protections alone: it ended on "2/4 images (50.0%)" with every image done.
   */
  @Test
  void aResumedRunCountsWhatWasDoneBeforeButNotInItsRate() {
    assertEquals("4/4 images (100.0%), 1.0/s, ETA -, 0 failed", Progress.line(4, 2, 2, 0, 2.0, "images", "failed"));
    assertEquals("60/100 images (60.0%), 1.0/s, ETA 0m40s, 1 failed", Progress.line(100, 50, 10, 1, 10.0, "images", "failed"));
    assertEquals("10/100 checks (10.0%), 2.0/s, ETA 0m45s, 0 problems", Progress.line(100, 0, 10, 0, 5.0, "checks", "problems"));
  }
}
