package dev.unseg.pipeline.image;

import java.awt.image.Raster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.Deflater;
import javax.imageio.ImageReader;

/**
 * A TIFF's internal mask, as GDAL writes it (GDAL_TIFF_INTERNAL_MASK: {@code gdal_translate -mask}, JPEG-compressed
 * orthophotos and their COGs): one bit a pixel in the IFD after the image's, 0 where the image holds no data (a
 * collar, the outside of a scene). Those pixels are left as they are, as nodata samples are, and the protected copy
 * gets the mask again: neither TIFF writer writes a second IFD, and without it GIS tools and loaders that read
 * GDAL's mask take the collar for valid pixels.
 */
final class TiffInternalMask {
  private static final int STRIP_BYTES = 1 << 16;

  private final int width;
  private final int height;
  /** Packed rows, the first pixel in the top bit, {@code (width + 7) / 8} bytes a row; 1 = data. */
  private final byte[] rows;

  private TiffInternalMask(int width, int height, byte[] rows) {
    this.width = width;
    this.height = height;
    this.rows = rows;
  }

  /** The mask at {@code page}, read by {@code reader} (the JDK's: TwelveMonkeys' refuses Photometric 4). */
  static TiffInternalMask read(ImageReader reader, int page) throws IOException {
    Raster raster = reader.read(page).getRaster();
    int w = raster.getWidth();
    int h = raster.getHeight();
    int stride = (w + 7) / 8;
    byte[] rows = new byte[Math.multiplyExact(stride, h)];
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, 0, row);
      for (int x = 0; x < w; x++) {
        if (row[x] != 0) {
          rows[y * stride + (x >> 3)] |= (byte) (0x80 >>> (x & 7));
        }
      }
    }
    return new TiffInternalMask(w, h, rows);
  }

  /** Whether the pixel at x, y holds data. */
  boolean holdsData(int x, int y) {
    return (rows[y * ((width + 7) / 8) + (x >> 3)] & (0x80 >>> (x & 7))) != 0;
  }

  /** Puts back in {@code protectedRgb} the {@code view} of every pixel that holds no data. */
  void keepMaskedPixels(byte[] view, byte[] protectedRgb) {
    int stride = (width + 7) / 8;
    for (int y = 0, o = 0; y < height; y++) {
      for (int x = 0; x < width; x++, o += 3) {
        if ((rows[y * stride + (x >> 3)] & (0x80 >>> (x & 7))) == 0) {
          protectedRgb[o] = view[o];
          protectedRgb[o + 1] = view[o + 1];
          protectedRgb[o + 2] = view[o + 2];
        }
      }
    }
  }

  /**
   * {@code tiff} (classic TIFF of one image, as the writers write it) with this mask as the IFD after its first, as
   * GDAL writes one: subfile type mask, 1 bit, Photometric 4, Deflate-compressed strips.
   */
  byte[] appendTo(byte[] tiff) {
    ByteOrder order = tiff[0] == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
    ByteBuffer in = ByteBuffer.wrap(tiff).order(order);
    if (in.getShort(2) != 42) {
      throw new IllegalStateException("the internal mask can be added to a classic TIFF only");
    }
    int stride = (width + 7) / 8;
    int rowsPerStrip = Math.max(1, Math.min(height, STRIP_BYTES / stride));
    int strips = (height + rowsPerStrip - 1) / rowsPerStrip;
    ByteArrayOutputStream tail = new ByteArrayOutputStream();
    int base = tiff.length + (tiff.length & 1);
    int[] offsets = new int[strips];
    int[] counts = new int[strips];
    Deflater deflater = new Deflater();
    byte[] buffer = new byte[STRIP_BYTES + 1024];
    try {
      for (int s = 0; s < strips; s++) {
        int from = s * rowsPerStrip * stride;
        int to = Math.min(rows.length, from + rowsPerStrip * stride);
        deflater.reset();
        deflater.setInput(rows, from, to - from);
        deflater.finish();
        offsets[s] = base + tail.size();
        while (!deflater.finished()) {
          int n = deflater.deflate(buffer);
          tail.write(buffer, 0, n);
        }
        counts[s] = base + tail.size() - offsets[s];
        if ((tail.size() & 1) != 0) {
          tail.write(0);
        }
      }
    } finally {
      deflater.end();
    }
    int offsetsAt = base + tail.size();
    int countsAt = offsetsAt + 4 * strips;
    int ifd = countsAt + 4 * strips;
    int[][] entries = { // tag, type (3 SHORT, 4 LONG), count, value
        {254, 4, 1, 4}, // NewSubfileType: transparency mask
        {256, 4, 1, width},
        {257, 4, 1, height},
        {258, 3, 1, 1}, // BitsPerSample
        {259, 3, 1, 8}, // Compression: Adobe Deflate
        {262, 3, 1, 4}, // Photometric: transparency mask
        {273, 4, strips, strips == 1 ? offsets[0] : offsetsAt},
        {277, 3, 1, 1}, // SamplesPerPixel
        {278, 4, 1, rowsPerStrip},
        {279, 4, strips, strips == 1 ? counts[0] : countsAt},
        {284, 3, 1, 1}, // PlanarConfiguration
    };
    int ifdSize = 2 + 12 * entries.length + 4;
    ByteBuffer out = ByteBuffer.wrap(Arrays.copyOf(tiff, ifd + ifdSize)).order(order);
    out.put(base, tail.toByteArray());
    for (int s = 0; s < strips; s++) {
      out.putInt(offsetsAt + 4 * s, offsets[s]);
      out.putInt(countsAt + 4 * s, counts[s]);
    }
    out.putShort(ifd, (short) entries.length);
    for (int e = 0; e < entries.length; e++) {
      int at = ifd + 2 + 12 * e;
      out.putShort(at, (short) entries[e][0]).putShort(at + 2, (short) entries[e][1]).putInt(at + 4, entries[e][2]);
      if (entries[e][1] == 3) {
        out.putShort(at + 8, (short) entries[e][3]);
      } else {
        out.putInt(at + 8, entries[e][3]);
      }
    }
    // The chain: the image's IFD, then the mask, then whatever followed the image (nothing, as written).
    int first = in.getInt(4);
    int next = first + 2 + 12 * Short.toUnsignedInt(in.getShort(first));
    out.putInt(ifd + 2 + 12 * entries.length, in.getInt(next));
    out.putInt(next, ifd);
    return out.array();
  }
}
