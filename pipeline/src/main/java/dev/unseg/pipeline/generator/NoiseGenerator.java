package dev.unseg.pipeline.generator;

import java.util.List;

/**
 * The UnSeg generator contract (docs/unseg-contract.md), batched. Layouts are flat float arrays in CHW order:
 *
 * <ul>
 *   <li>image X: {@value #IMAGE_SIZE} x {@value #IMAGE_SIZE} x 3 values, {@code [c][y][x]}, in [0,1];
 *   <li>prompt P: {@value #NOISE_SIZE} x {@value #NOISE_SIZE} values in {0, 255};
 *   <li>noise: 3 x {@value #NOISE_SIZE} x {@value #NOISE_SIZE} finite values within [-1, 1] (a float32 {@code tanh}
 *       reaches exactly +-1.0, which is legal: the bound holds at the ends).
 * </ul>
 *
 * <p>Implementations may be shared by several worker threads of one JVM and must be thread-safe.
 */
public interface NoiseGenerator extends AutoCloseable {
  int IMAGE_SIZE = 1024;
  int NOISE_SIZE = 256;

  GeneratorInfo info();

  /**
   * Noise for a batch of images. {@code images.get(i)} is null when {@link GeneratorInfo#imageInput()} is
   * NONE. Returns one array of {@code 3 * NOISE_SIZE * NOISE_SIZE} per input, in order.
   */
  List<float[]> generate(List<GeneratorImage> images, List<float[]> prompts) throws Exception;

  /**
   * {@link #generate(List, List)}, given also each image's classes at the prompt's grid (256 x 256 label values, 0
   * outside the mask; an entry is null where the format has no classes). Only the built-in generator's class-keyed
   * design reads them; the UnSeg contract is the binary prompt.
   */
  default List<float[]> generate(List<GeneratorImage> images, List<float[]> prompts, List<byte[]> classes) throws Exception {
    return generate(images, prompts);
  }

  @Override
  default void close() throws Exception {}
}
