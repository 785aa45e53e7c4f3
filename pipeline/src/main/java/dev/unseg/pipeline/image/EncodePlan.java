package dev.unseg.pipeline.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.WritableRaster;
import javax.imageio.metadata.IIOMetadata;

/** The image and metadata handed to the writer of one target format. */
record EncodePlan(BufferedImage image, IIOMetadata metadata) {

  /** @param viewBits the bits of a sample whose top 8 are the view (see {@link Rasters#writeBack}) */
  static EncodePlan of(DecodedImage original, byte[] protectedRgb, ImageFormat target, int viewBits) {
    int w = original.width();
    int h = original.height();
    if (target == ImageFormat.JPEG) {
      // JPEG holds 8-bit gray or RGB only: alpha, extra bands and low bytes cannot be kept.
      return new EncodePlan(original.isGray() ? Rasters.grayImage(protectedRgb, w, h)
          : Rasters.rgbImage(protectedRgb, w, h, false), null);
    }
    BufferedImage layout = original.layout();
    boolean keepLayout = layout != null && (target == ImageFormat.TIFF || pngCanStore(layout));
    if (!keepLayout) {
      // A plain RGB input of the target's format keeps its metadata: a PNG's colour profile (iCCP, sRGB,
      // gAMA, cHRM) decides what people see. A palette input's is null (decode drops it with the palette).
      IIOMetadata same = original.format() == target ? original.metadata() : null;
      return new EncodePlan(Rasters.rgbImage(protectedRgb, w, h, false), same);
    }
    WritableRaster raster = Rasters.copy(layout.getRaster());
    Rasters.writeBack(raster, original.colourBands(), viewBits, protectedRgb);
    BufferedImage image = new BufferedImage(layout.getColorModel(), raster, layout.isAlphaPremultiplied(), null);
    // Metadata of another format than the target means nothing to its writer.
    IIOMetadata metadata = original.format() == target ? original.metadata() : null;
    return new EncodePlan(image, metadata);
  }

  /** PNG stores gray, gray+alpha, RGB and RGBA; not 6-band or other colour spaces. */
  private static boolean pngCanStore(BufferedImage layout) {
    ColorModel cm = layout.getColorModel();
    int bands = layout.getRaster().getNumBands();
    int colour = bands - (cm.hasAlpha() ? 1 : 0);
    int type = cm.getColorSpace().getType();
    return (type == ColorSpace.TYPE_GRAY && colour == 1) || (type == ColorSpace.TYPE_RGB && colour == 3);
  }
}
