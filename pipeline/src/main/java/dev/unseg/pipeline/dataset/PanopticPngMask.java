package dev.unseg.pipeline.dataset;

import dev.unseg.pipeline.error.ErrorCode;
import dev.unseg.pipeline.error.InputException;
import dev.unseg.pipeline.mask.BinaryMask;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.util.Arrays;

/**
 * A COCO panoptic PNG: a pixel belongs to segment {@code R + 256 G + 65536 B}; the mask is the
 * pixels of the selected segment ids.
 *
 * @param selectedIds the segment ids to include (copied and sorted)
 */
public record PanopticPngMask(String annotationPath, int[] selectedIds) implements MaskSource {

  public PanopticPngMask {
    selectedIds = selectedIds.clone();
    Arrays.sort(selectedIds);
  }

  @Override
  public BinaryMask build(int imageWidth, int imageHeight, AnnotationStore annotations) throws InputException {
    BinaryMask mask = new BinaryMask(imageWidth, imageHeight);
    if (selectedIds.length == 0) {
      // Read it all the same (a missing or broken PNG fails the image), but map no pixel.
      AnnotationRasters.read(annotations, annotationPath, imageWidth, imageHeight);
      return mask;
    }
    byte[] ones = new byte[selectedIds.length];
    Arrays.fill(ones, (byte) 1);
    mapSegments(annotations, annotationPath, imageWidth, imageHeight, selectedIds, ones, (byte) 0, mask.pixels());
    return mask;
  }

  /**
   * Reads the panoptic PNG at {@code path} and writes, for each pixel, {@code values[i]} where its segment
   * id is {@code sortedIds[i]}, {@code otherwise} where it is none of them.
   */
  static void mapSegments(AnnotationStore store, String path, int width, int height, int[] sortedIds, byte[] values,
      byte otherwise, byte[] out) throws InputException {
    BufferedImage img = AnnotationRasters.read(store, path, width, height);
    Raster r = img.getRaster();
    boolean indexed = img.getColorModel() instanceof IndexColorModel;
    if (!indexed && r.getNumBands() < 3) {
      throw new InputException(ErrorCode.ANNOTATION_INVALID,
          "panoptic PNG " + path + " has " + r.getNumBands() + " channel(s); segment ids need R, G and B");
    }
    int[] red = new int[width];
    int[] green = new int[width];
    int[] blue = new int[width];
    int lastId = -1;
    byte lastValue = otherwise;
    for (int y = 0; y < height; y++) {
      if (indexed) {
        img.getRGB(0, y, width, 1, red, 0, width); // exact for palettes: the entry's RGB
        for (int x = 0; x < width; x++) {
          int rgb = red[x];
          red[x] = (rgb >> 16) & 0xff;
          green[x] = (rgb >> 8) & 0xff;
          blue[x] = rgb & 0xff;
        }
      } else {
        r.getSamples(0, y, width, 1, 0, red);
        r.getSamples(0, y, width, 1, 1, green);
        r.getSamples(0, y, width, 1, 2, blue);
      }
      int base = y * width;
      for (int x = 0; x < width; x++) {
        int id = red[x] + 256 * green[x] + 65536 * blue[x];
        if (id != lastId) { // segments are large runs: look up only when the id changes
          lastId = id;
          int i = Arrays.binarySearch(sortedIds, id);
          lastValue = i >= 0 ? values[i] : otherwise;
        }
        out[base + x] = lastValue;
      }
    }
  }

  @Override
  public String annotationPath() {
    return annotationPath;
  }
}
