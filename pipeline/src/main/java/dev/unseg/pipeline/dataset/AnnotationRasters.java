package dev.unseg.pipeline.dataset;

import dev.unseg.pipeline.error.ErrorCode;
import dev.unseg.pipeline.error.InputException;
import java.awt.image.BufferedImage;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes annotation rasters (label maps, panoptic PNGs, binary masks) with plain ImageIO, keeping
 * raster sample values as stored (palette PNGs give their indices). Label maps and panoptic PNGs must be
 * lossless PNG or TIFF: a JPEG "label map" has compression noise for labels. A binary mask may also be a GIF
 * (Carvana's) or a JPEG (Kvasir-SEG's), which {@link BinaryMaskFile} then thresholds.
 */
final class AnnotationRasters {
  private AnnotationRasters() {}

  /** A decoded binary mask file; {@code lossy} when it was a JPEG, whose zeros compression has moved. */
  record Mask(BufferedImage image, boolean lossy) {}

  /**
   * Reads {@code path} from {@code store}, checking its size against the image before decoding pixels.
   *
   * @throws InputException PATH_UNSAFE, ANNOTATION_MISSING, ANNOTATION_INVALID (not PNG/TIFF, corrupt,
   *     unreadable) or MASK_SIZE_MISMATCH
   */
  static BufferedImage read(AnnotationStore store, String path, int width, int height) throws InputException {
    return read(store, path, width, height, false).image();
  }

  /** {@link #read} for a binary mask file: GIF and JPEG as well. */
  static Mask readMask(AnnotationStore store, String path, int width, int height) throws InputException {
    return read(store, path, width, height, true);
  }

  private static Mask read(AnnotationStore store, String path, int width, int height, boolean binary)
      throws InputException {
    DatasetPaths.checkSafeRelativePath(path);
    try (InputStream in = store.open(path);
        ImageInputStream iis = new MemoryCacheImageInputStream(in)) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(iis);
      if (!readers.hasNext()) {
        throw new InputException(ErrorCode.ANNOTATION_INVALID, "annotation " + path + " is not an image ImageIO can read; it must be a PNG or TIFF");
      }
      ImageReader reader = readers.next();
      try {
        String format = reader.getFormatName().toLowerCase(Locale.ROOT);
        boolean jpeg = format.contains("jpeg") || format.equals("jpg");
        if (!format.contains("png") && !format.contains("tif") && !(binary && (jpeg || format.contains("gif")))) {
          throw new InputException(ErrorCode.ANNOTATION_INVALID, "annotation " + path + " is " + format + "; "
              + (binary ? "masks must be PNG, TIFF, GIF or JPEG" : "label maps must be lossless PNG or TIFF (a JPEG's"
                  + " compression moves their edges and labels): export it again as PNG from its source"));
        }
        reader.setInput(iis, true, true);
        int w = reader.getWidth(0);
        int h = reader.getHeight(0);
        if (w != width || h != height) {
          throw new InputException(ErrorCode.MASK_SIZE_MISMATCH,
              "annotation " + path + " is " + w + "x" + h + " but its image is " + width + "x" + height
                  + "; the annotation must have exactly the image's size");
        }
        return new Mask(reader.read(0), jpeg);
      } finally {
        reader.dispose();
      }
    } catch (FileNotFoundException | NoSuchFileException e) {
      throw new InputException(ErrorCode.ANNOTATION_MISSING, "annotation " + path + " does not exist (" + e.getMessage() + ")", e);
    } catch (IOException | RuntimeException e) {
      // ImageIO readers throw unchecked exceptions on some corrupt files
      throw new InputException(ErrorCode.ANNOTATION_INVALID, "annotation " + path + " cannot be decoded: " + InputException.detail(e), e);
    }
  }
}
