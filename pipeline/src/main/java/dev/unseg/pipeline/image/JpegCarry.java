package dev.unseg.pipeline.image;

/**
 * What a JPEG input hands to its JPEG output besides pixels.
 *
 * @param sampling the chroma sampling, reused so re-encoding does not lose chroma resolution; may be null
 * @param exifOrientation the EXIF orientation (1 = none), so sideways photos still display upright
 * @param iccSegments the ICC profile's APP2 segments, kept when the pixels were decoded raw (in the
 *     profile's colour space, as libjpeg and Pillow read them), so colour-managed viewers show the
 *     same colours; null otherwise
 * @param quality the quality the input was written at ({@link JpegQuality}), for {@code --jpeg-quality same}; -1
 *     when it has no quantization table
 */
record JpegCarry(JpegSampling sampling, int exifOrientation, byte[] iccSegments, int quality) {

  /** The segments to insert after the encoder's JFIF header, or null when there are none. */
  byte[] segments() {
    byte[] exif = exifOrientation == ExifOrientation.NORMAL ? new byte[0] : ExifOrientation.segment(exifOrientation);
    byte[] icc = iccSegments == null ? new byte[0] : iccSegments;
    if (exif.length + icc.length == 0) {
      return null;
    }
    byte[] all = java.util.Arrays.copyOf(exif, exif.length + icc.length);
    System.arraycopy(icc, 0, all, exif.length, icc.length);
    return all;
  }
}
