package dev.unseg.pipeline.dataset;

import dev.unseg.pipeline.error.InputException;
import dev.unseg.pipeline.mask.BinaryMask;
import java.io.Serializable;

/**
 * What an image's union mask is made of (COCO polygons/RLE, a panoptic PNG with its selected
 * segments, a label PNG with its selected labels, a binary mask file). Built on the driver from the
 * dataset's index, shipped to executors, and turned into pixels there, next to the image.
 */
public interface MaskSource extends Serializable {
  /**
   * Builds the union mask at the decoded image's size.
   *
   * @throws InputException with the code of what is wrong (missing or invalid annotation, size
   *     mismatch, bad polygon or RLE, class out of range); the message names the annotation file
   */
  BinaryMask build(int imageWidth, int imageHeight, AnnotationStore annotations) throws InputException;

  /** The annotation file this mask reads, relative to the annotations root, or null if none. */
  default String annotationPath() {
    return null;
  }
}
