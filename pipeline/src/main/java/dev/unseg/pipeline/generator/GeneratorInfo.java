package dev.unseg.pipeline.generator;

import java.io.Serializable;

/**
 * What a generator declares about itself; recorded in every manifest row.
 *
 * @param id stable name, e.g. {@code synthetic-texture} or {@code unseg-torchscript}
 * @param version the generator implementation's version
 * @param modelDigest SHA-256 (hex) of the model file, or of the key-derived parameters for a
 *     generator without a model file; never the secret key itself
 * @param needsImage whether {@link NoiseGenerator#generate} reads the image input X; when false the
 *     caller skips building X (a 1024x1024x3 resample per image)
 */
public record GeneratorInfo(String id, String version, String modelDigest, boolean needsImage)
    implements Serializable {}
