package dev.unseg.pipeline.dataset;

import dev.unseg.pipeline.error.ErrorCode;
import dev.unseg.pipeline.error.InputException;
import dev.unseg.pipeline.mask.BinaryMask;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;

/**
 * A single-channel label map (gray or palette indices) whose selected label values form the mask.
 *
 * @param table for each 8-bit label value: {@link #UNSELECTED}, {@link #SELECTED} or {@link
 *     #OUT_OF_RANGE}; values above 255 are always out of range
 * @param formatName for messages, e.g. "ADE20K"
 * @param validValues for messages, e.g. "0..150"
 */
public record LabelMapMask(String annotationPath, byte[] table, String formatName, String validValues) implements MaskSource {
  public static final byte UNSELECTED = 0;
  public static final byte SELECTED = 1;
  public static final byte OUT_OF_RANGE = 2;

  public LabelMapMask {
    if (table.length != 256) {
      throw new IllegalArgumentException("label table needs 256 entries, got " + table.length);
    }
    table = table.clone();
  }

  @Override
  public BinaryMask build(int imageWidth, int imageHeight, AnnotationStore annotations) throws InputException {
    BufferedImage img = AnnotationRasters.read(annotations, annotationPath, imageWidth, imageHeight);
    Raster r = img.getRaster();
    if (r.getNumBands() != 1) {
      throw new InputException(ErrorCode.ANNOTATION_INVALID,
          formatName + " label map " + annotationPath + " has " + r.getNumBands() + " channels; it must be a single-channel (gray or palette) PNG of label ids");
    }
    BinaryMask mask = new BinaryMask(imageWidth, imageHeight);
    byte[] px = mask.pixels();
    byte[] classes = new byte[px.length];
    int[] row = new int[imageWidth];
    for (int y = 0; y < imageHeight; y++) {
      r.getSamples(0, y, imageWidth, 1, 0, row);
      int base = y * imageWidth;
      for (int x = 0; x < imageWidth; x++) {
        int v = row[x];
        byte kind = v >= 0 && v < 256 ? table[v] : OUT_OF_RANGE;
        if (kind == OUT_OF_RANGE) {
          throw new InputException(ErrorCode.CLASS_OUT_OF_RANGE,
              formatName + " label map " + annotationPath + " has label " + v + " at pixel (" + x + ", " + y
                  + "); valid labels are " + validValues + " (is this the right file or format?)");
        }
        px[base + x] = kind;
        classes[base + x] = kind == SELECTED ? (byte) v : 0;
      }
    }
    mask.classes(classes);
    return mask;
  }

  @Override
  public String annotationPath() {
    return annotationPath;
  }
}
