package dev.unseg.pipeline.image;

/**
 * What an image's header declares, read without decoding pixels.
 *
 * @param format the format found in the bytes (not the file extension)
 * @param bands samples per pixel as stored (a palette image has 1)
 * @param bitsPerSample bits of the first sample
 * @param colorType GRAY, GRAY_ALPHA, RGB, RGBA, PALETTE, YCbCr, CMYK, or OTHER(n) for rarer TIFF
 *     photometric interpretations
 */
public record ImageHeader(
    ImageFormat format, int width, int height, int bands, int bitsPerSample, String colorType) {

  /** Pixel count, as a long: width*height overflows int for the headers we must reject. */
  public long pixels() {
    return (long) width * height;
  }
}
