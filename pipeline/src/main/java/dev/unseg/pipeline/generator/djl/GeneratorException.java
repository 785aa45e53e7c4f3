package dev.unseg.pipeline.generator.djl;

/**
 * The TorchScript generator cannot be loaded or returned unusable output. The message names the model
 * file, the setting to change and the fix. Loading failures are fatal for the run, not per image.
 */
public final class GeneratorException extends Exception {
  public GeneratorException(String message) {
    super(message);
  }

  public GeneratorException(String message, Throwable cause) {
    super(message, cause);
  }
}
