package dev.unseg.jobs.evaluate;

import dev.unseg.jobs.io.OutputLayout;
import dev.unseg.pipeline.error.UserError;
import java.nio.file.Path;

/**
 * One evaluation: a mask-pairs dataset (clean images, their masks), its protected copy (the
 * {@code --output} of {@code unseg protect}: images under {@code <protected>/<images folder name>/}
 * with the same relative paths), how many images to train on and test on, the probe's size and
 * training, the defence applied to the protected training images, and how many times each side is
 * trained ({@code repeats}, from seeds {@code probe.seed()}, {@code probe.seed() + 1}, ...; the split
 * always comes from {@code probe.seed()}), so that the run-to-run noise is measured, not guessed.
 */
public record EvaluateSettings(Path cleanImages, Path masks, Path protectedRoot, int sample, int test, int size,
    Defense defense, ProbeSettings probe, int repeats, String runId) {

  public EvaluateSettings {
    if (sample < 1 || test < 1) {
      throw new UserError("--sample and --test must be at least 1");
    }
    if (repeats < 1) {
      throw new UserError("--repeats must be at least 1 (got " + repeats + ")");
    }
    if (size < 16 || size % 4 != 0) {
      throw new UserError("--size must be a multiple of 4, at least 16 (got " + size + ")");
    }
  }

  /** Where the protected copy of an image lies (the protect job's output layout). */
  Path protectedImage(String relative) {
    return protectedRoot.resolve(cleanImages.toAbsolutePath().normalize().getFileName().toString()).resolve(relative);
  }

  Path reportDir() {
    return Path.of(OutputLayout.of(protectedRoot.toString()).evaluation(runId).toUri());
  }
}
