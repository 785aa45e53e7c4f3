package dev.unseg.pipeline.image;

import java.util.Arrays;

/**
 * Completes the ExtraSamples tag (338) of a TIFF that TwelveMonkeys' writer wrote. The writer gives it one
 * value however many extra samples a pixel has, where TIFF 6.0 asks for one per extra sample: a 6-band
 * Landsat tile (MinIsBlack, 6 samples: 1 colour + 5 extra) got one value, and GDAL warned on every read of
 * the released tile ("Sum of Photometric type-related color channels and ExtraSamples doesn't match
 * SamplesPerPixel"). The writer's value stays first (alpha, when the image has it), the others are 0
 * (unspecified), as TIFF 6.0 recommends for data that is not alpha. Classic TIFF only; anything else, or a
 * file whose tag is already right, is returned unchanged.
 */
final class TiffExtraSamples {
  private static final int SAMPLES_PER_PIXEL = 277;
  private static final int PHOTOMETRIC = 262;
  private static final int EXTRA_SAMPLES = 338;
  private static final int SHORT = 3;

  private TiffExtraSamples() {}

  static byte[] complete(byte[] tiff) {
    if (tiff.length < 8 || u16(tiff, 2, tiff[0] == 'I') != 42) {
      return tiff; // BigTIFF (43) or not a TIFF
    }
    boolean little = tiff[0] == 'I';
    int ifd = (int) u32(tiff, 4, little);
    int count = u16(tiff, ifd, little);
    int samples = -1;
    int photometric = -1;
    int extraEntry = -1;
    for (int e = 0, pos = ifd + 2; e < count; e++, pos += 12) {
      int tag = u16(tiff, pos, little);
      if (tag == SAMPLES_PER_PIXEL) {
        samples = u16(tiff, pos + 8, little);
      } else if (tag == PHOTOMETRIC) {
        photometric = u16(tiff, pos + 8, little);
      } else if (tag == EXTRA_SAMPLES) {
        extraEntry = pos;
      }
    }
    int colour = switch (photometric) {
      case 0, 1, 3, 4 -> 1; // MinIsWhite, MinIsBlack, palette, mask
      case 2, 6, 8 -> 3;    // RGB, YCbCr, CIELab
      case 5 -> 4;          // separated (CMYK)
      default -> -1;
    };
    if (extraEntry < 0 || colour < 0 || u16(tiff, extraEntry + 2, little) != SHORT) {
      return tiff;
    }
    int extra = samples - colour;
    long written = u32(tiff, extraEntry + 4, little);
    if (extra <= (int) written || written != 1) {
      return tiff;
    }
    int first = u16(tiff, extraEntry + 8, little);
    if (extra == 2) { // two values still fit in the entry, where TIFF then wants them
      byte[] out = tiff.clone();
      put32(out, extraEntry + 4, extra, little);
      put16(out, extraEntry + 10, 0, little);
      return out;
    }
    // More values (2 bytes each) do not fit in the entry: they go after the file's end, word-aligned.
    int at = tiff.length + (tiff.length & 1);
    byte[] out = Arrays.copyOf(tiff, at + 2 * extra);
    put16(out, at, first, little);
    put32(out, extraEntry + 4, extra, little);
    put32(out, extraEntry + 8, at, little);
    return out;
  }

  private static int u16(byte[] d, int p, boolean little) {
    int a = d[p] & 0xff;
    int b = d[p + 1] & 0xff;
    return little ? a | b << 8 : a << 8 | b;
  }

  private static long u32(byte[] d, int p, boolean little) {
    long lo = u16(d, little ? p : p + 2, little);
    long hi = u16(d, little ? p + 2 : p, little);
    return hi << 16 | lo;
  }

  private static void put16(byte[] d, int p, int v, boolean little) {
    d[p + (little ? 0 : 1)] = (byte) v;
    d[p + (little ? 1 : 0)] = (byte) (v >> 8);
  }

  private static void put32(byte[] d, int p, long v, boolean little) {
    put16(d, little ? p : p + 2, (int) (v & 0xffff), little);
    put16(d, little ? p + 2 : p, (int) (v >>> 16), little);
  }
}
