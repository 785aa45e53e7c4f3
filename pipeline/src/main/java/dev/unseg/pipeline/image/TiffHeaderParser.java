package dev.unseg.pipeline.image;

import dev.unseg.pipeline.error.InputException;

/**
 * Reads the first IFD of a classic or BigTIFF file: only the few tags a header needs; and finds the page of
 * the image's internal mask, walking the IFD chain.
 */
final class TiffHeaderParser {
  private static final int IMAGE_WIDTH = 256;
  private static final int IMAGE_LENGTH = 257;
  private static final int BITS_PER_SAMPLE = 258;
  private static final int PHOTOMETRIC = 262;
  private static final int SAMPLES_PER_PIXEL = 277;
  private static final int NEW_SUBFILE_TYPE = 254;
  private static final int PHOTOMETRIC_MASK = 4;
  private static final int SUBFILE_REDUCED = 1;
  private static final int SUBFILE_MASK = 4;
  /** IFDs walked at most: a COG of 20 overview levels with their masks has about 40. */
  private static final int MAX_PAGES = 256;

  private final byte[] d;
  private final boolean little;
  private final boolean big;

  private TiffHeaderParser(byte[] d) {
    this.d = d;
    this.little = d[0] == 'I';
    this.big = u16(2) == 43;
  }

  static ImageHeader parse(byte[] data, String name) throws InputException {
    return new TiffHeaderParser(data).read(name);
  }

  /**
   * The page (IFD index) of a TIFF's internal mask of its first image, as GDAL writes it (GDAL_TIFF_INTERNAL_MASK,
   * {@code gdal_translate -mask}): an IFD of subfile type mask, not a reduced-resolution one (an overview's mask),
   * Photometric 4, the first image's size. -1 when there is none, or the chain cannot be walked.
   */
  static int maskPage(byte[] data) {
    if (data.length < 16) {
      return -1;
    }
    TiffHeaderParser parser = new TiffHeaderParser(data);
    try {
      long first = parser.big ? parser.u64(8) : parser.u32(4);
      long[] size = null;
      long ifd = first;
      for (int page = 0; page < MAX_PAGES && ifd >= 8 && ifd < data.length; page++) {
        long[] tags = parser.tags((int) ifd, NEW_SUBFILE_TYPE, IMAGE_WIDTH, IMAGE_LENGTH, PHOTOMETRIC);
        if (page == 0) {
          size = new long[] {tags[1], tags[2]};
        } else if ((tags[0] & SUBFILE_MASK) != 0 && (tags[0] & SUBFILE_REDUCED) == 0 && tags[3] == PHOTOMETRIC_MASK
            && tags[1] == size[0] && tags[2] == size[1]) {
          return page;
        }
        ifd = parser.nextIfd((int) ifd);
      }
    } catch (IndexOutOfBoundsException | ArithmeticException e) {
      // A chain that leaves the file: no mask that can be read.
    }
    return -1;
  }

  /** The first values of {@code wanted} tags in the IFD at {@code pos}, 0 where absent. */
  private long[] tags(int pos, int... wanted) {
    long count = big ? u64(pos) : u16(pos);
    int entrySize = big ? 20 : 12;
    long[] values = new long[wanted.length];
    int entry = pos + (big ? 8 : 2);
    for (long e = 0; e < count; e++, entry += entrySize) {
      int tag = u16(entry);
      for (int w = 0; w < wanted.length; w++) {
        if (wanted[w] == tag) {
          values[w] = firstValue(entry);
        }
      }
    }
    return values;
  }

  /** The offset of the IFD after the one at {@code pos}; 0 at the chain's end. */
  private long nextIfd(int pos) {
    long count = big ? u64(pos) : u16(pos);
    int end = Math.toIntExact(pos + (big ? 8 : 2) + count * (big ? 20 : 12));
    return big ? u64(end) : u32(end);
  }

  private ImageHeader read(String name) throws InputException {
    long ifd = big ? u64(8) : u32(4);
    if (ifd < 8 || ifd >= d.length) {
      throw HeaderParser.unreadable(name, "the TIFF's first IFD offset " + ifd + " lies outside the file");
    }
    int pos = (int) ifd;
    long count = big ? u64(pos) : u16(pos);
    pos += big ? 8 : 2;
    int entrySize = big ? 20 : 12;
    long width = -1;
    long height = -1;
    long bits = 1;
    long samples = 1;
    long photometric = -1;
    for (long e = 0; e < count; e++, pos += entrySize) {
      int tag = u16(pos);
      switch (tag) {
        case IMAGE_WIDTH -> width = firstValue(pos);
        case IMAGE_LENGTH -> height = firstValue(pos);
        case BITS_PER_SAMPLE -> bits = firstValue(pos);
        case SAMPLES_PER_PIXEL -> samples = firstValue(pos);
        case PHOTOMETRIC -> photometric = firstValue(pos);
        default -> { }
      }
    }
    if (width < 0 || height < 0) {
      throw HeaderParser.unreadable(name, "the TIFF has no ImageWidth/ImageLength tag");
    }
    // Clamp to int range so a 2^32-1 declaration still reaches the pixel limit check.
    return new ImageHeader(ImageFormat.TIFF, (int) Math.min(width, Integer.MAX_VALUE),
        (int) Math.min(height, Integer.MAX_VALUE), (int) samples, (int) bits, colorType(photometric, samples));
  }

  private static String colorType(long photometric, long samples) {
    return switch ((int) photometric) {
      case 0, 1 -> samples >= 2 ? "GRAY_ALPHA" : "GRAY";
      case 2 -> samples >= 4 ? "RGBA" : "RGB";
      case 3 -> "PALETTE";
      case 5 -> "CMYK";
      case 6 -> "YCbCr";
      default -> "OTHER(" + photometric + ")";
    };
  }

  /** The first value of an entry, inline or at its offset; SHORT, LONG or LONG8 types. */
  private long firstValue(int entry) {
    int type = u16(entry + 2);
    long count = big ? u64(entry + 4) : u32(entry + 4);
    int valueField = entry + (big ? 12 : 8);
    int size = switch (type) {
      case 3 -> 2;
      case 4 -> 4;
      case 16 -> 8;
      default -> 1;
    };
    int inline = big ? 8 : 4;
    int at = size * count <= inline ? valueField : (int) (big ? u64(valueField) : u32(valueField));
    return switch (size) {
      case 2 -> u16(at);
      case 4 -> u32(at);
      case 8 -> u64(at);
      default -> d[at] & 0xFF;
    };
  }

  private int u16(int i) {
    return little ? (d[i] & 0xFF) | (d[i + 1] & 0xFF) << 8 : HeaderParser.be16(d, i);
  }

  private long u32(int i) {
    return little ? (u16(i) | (long) u16(i + 2) << 16) : HeaderParser.be32(d, i) & 0xFFFFFFFFL;
  }

  private long u64(int i) {
    long v = little ? (u32(i) | u32(i + 4) << 32) : (u32(i) << 32 | u32(i + 4));
    return v < 0 ? Long.MAX_VALUE : v;
  }
}
