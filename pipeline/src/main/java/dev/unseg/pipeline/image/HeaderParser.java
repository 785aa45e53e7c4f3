package dev.unseg.pipeline.image;

import dev.unseg.pipeline.error.ErrorCode;
import dev.unseg.pipeline.error.InputException;

/**
 * Reads width, height and sample layout straight from the PNG IHDR, the JPEG SOF segment or the
 * TIFF first IFD. Hand-parsed on purpose: ImageIO readers may allocate or read more than the
 * header, and a header declaring 60000x60000 must be rejected before anything is allocated.
 */
final class HeaderParser {
  private HeaderParser() {}

  static ImageHeader parse(byte[] data, String name) throws InputException {
    if (data == null || data.length == 0) {
      throw unreadable(name, "the file is empty (0 bytes)");
    }
    ImageFormat format = ImageFormat.fromMagic(data)
        .orElseThrow(() -> unreadable(name, "the bytes are not a JPEG, PNG or TIFF file"));
    ImageHeader header;
    try {
      header = switch (format) {
        case PNG -> png(data, name);
        case JPEG -> jpeg(data, name);
        case TIFF -> TiffHeaderParser.parse(data, name);
      };
    } catch (ArrayIndexOutOfBoundsException e) {
      // Every read is bounds-checked by the array itself: running off the end means a cut header.
      throw unreadable(name, "the " + format + " header is truncated");
    }
    if (header.width() <= 0 || header.height() <= 0) {
      throw unreadable(name, "the header declares an empty size " + header.width() + "x" + header.height());
    }
    return header;
  }

  private static ImageHeader png(byte[] d, String name) throws InputException {
    if (d.length < 33 || d[12] != 'I' || d[13] != 'H' || d[14] != 'D' || d[15] != 'R') {
      throw unreadable(name, "the PNG has no IHDR chunk");
    }
    int width = be32(d, 16);
    int height = be32(d, 20);
    int depth = d[24] & 0xFF;
    int colorType = d[25] & 0xFF;
    return switch (colorType) {
      case 0 -> new ImageHeader(ImageFormat.PNG, width, height, 1, depth, "GRAY");
      case 2 -> new ImageHeader(ImageFormat.PNG, width, height, 3, depth, "RGB");
      case 3 -> new ImageHeader(ImageFormat.PNG, width, height, 1, depth, "PALETTE");
      case 4 -> new ImageHeader(ImageFormat.PNG, width, height, 2, depth, "GRAY_ALPHA");
      case 6 -> new ImageHeader(ImageFormat.PNG, width, height, 4, depth, "RGBA");
      default -> throw unreadable(name, "the PNG declares the invalid color type " + colorType);
    };
  }

  private static ImageHeader jpeg(byte[] d, String name) throws InputException {
    int i = 2;
    while (i + 1 < d.length) {
      if ((d[i] & 0xFF) != 0xFF) {
        throw unreadable(name, "the JPEG has a corrupt marker at byte " + i);
      }
      int marker = d[i + 1] & 0xFF;
      if (marker == 0xFF) { // fill byte
        i++;
        continue;
      }
      if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) { // no length field
        i += 2;
        continue;
      }
      int length = be16(d, i + 2);
      boolean sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
      if (sof) {
        int bits = d[i + 4] & 0xFF;
        int height = be16(d, i + 5);
        int width = be16(d, i + 7);
        int components = d[i + 9] & 0xFF;
        if (height == 0) {
          throw new InputException(ErrorCode.IMAGE_UNSUPPORTED,
              "image " + name + ": the JPEG declares its height later (DNL marker), which is not supported; re-save it");
        }
        String colorType = switch (components) {
          case 1 -> "GRAY";
          case 3 -> "YCbCr";
          case 4 -> "CMYK";
          default -> "OTHER(" + components + ")";
        };
        return new ImageHeader(ImageFormat.JPEG, width, height, components, bits, colorType);
      }
      if (marker == 0xDA || marker == 0xD9 || length < 2) {
        break; // scan data or end before any frame header
      }
      i += 2 + length;
    }
    throw unreadable(name, "the JPEG has no frame header (SOF)");
  }

  static int be16(byte[] d, int i) {
    return ((d[i] & 0xFF) << 8) | (d[i + 1] & 0xFF);
  }

  static int be32(byte[] d, int i) {
    return ((d[i] & 0xFF) << 24) | ((d[i + 1] & 0xFF) << 16) | ((d[i + 2] & 0xFF) << 8) | (d[i + 3] & 0xFF);
  }

  static InputException unreadable(String name, String why) {
    return new InputException(ErrorCode.IMAGE_UNREADABLE, "image " + name + " cannot be decoded: " + why);
  }
}
