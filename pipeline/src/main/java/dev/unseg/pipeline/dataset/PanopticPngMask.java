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
    BufferedImage img = AnnotationRasters.read(annotations, annotationPath, imageWidth, imageHeight);
    BinaryMask mask = new BinaryMask(imageWidth, imageHeight);
    if (selectedIds.length == 0) {
      return mask;
    }
    Raster r = img.getRaster();
    boolean indexed = img.getColorModel() instanceof IndexColorModel;
    if (!indexed && r.getNumBands() < 3) {
      throw new InputException(ErrorCode.ANNOTATION_INVALID,
          "panoptic PNG " + annotationPath + " has " + r.getNumBands() + " channel(s); segment ids need R, G and B");
    }
    byte[] px = mask.pixels();
    int[] red = new int[imageWidth];
    int[] green = new int[imageWidth];
    int[] blue = new int[imageWidth];
    int lastId = -1;
    byte lastHit = 0;
    for (int y = 0; y < imageHeight; y++) {
      if (indexed) {
        img.getRGB(0, y, imageWidth, 1, red, 0, imageWidth); // exact for palettes: the entry's RGB
        for (int x = 0; x < imageWidth; x++) {
          int rgb = red[x];
          red[x] = (rgb >> 16) & 0xff;
          green[x] = (rgb >> 8) & 0xff;
          blue[x] = rgb & 0xff;
        }
      } else {
        r.getSamples(0, y, imageWidth, 1, 0, red);
        r.getSamples(0, y, imageWidth, 1, 1, green);
        r.getSamples(0, y, imageWidth, 1, 2, blue);
      }
      int base = y * imageWidth;
      for (int x = 0; x < imageWidth; x++) {
        int id = red[x] + 256 * green[x] + 65536 * blue[x];
        if (id != lastId) { // segments are large runs: look up only when the id changes
          lastId = id;
          lastHit = (byte) (Arrays.binarySearch(selectedIds, id) >= 0 ? 1 : 0);
        }
        px[base + x] = lastHit;
      }
    }
    return mask;
  }

  @Override
  public String annotationPath() {
    return annotationPath;
  }
}
