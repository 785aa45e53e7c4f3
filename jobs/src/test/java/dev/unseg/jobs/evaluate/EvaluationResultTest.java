package dev.unseg.jobs.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvaluationResultTest {
  private static Curve run(double peak) {
    Scores s = new Scores(new double[] {0.9, peak}, peak, peak, 0.9);
    return new Curve(List.of(0.5), List.of(s), 1);
  }

  /**
   * Drops compare like with like: a side trained from the seeds 1 and 2 against the clean mean of both;
   * the identical control, trained once from seed 1, against the clean run of seed 1, so the same bits
   * show no drop (against the mean of two seeds it showed -13.7%, docs/evaluate.md).
   */
  @Test
  void dropsCompareTheSameSeeds() {
    Side clean = new Side("unet", "clean", List.of(run(0.4), run(0.2)), 0, 0);
    Side identical = new Side("unet", "control:identical", List.of(run(0.4)), 0, 0);
    Side shortcut = new Side("unet", "control:shortcut", List.of(run(0.15), run(0.15)), 8, 0);
    EvaluationResult r = new EvaluationResult(null, null, List.of("object"), List.of(), List.of(), Map.of(),
        List.of(clean, identical, shortcut), List.of());
    assertEquals(0.0, r.peakDrop(identical), 1e-12);
    assertEquals(0.0, r.lastDrop(identical), 1e-12);
    assertEquals(0.5, r.peakDrop(shortcut), 1e-12);
  }

  /**
   * The table says when it cannot answer: a clean probe under 0.2 learned too little, and a shortcut
   * control that took half or less does not show the large drop the probe's trust rests on.
   */
  @Test
  void warnsWhereTheProbeCannotAnswer() {
    Side cleanUnet = new Side("unet", "clean", List.of(run(0.4)), 0, 0);
    Side strongShortcut = new Side("unet", "control:shortcut", List.of(run(0.1)), 8, 0);
    Side cleanDeeplab = new Side("deeplab", "clean", List.of(run(0.05)), 0, 0);
    Side weakShortcut = new Side("deeplab", "control:shortcut", List.of(run(0.03)), 8, 0);
    EvaluationResult r = new EvaluationResult(null, null, List.of("object"), List.of(), List.of(), Map.of(),
        List.of(cleanUnet, strongShortcut, cleanDeeplab, weakShortcut), List.of());
    List<String> w = r.warnings();
    assertEquals(2, w.size(), w.toString());
    assertTrue(w.get(0).startsWith("the deeplab probe learned little from the clean images (peak object mIoU 0.050"), w.get(0));
    // One object class (mask pairs): no easier labels to offer, only more training.
    assertTrue(w.get(0).contains("Give it more training: a larger --sample"), w.get(0));
    assertTrue(w.get(1).startsWith("the deeplab shortcut control took 40.0% (more than 50% is asked)"), w.get(1));
    EvaluationResult fine = new EvaluationResult(null, null, List.of("object"), List.of(), List.of(), Map.of(),
        List.of(cleanUnet, strongShortcut), List.of());
    assertEquals(List.of(), fine.warnings());
  }
}
