package dev.unseg.pipeline.image;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferUShort;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;

/**
 * Moves samples between rasters and the interleaved RGB view. The common layouts (any
 * component-interleaved or banded 8/16-bit raster) are indexed straight in their arrays; anything
 * else goes through row-wise getSamples/setSamples. Never per-pixel getRGB.
 */
final class Rasters {
  private Rasters() {}

  /**
   * Fills {@code out} (HWC RGB) from the three given bands (the same band three times for gray),
   * keeping the top 8 of each sample's {@code bits} low bits (its higher bits must be 0).
   */
  static void readView(Raster r, int[] bands, int bits, byte[] out) {
    int w = r.getWidth();
    int h = r.getHeight();
    int shift = bits - 8;
    Direct d = Direct.of(r);
    if (d != null && d.bytes() != null) {
      // The usual case (8-bit PNG, TIFF, gray JPEG): three plain array reads per pixel.
      byte[] s0 = d.bytes()[bands[0]];
      byte[] s1 = d.bytes()[bands[1]];
      byte[] s2 = d.bytes()[bands[2]];
      int stride = d.pixelStride();
      for (int y = 0; y < h; y++) {
        int i0 = d.base()[bands[0]] + y * d.scanline();
        int i1 = d.base()[bands[1]] + y * d.scanline();
        int i2 = d.base()[bands[2]] + y * d.scanline();
        for (int x = 0, o = y * w * 3; x < w; x++, o += 3, i0 += stride, i1 += stride, i2 += stride) {
          out[o] = s0[i0];
          out[o + 1] = s1[i1];
          out[o + 2] = s2[i2];
        }
      }
      return;
    }
    if (d != null) {
      for (int y = 0; y < h; y++) {
        int o = y * w * 3;
        for (int x = 0; x < w; x++) {
          for (int c = 0; c < 3; c++) {
            out[o++] = (byte) (d.get(bands[c], x, y) >>> shift);
          }
        }
      }
      return;
    }
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      for (int c = 0; c < 3; c++) {
        r.getSamples(r.getMinX(), r.getMinY() + y, w, 1, bands[c], row);
        for (int x = 0, o = y * w * 3 + c; x < w; x++, o += 3) {
          out[o] = (byte) (row[x] >>> shift);
        }
      }
    }
  }

  /**
   * Writes protected values into the colour bands of {@code r} (bands 0..2, or band 0 for gray as
   * the rounded mean of the 3 channels, which stays within the per-channel bound). Samples of more than
   * 8 {@code bits} get the protected value as their top 8 of those bits and keep the bits below, so the
   * view of the output is exactly {@code protectedRgb} and the sample's change is 2^(bits - 8) times the
   * view's (256 times for 16 bits).
   */
  static void writeBack(WritableRaster r, int colourBands, int bits, byte[] protectedRgb) {
    int w = r.getWidth();
    int h = r.getHeight();
    int shift = bits - 8;
    int kept = (1 << shift) - 1;
    Direct d = Direct.of(r);
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      for (int c = 0; c < colourBands; c++) {
        if (d == null) {
          r.getSamples(r.getMinX(), r.getMinY() + y, w, 1, c, row);
        }
        for (int x = 0, o = y * w * 3; x < w; x++, o += 3) {
          int p = colourBands == 1 ? gray(protectedRgb, o) : protectedRgb[o + c] & 0xFF;
          if (d != null) {
            d.set(c, x, y, (p << shift) | (d.get(c, x, y) & kept));
          } else {
            row[x] = (p << shift) | (row[x] & kept);
          }
        }
        if (d == null) {
          r.setSamples(r.getMinX(), r.getMinY() + y, w, 1, c, row);
        }
      }
    }
  }

  /** The largest sample of the first {@code bands} bands. */
  static int largestSample(Raster r, int bands) {
    int w = r.getWidth();
    int[] row = new int[w];
    int largest = 0;
    for (int y = 0; y < r.getHeight(); y++) {
      for (int b = 0; b < bands; b++) {
        r.getSamples(r.getMinX(), r.getMinY() + y, w, 1, b, row);
        for (int v : row) {
          largest = Math.max(largest, v);
        }
      }
    }
    return largest;
  }

  /** Rounded mean of one pixel's three channels. */
  static int gray(byte[] rgb, int o) {
    return ((rgb[o] & 0xFF) + (rgb[o + 1] & 0xFF) + (rgb[o + 2] & 0xFF) + 1) / 3;
  }

  /** A writable copy of {@code r} with the same sample model; arrays are cloned when possible. */
  static WritableRaster copy(Raster r) {
    DataBuffer db = r.getDataBuffer();
    boolean whole = r.getMinX() == 0 && r.getMinY() == 0
        && r.getSampleModelTranslateX() == 0 && r.getSampleModelTranslateY() == 0;
    if (whole && db instanceof DataBufferByte b) {
      byte[][] banks = b.getBankData();
      byte[][] copy = new byte[banks.length][];
      for (int i = 0; i < banks.length; i++) {
        copy[i] = banks[i].clone();
      }
      return Raster.createWritableRaster(r.getSampleModel(), new DataBufferByte(copy, b.getSize(), b.getOffsets()), null);
    }
    if (whole && db instanceof DataBufferUShort s) {
      short[][] banks = s.getBankData();
      short[][] copy = new short[banks.length][];
      for (int i = 0; i < banks.length; i++) {
        copy[i] = banks[i].clone();
      }
      return Raster.createWritableRaster(r.getSampleModel(), new DataBufferUShort(copy, s.getSize(), s.getOffsets()), null);
    }
    WritableRaster out = r.createCompatibleWritableRaster();
    out.setRect(r);
    return out;
  }

  /** An sRGB image over {@code rgb} itself (no copy), 3 bands, or 4 with alpha in {@code rgba}. */
  static BufferedImage rgbImage(byte[] data, int w, int h, boolean alpha) {
    int n = alpha ? 4 : 3;
    int[] offsets = alpha ? new int[] {0, 1, 2, 3} : new int[] {0, 1, 2};
    WritableRaster raster = Raster.createInterleavedRaster(
        new DataBufferByte(data, data.length), w, h, w * n, n, offsets, null);
    ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), alpha, false,
        alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
    return new BufferedImage(cm, raster, false, null);
  }

  /** A one-band 8-bit gray image of the rounded channel means. */
  static BufferedImage grayImage(byte[] rgb, int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    byte[] g = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
    for (int i = 0, o = 0; i < g.length; i++, o += 3) {
      g[i] = (byte) gray(rgb, o);
    }
    return img;
  }

  /** Array access for component rasters of bytes or unsigned shorts at origin (0,0). */
  private record Direct(byte[][] bytes, short[][] shorts, int[] base, int pixelStride, int scanline) {
    static Direct of(Raster r) {
      if (!(r.getSampleModel() instanceof ComponentSampleModel sm)
          || r.getMinX() != 0 || r.getMinY() != 0
          || r.getSampleModelTranslateX() != 0 || r.getSampleModelTranslateY() != 0) {
        return null;
      }
      DataBuffer db = r.getDataBuffer();
      int n = sm.getNumBands();
      int[] banks = sm.getBankIndices();
      int[] offsets = sm.getBandOffsets();
      int[] base = new int[n];
      for (int b = 0; b < n; b++) {
        base[b] = db.getOffsets()[banks[b]] + offsets[b];
      }
      if (db instanceof DataBufferByte bb) {
        byte[][] arrays = new byte[n][];
        for (int b = 0; b < n; b++) {
          arrays[b] = bb.getData(banks[b]);
        }
        return new Direct(arrays, null, base, sm.getPixelStride(), sm.getScanlineStride());
      }
      if (db instanceof DataBufferUShort us) {
        short[][] arrays = new short[n][];
        for (int b = 0; b < n; b++) {
          arrays[b] = us.getData(banks[b]);
        }
        return new Direct(null, arrays, base, sm.getPixelStride(), sm.getScanlineStride());
      }
      return null;
    }

    int get(int band, int x, int y) {
      int i = base[band] + y * scanline + x * pixelStride;
      return bytes != null ? bytes[band][i] & 0xFF : shorts[band][i] & 0xFFFF;
    }

    void set(int band, int x, int y, int v) {
      int i = base[band] + y * scanline + x * pixelStride;
      if (bytes != null) {
        bytes[band][i] = (byte) v;
      } else {
        shorts[band][i] = (short) v;
      }
    }
  }
}
