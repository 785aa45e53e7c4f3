package dev.unseg.jobs.evaluate;

import java.util.List;

/**
 * One training's history: mean training loss and clean-test IoU after each epoch, and the final
 * clean-test IoU (the last epoch's; no early stopping, so no test-set selection).
 */
public record Curve(List<Double> loss, List<IoU> test, IoU last, double seconds) {}
