package dev.unseg.jobs.evaluate;

import dev.unseg.pipeline.error.UserError;

/** How the probe network is trained (the same for the clean and the protected training). */
public record ProbeSettings(int epochs, int batchSize, float learningRate, int baseChannels, long seed) {
  public ProbeSettings {
    if (epochs < 1 || batchSize < 1 || baseChannels < 1 || !(learningRate > 0)) {
      throw new UserError("epochs, batch size, channels and learning rate must be positive");
    }
  }

  /** The same training from another seed (initial weights and data order). */
  public ProbeSettings withSeed(long other) {
    return new ProbeSettings(epochs, batchSize, learningRate, baseChannels, other);
  }
}
