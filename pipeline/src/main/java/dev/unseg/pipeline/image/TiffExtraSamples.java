package dev.unseg.pipeline.image;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import javax.imageio.metadata.IIOMetadata;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Gives a written TIFF the ExtraSamples tag (338) its input had: what the samples after the colour ones are.
 * Neither writer keeps it. TwelveMonkeys' writes one value however many extra samples a pixel has (a 6-band
 * Landsat tile, MinIsBlack with 5 extra, got one, and GDAL warned on every read: "Sum of Photometric
 * type-related color channels and ExtraSamples doesn't match SamplesPerPixel"), and calls a near-infrared
 * band alpha (an RGB + N tile's 0, unspecified, became 2); the JDK's drops the tag. The input's values are
 * taken when there is one per extra sample; otherwise the writer's first value stays first (alpha, when the
 * image has it) and the others are 0 (unspecified), as TIFF 6.0 recommends for data that is not alpha.
 * IFD 0 is then written again at the file's end with the tag; the values it points to stay where they are.
 * Classic TIFF only; anything else, or a file whose tag is already right, is returned unchanged.
 */
final class TiffExtraSamples {
  private static final int SAMPLES_PER_PIXEL = 277;
  private static final int PHOTOMETRIC = 262;
  private static final int EXTRA_SAMPLES = 338;
  private static final int SHORT = 3;

  private TiffExtraSamples() {}

  /** The ExtraSamples values of a TIFF input's metadata, or null. */
  static int[] of(IIOMetadata metadata) {
    Element tree = TiffMetadata.ifdTree(metadata);
    if (tree == null) {
      return null;
    }
    Element field = TiffMetadata.field(tree, EXTRA_SAMPLES);
    if (field == null) {
      return null;
    }
    NodeList values = field.getElementsByTagName("TIFFShort");
    int[] extra = new int[values.getLength()];
    for (int v = 0; v < extra.length; v++) {
      extra[v] = Integer.parseInt(((Element) values.item(v)).getAttribute("value"));
    }
    return extra;
  }

  /** {@code tiff} with the ExtraSamples its pixels need: {@code original}'s (may be null) where they fit. */
  static byte[] complete(byte[] tiff, int[] original) {
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
    int[] written = null;
    List<byte[]> entries = new ArrayList<>();
    for (int e = 0, pos = ifd + 2; e < count; e++, pos += 12) {
      int tag = Short.toUnsignedInt(in.getShort(pos));
      if (tag == SAMPLES_PER_PIXEL) {
        samples = Short.toUnsignedInt(in.getShort(pos + 8));
      } else if (tag == PHOTOMETRIC) {
        photometric = Short.toUnsignedInt(in.getShort(pos + 8));
      }
      if (tag == EXTRA_SAMPLES) {
        written = shorts(in, pos);
      } else {
        entries.add(Arrays.copyOfRange(tiff, pos, pos + 12));
      }
    }
    int colour = switch (photometric) {
      case 0, 1, 3, 4 -> 1; // MinIsWhite, MinIsBlack, palette, mask
      case 2, 6, 8 -> 3;    // RGB, YCbCr, CIELab
      case 5 -> 4;          // separated (CMYK)
      default -> -1;
    };
    int extra = samples - colour;
    if (colour < 0 || extra < 1 || written == null && original == null) {
      return tiff;
    }
    int[] wanted = new int[extra];
    if (original != null && original.length == extra) {
      wanted = original;
    } else if (written != null && written.length > 0) {
      wanted[0] = written[0];
    }
    if (Arrays.equals(wanted, written)) {
      return tiff;
    }
    // The new IFD (word-aligned, after the file), then the values when more than two do not fit its entry.
    int at = tiff.length + (tiff.length & 1);
    int size = 2 + 12 * (entries.size() + 1) + 4;
    int valuesAt = at + size;
    ByteBuffer out = ByteBuffer.wrap(Arrays.copyOf(tiff, valuesAt + (extra > 2 ? 2 * extra : 0))).order(in.order());
    ByteBuffer entry = ByteBuffer.allocate(12).order(in.order());
    entry.putShort((short) EXTRA_SAMPLES).putShort((short) SHORT).putInt(extra);
    if (extra > 2) {
      entry.putInt(valuesAt);
      for (int v = 0; v < extra; v++) {
        out.putShort(valuesAt + 2 * v, (short) wanted[v]);
      }
    } else {
      entry.putShort((short) wanted[0]).putShort((short) (extra == 2 ? wanted[1] : 0));
    }
    entries.add(entry.array());
    entries.sort(Comparator.comparingInt(e -> Short.toUnsignedInt(ByteBuffer.wrap(e).order(in.order()).getShort(0))));
    int nextIfd = in.getInt(ifd + 2 + 12 * count);
    out.putShort(at, (short) entries.size());
    for (int e = 0; e < entries.size(); e++) {
      out.put(at + 2 + 12 * e, entries.get(e));
    }
    out.putInt(at + 2 + 12 * entries.size(), nextIfd);
    out.putInt(4, at);
    return out.array();
  }

  /** The values of a SHORT entry, inline (up to two) or at its offset. */
  private static int[] shorts(ByteBuffer in, int pos) {
    if (in.getShort(pos + 2) != SHORT) {
      return new int[0];
    }
    int n = in.getInt(pos + 4);
    int base = n <= 2 ? pos + 8 : in.getInt(pos + 8);
    int[] values = new int[n];
    for (int v = 0; v < n; v++) {
      values[v] = Short.toUnsignedInt(in.getShort(base + 2 * v));
    }
    return values;
  }
}
