package dev.unseg.pipeline.dataset;

import dev.unseg.pipeline.error.ErrorCode;
import dev.unseg.pipeline.error.InputException;
import dev.unseg.pipeline.mask.BinaryMask;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Set;

/**
 * A binary mask file of a mask pair (PNG, TIFF or GIF; 0/255 or 0/1; gray, RGB(A) or palette; or a JPEG).
 * Foreground: where the alpha channel is nonzero, when the file has alpha and at least one fully
 * transparent pixel (a cut-out); otherwise where any colour channel (or palette index) is nonzero.
 * An opaque alpha channel carries no mask, so it is then ignored. A JPEG mask (Kvasir-SEG ships them) is
 * foreground where a channel is 128 or more, as its loaders threshold it: compression leaves small
 * non-zero values all over its black background.
 *
 * <p>With {@code values} ({@code --select class:1}), foreground is where a single-channel mask (gray, or a
 * palette's index) holds one of them: a mask of several values, such as Oxford-IIIT Pet's trimaps (1 pet, 2
 * background, 3 border), whose "nonzero" would be the whole image.
 *
 * @param values the mask values that are foreground; empty for the rule above
 */
public record BinaryMaskFile(String annotationPath, Set<Integer> values) implements MaskSource {
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());
  private static final long LOW7 = 0x7f7f7f7f7f7f7f7fL;
  private static final long ONES = 0x0101010101010101L;

  public BinaryMaskFile {
    values = Set.copyOf(values);
  }

  /** A mask file whose foreground is its nonzero (or opaque) pixels. */
  public BinaryMaskFile(String annotationPath) {
    this(annotationPath, Set.of());
  }

  @Override
  public BinaryMask build(int imageWidth, int imageHeight, AnnotationStore annotations) throws InputException {
    AnnotationRasters.Mask file = AnnotationRasters.readMask(annotations, annotationPath, imageWidth, imageHeight);
    BufferedImage img = file.image();
    Raster r = img.getRaster();
    ColorModel cm = img.getColorModel();
    BinaryMask mask = new BinaryMask(imageWidth, imageHeight);
    boolean colours = !values.isEmpty() && values.stream().allMatch(Selection::isColour);
    if (colours) {
      boolean rgb = cm.getColorSpace().getType() == java.awt.color.ColorSpace.TYPE_RGB && r.getNumBands() >= 3
          && r.getSampleModel().getSampleSize(0) == 8;
      if (file.lossy() || !(cm instanceof IndexColorModel || rgb)) {
        throw new InputException(ErrorCode.ANNOTATION_INVALID, "mask " + annotationPath + " is "
            + (file.lossy() ? "a JPEG, whose colours compression has moved" : "not an 8-bit RGB or palette image")
            + ": --select class:#RRGGBB picks the colours of a colour-coded PNG or TIFF mask; give the values of a"
            + " single-channel mask (class:1), or select all (the default)");
      }
      fromColours(r, cm, mask);
    } else if (!values.isEmpty()) {
      if (r.getNumBands() != 1 || file.lossy()) {
        throw new InputException(ErrorCode.ANNOTATION_INVALID, "mask " + annotationPath + " is "
            + (file.lossy() ? "a JPEG, whose values compression has moved" : "of " + r.getNumBands() + " channels")
            + ": --select class:VALUE picks the values of a single-channel PNG or TIFF mask (gray or palette);"
            + (file.lossy() ? "" : " a colour-coded mask's classes are its colours, class:#0000ff;")
            + " select all (the default) for this mask");
      }
      fromValues(r, mask);
    } else if (cm instanceof IndexColorModel icm) {
      fromPalette(r, icm, mask);
    } else if (cm.hasAlpha() && hasTransparentPixel(r, r.getNumBands() - 1)) {
      fromBands(r, r.getNumBands() - 1, r.getNumBands(), file.lossy(), mask);
    } else {
      fromBands(r, 0, cm.hasAlpha() ? r.getNumBands() - 1 : r.getNumBands(), file.lossy(), mask);
    }
    return mask;
  }

  private static boolean hasTransparentPixel(Raster r, int band) {
    int[] row = new int[r.getWidth()];
    for (int y = 0; y < r.getHeight(); y++) {
      r.getSamples(0, y, row.length, 1, band, row);
      for (int v : row) {
        if (v == 0) {
          return true;
        }
      }
    }
    return false;
  }

  /** Foreground where any band in [from, to) is nonzero, or when {@code halfUp} (a JPEG's 8 bits) 128 or more. */
  private static void fromBands(Raster r, int from, int to, boolean halfUp, BinaryMask mask) {
    int w = mask.width();
    byte[] px = mask.pixels();
    if (r.getDataBuffer() instanceof DataBufferByte db && r.getSampleModel() instanceof ComponentSampleModel sm
        && db.getNumBanks() == 1 && r.getSampleModelTranslateX() == 0 && r.getSampleModelTranslateY() == 0) {
      // 8-bit masks (the usual 0/255 gray PNG): read the bytes in place instead of copying every row
      // through getSamples into ints; the same test per sample, so the same mask.
      byte[] data = db.getData();
      int stride = sm.getScanlineStride();
      int step = sm.getPixelStride();
      for (int b = from; b < to; b++) {
        int offset = db.getOffset() + sm.getBandOffsets()[b];
        for (int y = 0; y < mask.height(); y++) {
          int src = offset + y * stride;
          int base = y * w;
          int x = 0;
          if (step == 1) {
            // One band of bytes (a gray mask): eight samples at a time, each byte's "is nonzero" (or its top
            // bit, 128 or more) as its low bit.
            for (; x + 8 <= w; x += 8) {
              long v = (long) LONGS.get(data, src + x);
              long on = (halfUp ? v : ((v & LOW7) + LOW7) | v) >>> 7 & ONES;
              LONGS.set(px, base + x, (long) LONGS.get(px, base + x) | on);
            }
          }
          for (src += x * step; x < w; x++, src += step) {
            px[base + x] |= (byte) ((halfUp ? (data[src] & 0xff) >= 128 : data[src] != 0) ? 1 : 0);
          }
        }
      }
      return;
    }
    int[] row = new int[w];
    for (int b = from; b < to; b++) {
      for (int y = 0; y < mask.height(); y++) {
        r.getSamples(0, y, w, 1, b, row);
        int base = y * w;
        for (int x = 0; x < w; x++) {
          px[base + x] |= (byte) ((halfUp ? row[x] >= 128 : row[x] != 0) ? 1 : 0);
        }
      }
    }
  }

  /** Foreground where the one band holds one of {@link #values}: a lookup table, not a boxed set probe a pixel. */
  private void fromValues(Raster r, BinaryMask mask) {
    byte[] selected = new byte[values.stream().mapToInt(Integer::intValue).max().orElse(0) + 1];
    values.forEach(v -> selected[v] = 1);
    int w = mask.width();
    byte[] px = mask.pixels();
    int[] row = new int[w];
    for (int y = 0; y < mask.height(); y++) {
      r.getSamples(0, y, w, 1, 0, row);
      for (int x = 0; x < w; x++) {
        int v = row[x];
        px[y * w + x] = v >= 0 && v < selected.length ? selected[v] : 0;
      }
    }
  }

  /** Foreground where the pixel's colour (a palette entry's, or bands 1-3) is one of the selected colours. */
  private void fromColours(Raster r, ColorModel cm, BinaryMask mask) {
    Set<Integer> rgbs = new java.util.HashSet<>();
    values.forEach(v -> rgbs.add(v & 0xFFFFFF));
    int w = mask.width();
    byte[] px = mask.pixels();
    if (cm instanceof IndexColorModel icm) {
      byte[] fg = new byte[256];
      for (int i = 0; i < icm.getMapSize(); i++) {
        fg[i] = (byte) (rgbs.contains(icm.getRGB(i) & 0xFFFFFF) ? 1 : 0);
      }
      int[] row = new int[w];
      for (int y = 0; y < mask.height(); y++) {
        r.getSamples(0, y, w, 1, 0, row);
        for (int x = 0; x < w; x++) {
          px[y * w + x] = row[x] >= 0 && row[x] < fg.length ? fg[row[x]] : 0;
        }
      }
      return;
    }
    int bands = r.getNumBands();
    int[] row = new int[w * bands];
    for (int y = 0; y < mask.height(); y++) {
      r.getPixels(0, y, w, 1, row);
      for (int x = 0, i = 0; x < w; x++, i += bands) {
        px[y * w + x] = (byte) (rgbs.contains(row[i] << 16 | row[i + 1] << 8 | row[i + 2]) ? 1 : 0);
      }
    }
  }

  private static void fromPalette(Raster r, IndexColorModel icm, BinaryMask mask) {
    int n = icm.getMapSize();
    boolean useAlpha = false;
    for (int i = 0; i < n && icm.hasAlpha(); i++) {
      useAlpha |= icm.getAlpha(i) == 0;
    }
    byte[] fg = new byte[Math.max(n, 256)];
    for (int i = 0; i < fg.length; i++) {
      fg[i] = (byte) (useAlpha ? (i < n && icm.getAlpha(i) != 0 ? 1 : 0) : (i != 0 ? 1 : 0));
    }
    int w = mask.width();
    byte[] px = mask.pixels();
    int[] row = new int[w];
    for (int y = 0; y < mask.height(); y++) {
      r.getSamples(0, y, w, 1, 0, row);
      int base = y * w;
      for (int x = 0; x < w; x++) {
        int v = row[x];
        px[base + x] = v < fg.length ? fg[v] : 1;
      }
    }
  }

  @Override
  public String annotationPath() {
    return annotationPath;
  }
}
