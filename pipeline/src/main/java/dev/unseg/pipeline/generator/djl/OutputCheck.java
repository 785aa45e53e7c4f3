package dev.unseg.pipeline.generator.djl;

import java.nio.file.Path;

/**
 * The noise must be finite and within [-1, 1], or the epsilon bound of every image breaks. The ends are
 * legal: a float32 tanh returns exactly +-1.0 for inputs beyond about +-9, and |out - in| <= eps still holds there.
 */
final class OutputCheck {
  private OutputCheck() {}

  static void check(float[] noise, int item, Path model) throws GeneratorException {
    for (int k = 0; k < noise.length; k++) {
      float v = noise[k];
      if (!(v >= -1f && v <= 1f)) { // also catches NaN
        throw new GeneratorException(
            "TorchScript model " + model + " returned noise value " + v + " for item " + item + " at index " + k
                + " ([c][y][x] = [" + k / 65536 + "][" + (k / 256) % 256 + "][" + k % 256 + "]); the contract"
                + " is finite values within [-1, 1], which a final tanh guarantees. The model was"
                + " exported wrongly: re-export it with tools/export_unseg.py (it adds the tanh when asked)");
      }
    }
  }
}
