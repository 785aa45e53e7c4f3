package dev.unseg.pipeline.image;

import java.awt.image.DataBuffer;
import java.awt.image.RenderedImage;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.spi.ImageWriterSpi;

/**
 * The ImageIO plugins chosen per format, looked up once. Providers are stateless and shared; the
 * readers and writers they make are not thread-safe, so each call creates (and disposes) its own.
 *
 * <p>JPEG is read by TwelveMonkeys (it converts CMYK/YCCK and survives broken ICC profiles) and
 * written by the JDK encoder (TwelveMonkeys' writer only wraps it). PNG is the JDK's. TIFF is
 * TwelveMonkeys both ways, because its writer takes its reader's metadata and keeps every tag, except
 * 16-bit images of several bands, which that writer has no code for (it throws on them), and
 * band-interleaved images of extra bands, whose extra bands its reader drops: the JDK's TIFF writer and
 * reader take those ({@link TiffMetadata} carries the tags over).
 */
final class Plugins {
  private static final String TM = "com.twelvemonkeys.imageio.plugins.";
  private static final String JDK = "com.sun.imageio.plugins.";

  private final ImageReaderSpi jpegReader = find(ImageReaderSpi.class, TM + "jpeg.JPEGImageReaderSpi");
  private final ImageWriterSpi jpegWriter = find(ImageWriterSpi.class, JDK + "jpeg.JPEGImageWriterSpi");
  private final ImageReaderSpi pngReader = find(ImageReaderSpi.class, JDK + "png.PNGImageReaderSpi");
  private final ImageWriterSpi pngWriter = find(ImageWriterSpi.class, JDK + "png.PNGImageWriterSpi");
  private final ImageReaderSpi tiffReader = find(ImageReaderSpi.class, TM + "tiff.TIFFImageReaderSpi");
  private final ImageWriterSpi tiffWriter = find(ImageWriterSpi.class, TM + "tiff.TIFFImageWriterSpi");
  private final ImageWriterSpi jdkTiffWriter = find(ImageWriterSpi.class, JDK + "tiff.TIFFImageWriterSpi");
  private final ImageReaderSpi allBandsTiffReader = find(ImageReaderSpi.class, JDK + "tiff.TIFFImageReaderSpi");

  ImageReader reader(ImageFormat format) throws IOException {
    return switch (format) {
      case JPEG -> jpegReader.createReaderInstance();
      case PNG -> pngReader.createReaderInstance();
      case TIFF -> tiffReader.createReaderInstance();
    };
  }

  ImageWriter writer(ImageFormat format) throws IOException {
    return switch (format) {
      case JPEG -> jpegWriter.createWriterInstance();
      case PNG -> pngWriter.createWriterInstance();
      case TIFF -> tiffWriter.createWriterInstance();
    };
  }

  /** The TIFF reader for band-interleaved images of extra bands, of which TwelveMonkeys' reads the colour ones only. */
  ImageReader allBandsTiffReader() throws IOException {
    return allBandsTiffReader.createReaderInstance();
  }

  /**
   * The TIFF writer for {@code image}: the JDK's for 16-bit samples in more than one band, which TwelveMonkeys'
   * writer refuses, and for an image the JDK's reader read (its colour models are the JDK's own, which
   * TwelveMonkeys' writer cannot name: "Can't determine PhotometricInterpretation"); TwelveMonkeys' otherwise.
   */
  ImageWriter tiffWriter(RenderedImage image, IIOMetadata metadata) throws IOException {
    int type = image.getSampleModel().getDataType();
    boolean wide = (type == DataBuffer.TYPE_USHORT || type == DataBuffer.TYPE_SHORT) && image.getSampleModel().getNumBands() > 1;
    boolean readByJdk = metadata != null && TiffMetadata.JDK_NATIVE.equals(metadata.getNativeMetadataFormatName());
    return (wide || readByJdk ? jdkTiffWriter : tiffWriter).createWriterInstance();
  }

  private static <T> T find(Class<T> category, String className) {
    IIORegistry registry = IIORegistry.getDefaultInstance();
    // The registry fills itself from the classpath; a jar added after start-up needs a rescan.
    for (int attempt = 0; attempt < 2; attempt++) {
      Iterator<T> it = registry.getServiceProviders(category, true);
      while (it.hasNext()) {
        T spi = it.next();
        if (spi.getClass().getName().equals(className)) {
          return spi;
        }
      }
      registry.registerApplicationClasspathSpis();
    }
    throw new IllegalStateException("ImageIO plugin " + className + " is not on the classpath; the pipeline"
        + " jar must ship com.twelvemonkeys.imageio:imageio-jpeg and imageio-tiff");
  }
}
