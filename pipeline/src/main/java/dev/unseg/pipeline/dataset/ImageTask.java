package dev.unseg.pipeline.dataset;

import dev.unseg.pipeline.error.ErrorCode;
import java.io.Serializable;

/**
 * One image of a dataset to protect.
 *
 * @param imagePath relative to the images root, '/'-separated, exactly as the dataset names it; the
 *     protected copy is written at the same relative path under the output root
 * @param mask how to build its union mask
 * @param rejection non-null when planning already found this entry unusable (unsafe path,
 *     duplicate, bad annotation); the image is then not read and its manifest row says why
 */
public record ImageTask(String imagePath, MaskSource mask, Rejection rejection) implements Serializable {

  /** A problem found while reading the dataset's index, before any pixel is read. */
  public record Rejection(ErrorCode code, String message) implements Serializable {}

  public static ImageTask of(String imagePath, MaskSource mask) {
    return new ImageTask(imagePath, mask, null);
  }

  public static ImageTask rejected(String imagePath, ErrorCode code, String message) {
    return new ImageTask(imagePath, null, new Rejection(code, message));
  }
}
