package dev.unseg.pipeline.image;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
    if (tiff.length < 8) {
      return tiff;
    }
    ByteBuffer in = ByteBuffer.wrap(tiff).order(tiff[0] == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
    if (in.getShort(2) != 42) {
      return tiff; // BigTIFF (43) or not a TIFF
    }
    int ifd = in.getInt(4);
    int count = Short.toUnsignedInt(in.getShort(ifd));
    int samples = -1;
    int photometric = -1;
    int extraEntry = -1;
    for (int e = 0, pos = ifd + 2; e < count; e++, pos += 12) {
      int tag = Short.toUnsignedInt(in.getShort(pos));
      if (tag == SAMPLES_PER_PIXEL) {
        samples = Short.toUnsignedInt(in.getShort(pos + 8));
      } else if (tag == PHOTOMETRIC) {
        photometric = Short.toUnsignedInt(in.getShort(pos + 8));
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
    if (extraEntry < 0 || colour < 0 || in.getShort(extraEntry + 2) != SHORT || in.getInt(extraEntry + 4) != 1
        || samples - colour < 2) {
      return tiff;
    }
    int extra = samples - colour;
    short first = in.getShort(extraEntry + 8);
    // Two values still fit in the entry, where TIFF then wants them; more go after the file's end, word-aligned.
    int at = tiff.length + (tiff.length & 1);
    ByteBuffer out = ByteBuffer.wrap(Arrays.copyOf(tiff, extra == 2 ? tiff.length : at + 2 * extra)).order(in.order());
    out.putInt(extraEntry + 4, extra);
    if (extra == 2) {
      out.putShort(extraEntry + 10, (short) 0);
    } else {
      out.putShort(at, first);
      out.putInt(extraEntry + 8, at);
    }
    return out.array();
  }
}
