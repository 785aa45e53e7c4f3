package dev.unseg.pipeline.generator.djl;

import dev.unseg.pipeline.generator.GeneratorImage;
import dev.unseg.pipeline.generator.GeneratorInfo.ImageInput;
import java.util.List;

/** Checks a generate() call's inputs against the contract before any native work. */
final class InputCheck {
  private InputCheck() {}

  static void check(List<GeneratorImage> images, List<float[]> prompts, ImageInput input) {
    if (images == null || prompts == null || images.size() != prompts.size()) {
      throw new IllegalArgumentException(
          "generate() needs one image and one prompt per item, got " + (images == null ? "null" : images.size())
              + " images and " + (prompts == null ? "null" : prompts.size()) + " prompts");
    }
    for (int i = 0; i < images.size(); i++) {
      GeneratorImage image = images.get(i);
      if (image == null) {
        throw new IllegalArgumentException("item " + i + ": no image (this generator needs it)");
      }
      if (input == ImageInput.CPU_X && (image.x() == null || image.x().length != BatchRunner.IMAGE_VALUES)) {
        throw new IllegalArgumentException(
            "item " + i + ": image X must be 3x1024x1024 = " + BatchRunner.IMAGE_VALUES + " floats (CHW, [0,1]); got "
                + (image.x() == null ? "none" : image.x().length));
      }
      if (input == ImageInput.PIXELS && (image.width() < 1 || image.height() < 1 || image.rgb() == null
          || image.rgb().length != 3L * image.width() * image.height())) {
        throw new IllegalArgumentException("item " + i + ": the " + image.width() + "x" + image.height()
            + " image needs width x height x 3 bytes of RGB; got " + (image.rgb() == null ? "none" : image.rgb().length));
      }
      float[] p = prompts.get(i);
      if (p == null || p.length != BatchRunner.PROMPT_VALUES) {
        throw new IllegalArgumentException(
            "item " + i + ": prompt P must be 256x256 = " + BatchRunner.PROMPT_VALUES + " floats; got "
                + (p == null ? "null" : p.length));
      }
      for (int k = 0; k < p.length; k++) {
        if (p[k] != 0f && p[k] != 255f) { // a 0/1 mask passed as P would silently weaken the prompt
          throw new IllegalArgumentException(
              "item " + i + ": prompt P value " + p[k] + " at index " + k + "; P must be 0 or 255 (docs/unseg-contract.md)");
        }
      }
    }
  }
}
