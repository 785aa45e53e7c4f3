package dev.unseg.jobs.evaluate;

import dev.unseg.pipeline.error.UserError;

/**
 * How every probe is trained, the mmsegmentation way: images and labels resized to baseSize x
 * baseSize; for training, a random rescale in [scaleMin, scaleMax], a random crop x crop (padded
 * with the ignore label), a horizontal flip and photometric jitter; AdamW with a poly schedule (power
 * 0.9) from learningRate; tests at baseSize on the whole image.
 */
public record Recipe(int baseSize, int crop, double scaleMin, double scaleMax, int batchSize, int epochs,
    float learningRate, float weightDecay, int baseChannels, long seed) {
  public Recipe {
    if (epochs < 1 || batchSize < 1 || baseChannels < 1 || !(learningRate > 0) || weightDecay < 0) {
      throw new UserError("epochs, batch size, channels and learning rate must be positive");
    }
    // Both networks downsample by 8: other sides would not come back to the labels' size.
    if (baseSize < 16 || baseSize % 8 != 0) {
      throw UserError.setting("unseg.evaluate.base-size", baseSize, "a multiple of 8, at least 16", "--base-size");
    }
    if (crop < 16 || crop % 8 != 0) {
      throw UserError.setting("unseg.evaluate.crop", crop, "a multiple of 8, at least 16", "--crop");
    }
    // Measured 2026-12-02 (DJL 0.32, libtorch 2.5.1 CPU): with 12 base channels (12/24/48 per level) the
    // forward pass alone gave NaN logits at a different batch in each run, from finite inputs and finite
    // fresh weights; with 16 (16/32/64) four runs of two epochs, crops 64 and 48, had none.
    if (baseChannels % 16 != 0) {
      throw UserError.setting("unseg.evaluate.base-channels", baseChannels, "a multiple of 16 (other counts gave NaN"
          + " forward passes in libtorch's CPU kernels)", null);
    }
    if (!(scaleMin > 0) || scaleMax < scaleMin) {
      throw UserError.setting("unseg.evaluate.rescale-max", scaleMax, "a number at least unseg.evaluate.rescale-min ("
          + scaleMin + ")", null);
    }
  }

  /** The same training from another seed (initial weights, data order, augmentation). */
  public Recipe withSeed(long other) {
    return new Recipe(baseSize, crop, scaleMin, scaleMax, batchSize, epochs, learningRate, weightDecay, baseChannels, other);
  }
}
