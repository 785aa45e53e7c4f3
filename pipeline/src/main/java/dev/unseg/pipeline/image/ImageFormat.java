package dev.unseg.pipeline.image;

import java.util.Locale;
import java.util.Optional;

/** The image file formats the pipeline reads and writes. */
public enum ImageFormat {
  JPEG("jpg"),
  PNG("png"),
  TIFF("tif");

  private final String extension;

  ImageFormat(String extension) {
    this.extension = extension;
  }

  /** The extension (without dot) a file converted to this format gets. */
  public String extension() {
    return extension;
  }

  /** The format a file name claims by its extension (jpg, jpeg, png, tif, tiff; any case). */
  public static Optional<ImageFormat> fromFileName(String name) {
    if (name == null) {
      return Optional.empty();
    }
    int dot = name.lastIndexOf('.');
    if (dot < 0 || dot < name.lastIndexOf('/')) {
      return Optional.empty();
    }
    return switch (name.substring(dot + 1).toLowerCase(Locale.ROOT)) {
      case "jpg", "jpeg" -> Optional.of(JPEG);
      case "png" -> Optional.of(PNG);
      case "tif", "tiff" -> Optional.of(TIFF);
      default -> Optional.empty();
    };
  }

  /**
   * The format the bytes really are, from their magic number. File names lie often enough (a PNG
   * saved as .jpg) that the content, not the extension, decides how an image is decoded.
   */
  public static Optional<ImageFormat> fromMagic(byte[] data) {
    if (data == null) {
      return Optional.empty();
    }
    if (data.length >= 3 && u8(data, 0) == 0xFF && u8(data, 1) == 0xD8 && u8(data, 2) == 0xFF) {
      return Optional.of(JPEG);
    }
    if (data.length >= 8 && u8(data, 0) == 0x89 && data[1] == 'P' && data[2] == 'N' && data[3] == 'G'
        && data[4] == 0x0D && data[5] == 0x0A && data[6] == 0x1A && data[7] == 0x0A) {
      return Optional.of(PNG);
    }
    if (data.length >= 4
        && ((data[0] == 'I' && data[1] == 'I' && (data[2] == 42 || data[2] == 43) && data[3] == 0)
            || (data[0] == 'M' && data[1] == 'M' && data[2] == 0 && (data[3] == 42 || data[3] == 43)))) {
      return Optional.of(TIFF);
    }
    return Optional.empty();
  }

  private static int u8(byte[] data, int i) {
    return data[i] & 0xFF;
  }
}
