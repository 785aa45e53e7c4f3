package dev.unseg.pipeline.generator;

import java.io.Serializable;

/**
 * What a generator declares about itself; recorded in every manifest row.
 *
 * @param id stable name, e.g. {@code synthetic-texture} or {@code unseg-torchscript}
 * @param version the generator implementation's version
 * @param modelDigest SHA-256 (hex) of the model file, or of the key-derived parameters for a
 *     generator without a model file; never the secret key itself
 * @param imageInput what {@link NoiseGenerator#generate} needs of each image
 */
public record GeneratorInfo(String id, String version, String modelDigest, ImageInput imageInput)
    implements Serializable {

  /** What a generator reads of each image, so the caller builds only that. */
  public enum ImageInput {
    /** No image: the caller builds nothing (the noise depends on the prompt alone). */
    NONE,
    /** X built by the caller on the CPU ({@code Composite.generatorImage}): 12 MiB of floats an image. */
    CPU_X,
    /** The 8-bit pixels alone: the generator builds X itself where its model runs (a GPU). */
    PIXELS
  }

  public boolean needsImage() {
    return imageInput != ImageInput.NONE;
  }
}
