package dev.unseg.pipeline.dataset;

import java.io.Serializable;

/** The {@code segmentation} of a COCO instance annotation, kept compact for shipping to executors. */
public sealed interface CocoSegmentation extends Serializable {

  /** Polygon parts, each {@code [x1, y1, x2, y2, ...]} in pixels; the mask is their union. */
  record Polygons(double[][] parts) implements CocoSegmentation {}

  /**
   * An RLE of {@code height x width}; list-form counts are stored re-encoded as the compressed
   * string, which is the same mask in far fewer bytes.
   */
  record RleCounts(int height, int width, String counts) implements CocoSegmentation {}
}
