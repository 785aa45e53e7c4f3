package dev.unseg.pipeline.image;

import java.awt.image.BufferedImage;
import javax.imageio.metadata.IIOMetadata;

/**
 * One decoded image: the generator's 8-bit RGB view plus what re-encoding needs to give back a
 * faithful file (the stored layout with alpha, extra bands and 16-bit samples, and TIFF/PNG
 * metadata). Not thread-safe to mutate; {@link #rgb()} is returned without copying.
 */
public final class DecodedImage {
  private final ImageFormat format;
  private final int width;
  private final int height;
  private final byte[] rgb;
  private final int colourBands;
  private final BufferedImage layout;
  private final IIOMetadata metadata;
  private final JpegCarry jpeg;
  private final TiffInternalMask internalMask;

  /**
   * @param colourBands 1 when the stored image is gray (the view repeats it), else 3
   * @param layout the stored image whose colour bands encode replaces with protected values and
   *     whose other bands (alpha, extra TIFF bands) it keeps; null when the view is all there is
   * @param metadata the reader's metadata, written back as is (TIFF tags, PNG chunks); may be null
   * @param jpeg what a JPEG input carries to a JPEG output; null for other formats
   */
  DecodedImage(ImageFormat format, int width, int height, byte[] rgb, int colourBands,
      BufferedImage layout, IIOMetadata metadata, JpegCarry jpeg) {
    this(format, width, height, rgb, colourBands, layout, metadata, jpeg, null);
  }

  private DecodedImage(ImageFormat format, int width, int height, byte[] rgb, int colourBands,
      BufferedImage layout, IIOMetadata metadata, JpegCarry jpeg, TiffInternalMask internalMask) {
    this.format = format;
    this.width = width;
    this.height = height;
    this.rgb = rgb;
    this.colourBands = colourBands;
    this.layout = layout;
    this.metadata = metadata;
    this.jpeg = jpeg;
    this.internalMask = internalMask;
  }

  /** This image with the internal mask its TIFF carries. */
  DecodedImage withInternalMask(TiffInternalMask mask) {
    return new DecodedImage(format, width, height, rgb, colourBands, layout, metadata, jpeg, mask);
  }

  /** The format found in the bytes; {@link OutputFormat#SAME} re-encodes in this one. */
  public ImageFormat format() {
    return format;
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  /** Interleaved 8-bit R,G,B, row-major (HWC), length width*height*3. Shared, not copied. */
  public byte[] rgb() {
    return rgb;
  }

  /** True when the stored image has one colour channel; the output stays single-channel. */
  public boolean isGray() {
    return colourBands == 1;
  }

  /** True when the stored image has an alpha channel, which encode keeps exactly. */
  public boolean hasAlpha() {
    return layout != null && layout.getColorModel().hasAlpha();
  }

  /** Bands stored per pixel (3 for a plain RGB image, 6 for a 6-band GeoTIFF). */
  public int bands() {
    return layout == null ? 3 : layout.getRaster().getNumBands();
  }

  /** Bits per stored sample: 8, or 16 for 16-bit PNG/TIFF (whose view is set by unseg.input.sample-bits). */
  public int bitsPerSample() {
    return layout == null ? 8 : layout.getSampleModel().getSampleSize(0);
  }

  int colourBands() {
    return colourBands;
  }

  BufferedImage layout() {
    return layout;
  }

  IIOMetadata metadata() {
    return metadata;
  }

  /** The TIFF's internal mask (the pixels that hold data), or null. */
  TiffInternalMask internalMask() {
    return internalMask;
  }

  JpegSampling jpegSampling() {
    return jpeg == null ? null : jpeg.sampling();
  }

  JpegCarry jpeg() {
    return jpeg;
  }

  /** EXIF orientation of a JPEG input (1..8; 1 when absent): pixels are stored unrotated. */
  public int exifOrientation() {
    return jpeg == null ? ExifOrientation.NORMAL : jpeg.exifOrientation();
  }
}
