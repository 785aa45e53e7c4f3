package dev.unseg.pipeline.image;

import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;
import dev.unseg.pipeline.error.ErrorCode;
import dev.unseg.pipeline.error.InputException;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.imageio.IIOImage;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Decodes images to the generator's RGB view and encodes protected pixels back into a file that
 * can replace the input under the same name. Thread-safe: every call makes its own ImageIO
 * reader or writer and disposes it.
 *
 * <p>What each input becomes (with {@link OutputFormat#SAME}):
 * <ul>
 *   <li>8-bit RGB, RGBA, gray, gray+alpha: same layout; alpha kept exactly; gray written as the
 *       rounded mean of the 3 protected channels. A PNG keeps its reader's metadata (colour profile).
 *   <li>16-bit PNG/TIFF: stays 16-bit; the view is the top 8 of the sample's data bits (the high byte,
 *       unless {@code unseg.input.sample-bits} says the data uses fewer), which the output's get from the
 *       protected value; the bits below are kept.
 *   <li>Palette PNG/TIFF: written as 8-bit RGB (RGBA when the palette has transparency), never
 *       re-palettised: a palette cannot hold the perturbed colours exactly.
 *   <li>Multi-band TIFF (e.g. 6-band Landsat): the view is bands 1..3 in file order; only those
 *       get protected values, the other bands are copied unchanged.
 *   <li>TIFF keeps the reader's metadata, so every tag (GeoTIFF 33550, 33922, 34735-34737, GDAL
 *       42112/42113) and the compression survive (but a lossy one, JPEG in TIFF, which becomes Deflate: the
 *       bound must hold in the file); only IFD 0 is written: overviews and other
 *       pages are dropped, since they would carry unprotected pixels.
 *   <li>CMYK/YCCK JPEG: converted to RGB by TwelveMonkeys on decode, written as an RGB JPEG with the
 *       sampling of its first component (CMYK at full resolution becomes 4:4:4).
 *   <li>JPEG output: baseline, at the configured quality; a JPEG input's chroma subsampling is
 *       kept (4:4:4 stays 4:4:4), other inputs get the JDK encoder's default 4:2:0 (as the
 *       reference's PIL does). No metadata is carried over (EXIF, ICC dropped); alpha and extra
 *       bands cannot be stored and are dropped.
 *   <li>A file whose content is another format than its extension claims is decoded by content
 *       and re-encoded in its real format under its unchanged name: the output is then exactly as
 *       (mis)named as the input, which its readers already cope with.
 * </ul>
 */
public final class ImageCodec {
  /** Reader warnings that mean pixels were invented (JPEG decoders fill a cut file with grey). */
  private static final List<String> DAMAGE_WARNINGS =
      List.of("truncat", "premature", "corrupt", "missing eoi", "bogus");

  /** The most bits a 16-bit sample can hold data in, and {@code unseg.input.sample-bits}' default. */
  public static final int FULL_SAMPLE_BITS = 16;

  private final long maxPixels;
  private final Plugins plugins = new Plugins();
  private final JpegCodec jpegCodec;
  private final int sampleBits;

  /** @param maxPixels the largest width*height accepted (config {@code unseg.limits.max-pixels}) */
  public ImageCodec(long maxPixels) {
    this(maxPixels, JpegCodec.AUTO, FULL_SAMPLE_BITS);
  }

  /** With 16-bit samples' view their high byte (the default {@code unseg.input.sample-bits}). */
  public ImageCodec(long maxPixels, JpegCodec jpegCodec) {
    this(maxPixels, jpegCodec, FULL_SAMPLE_BITS);
  }

  /**
   * @param jpegCodec which library handles JPEG; AUTO takes libjpeg-turbo where it loads
   * @param sampleBits how many low bits of a 16-bit PNG or TIFF sample hold data ({@code unseg.input.sample-bits},
   *     8 to 16): the view is their top 8 (11 for SpaceNet's 11-bit tiles, whose values stop at 2047), so the
   *     noise is sized to the data's range, not to 65,535; 8-bit images do not depend on it
   * @throws IllegalStateException for {@link JpegCodec#TURBO} when libturbojpeg cannot be loaded
   */
  public ImageCodec(long maxPixels, JpegCodec jpegCodec, int sampleBits) {
    if (maxPixels <= 0) {
      throw new IllegalArgumentException("unseg.limits.max-pixels must be positive, got " + maxPixels);
    }
    if (sampleBits < 8 || sampleBits > FULL_SAMPLE_BITS) {
      throw new IllegalArgumentException("unseg.input.sample-bits must be 8 to 16, got " + sampleBits);
    }
    this.maxPixels = maxPixels;
    this.jpegCodec = jpegCodec.resolve();
    this.sampleBits = sampleBits;
  }

  /** The JPEG library in use: TURBO or IMAGEIO, never AUTO. */
  public JpegCodec jpegCodec() {
    return jpegCodec;
  }

  /** The header, from the bytes only: no pixel buffer is allocated. Enforces the pixel limit. */
  public ImageHeader readHeader(byte[] data, String name) throws InputException {
    ImageHeader header = HeaderParser.parse(data, name);
    if (header.pixels() > maxPixels) {
      throw new InputException(ErrorCode.IMAGE_TOO_LARGE, String.format(Locale.ROOT,
          "image %s declares %dx%d = %d pixels, more than unseg.limits.max-pixels = %d;"
              + " raise unseg.limits.max-pixels (memory permitting) or downscale the image",
          name, header.width(), header.height(), header.pixels(), maxPixels));
    }
    return header;
  }

  public DecodedImage decode(byte[] data, String name) throws InputException {
    ImageHeader header = readHeader(data, name);
    ImageFormat format = header.format();
    JpegMarkers markers = format == ImageFormat.JPEG ? JpegMarkers.scan(data) : null;
    if (markers != null && jpegCodec == JpegCodec.TURBO) {
      DecodedImage fast = decodeTurbo(data, header, markers);
      if (fast != null) {
        return fast;
      }
    }
    ImageReader reader = null;
    try {
      reader = plugins.reader(format);
      List<String> warnings = new ArrayList<>();
      reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
      reader.setInput(new ByteArrayImageInputStream(data), true, format == ImageFormat.JPEG);
      // With an ICC profile the readers convert to sRGB; training loaders (libjpeg, Pillow) do not.
      boolean raw = markers != null && markers.iccSegments() != null
          && (markers.components() == 1 || markers.components() == 3);
      // A colour JPEG is decoded straight into the RGB view: the readers' own BGR image and the copy out of
      // it cost as much as libjpeg's decode itself (2.6 instead of 4.3 ms for a 640x480 image); same bytes.
      byte[] direct = !raw && markers != null && markers.components() == 3
          ? new byte[Math.multiplyExact(Math.multiplyExact(header.width(), header.height()), 3)] : null;
      BufferedImage image;
      if (raw) {
        image = readRaw(reader, markers);
      } else if (direct != null) {
        ImageReadParam param = reader.getDefaultReadParam();
        param.setDestination(Rasters.rgbImage(direct, header.width(), header.height(), false));
        image = reader.read(0, param);
      } else {
        image = reader.read(0);
      }
      for (String warning : warnings) {
        String lower = warning.toLowerCase(Locale.ROOT);
        if (DAMAGE_WARNINGS.stream().anyMatch(lower::contains)) {
          throw HeaderParser.unreadable(name, "the file is damaged or cut short (" + warning + ")");
        }
      }
      if (format == ImageFormat.TIFF && image.getRaster().getNumBands() < header.bands()) {
        // TwelveMonkeys' reader returns only the colour samples of a band-interleaved TIFF (PlanarConfiguration
        // 2): a 6-band Landsat stack came back as 1 band, and its release lost bands 2-6. The JDK's reads all.
        reader.dispose();
        reader = plugins.allBandsTiffReader();
        reader.setInput(new ByteArrayImageInputStream(data), true, false);
        try {
          image = reader.read(0);
        } catch (IOException | RuntimeException e) {
          // The JDK's reader has no 16-bit Predictor 2, which GDAL and rasterio write with LZW and Deflate.
          throw new InputException(ErrorCode.IMAGE_UNSUPPORTED, "image " + name + " is a band-interleaved TIFF (GDAL's"
              + " INTERLEAVE=BAND) of " + header.bands() + " bands that cannot be read whole (" + InputException.detail(e)
              + "); write it pixel-interleaved first, keeping every band and tag: gdal_translate -co INTERLEAVE=PIXEL"
              + " -co COMPRESS=DEFLATE in.tif out.tif", e);
        }
      }
      if (image.getWidth() != header.width() || image.getHeight() != header.height()) {
        throw new InputException(ErrorCode.IMAGE_UNSUPPORTED, "image " + name + ": the header says "
            + header.width() + "x" + header.height() + " but the decoder produced "
            + image.getWidth() + "x" + image.getHeight());
      }
      IIOMetadata metadata = format == ImageFormat.JPEG ? null : reader.getImageMetadata(0);
      JpegCarry jpeg = format == ImageFormat.JPEG
          ? new JpegCarry(JpegSampling.of(markers), ExifOrientation.read(data), raw ? markers.iccSegments() : null,
              markers.quality())
          : null;
      if (direct != null) {
        return new DecodedImage(format, header.width(), header.height(), direct, 3, null, null, jpeg);
      }
      DecodedImage decoded = toDecoded(format, image, metadata, jpeg, name);
      int maskPage = format == ImageFormat.TIFF ? TiffHeaderParser.maskPage(data) : -1;
      if (maskPage > 0) {
        reader.dispose();
        reader = plugins.allBandsTiffReader(); // TwelveMonkeys' reader refuses Photometric 4, the mask's
        reader.setInput(new ByteArrayImageInputStream(data), false, true);
        decoded = decoded.withInternalMask(TiffInternalMask.read(reader, maskPage));
      }
      return decoded;
    } catch (IOException | RuntimeException e) {
      // Decoders throw all sorts of unchecked exceptions on corrupt data (IndexOutOfBounds, ...).
      throw new InputException(ErrorCode.IMAGE_UNREADABLE,
          "image " + name + " cannot be decoded as " + format + ": " + InputException.detail(e), e);
    } finally {
      if (reader != null) {
        reader.dispose();
      }
    }
  }

  /**
   * A YCbCr or gray JPEG through libjpeg-turbo, with exactly the pixels and carried data of the ImageIO path
   * (for a file with an ICC profile, that path's raw, unmanaged samples: what libjpeg gives anyway); null
   * for anything else (CMYK, stored RGB, other samplings, warnings), which ImageIO then decodes.
   */
  private static DecodedImage decodeTurbo(byte[] data, ImageHeader header, JpegMarkers markers) {
    boolean gray = markers.components() == 1;
    if (!gray && !markers.isYCbCr()) {
      return null;
    }
    int w = header.width();
    int h = header.height();
    byte[] pixels = TurboJpeg.decode(data, w, h, gray);
    if (pixels == null) {
      return null;
    }
    JpegCarry jpeg = new JpegCarry(JpegSampling.of(markers), ExifOrientation.read(data), markers.iccSegments(),
        markers.quality());
    if (!gray) {
      return new DecodedImage(ImageFormat.JPEG, w, h, pixels, 3, null, null, jpeg);
    }
    BufferedImage layout = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    byte[] stored = ((java.awt.image.DataBufferByte) layout.getRaster().getDataBuffer()).getData();
    System.arraycopy(pixels, 0, stored, 0, pixels.length);
    byte[] rgb = new byte[pixels.length * 3];
    for (int p = 0, o = 0; p < pixels.length; p++, o += 3) {
      rgb[o] = pixels[p];
      rgb[o + 1] = pixels[p];
      rgb[o + 2] = pixels[p];
    }
    return new DecodedImage(ImageFormat.JPEG, w, h, rgb, 1, layout, null, jpeg);
  }

  /** A JPEG's samples without colour management, converted as libjpeg does. */
  private static BufferedImage readRaw(ImageReader reader, JpegMarkers markers) throws IOException {
    Raster raw = reader.readRaster(0, null);
    int w = raw.getWidth();
    int h = raw.getHeight();
    if (markers.components() == 1) {
      BufferedImage gray = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
      gray.getRaster().setRect(-raw.getMinX(), -raw.getMinY(), raw);
      return gray;
    }
    byte[] rgb = new byte[w * h * 3];
    if (markers.isYCbCr()) {
      JfifColor.toRgb(raw, rgb);
    } else {
      Rasters.readView(raw, new int[] {0, 1, 2}, 8, rgb);
    }
    return Rasters.rgbImage(rgb, w, h, false);
  }

  private DecodedImage toDecoded(ImageFormat format, BufferedImage image, IIOMetadata metadata,
      JpegCarry jpeg, String name) throws InputException {
    int w = image.getWidth();
    int h = image.getHeight();
    byte[] rgb = new byte[w * h * 3];
    ColorModel cm = image.getColorModel();
    Raster raster = image.getRaster();
    if (cm instanceof IndexColorModel icm) {
      byte[] alpha = paletteView(icm, raster, rgb);
      // The palette is gone from the output, so its metadata must not be written back for PNG.
      IIOMetadata kept = format == ImageFormat.TIFF ? metadata : null;
      BufferedImage layout = alpha == null ? null : Rasters.rgbImage(withAlpha(rgb, alpha), w, h, true);
      return new DecodedImage(format, w, h, rgb, 3, layout, kept, jpeg);
    }
    int bits = uniformBits(image);
    int colourBands = colourBands(cm, raster.getNumBands());
    if (!(cm instanceof ComponentColorModel) || (bits != 8 && bits != 16) || colourBands == 0) {
      throw new InputException(ErrorCode.IMAGE_UNSUPPORTED, "image " + name + " has " + layout(image)
          + ", which cannot become 8-bit RGB; convert it to 8- or 16-bit RGB or gray first");
    }
    int[] bands = colourBands == 1 ? new int[] {0, 0, 0} : new int[] {0, 1, 2};
    int viewBits = viewBits(bits);
    if (viewBits < bits) {
      int largest = Rasters.largestSample(raster, colourBands);
      if (largest >= 1 << viewBits) {
        throw new InputException(ErrorCode.IMAGE_UNSUPPORTED, "image " + name + " has 16-bit samples up to " + largest
            + ", above " + ((1 << viewBits) - 1) + ", the largest of unseg.input.sample-bits = " + viewBits
            + "; set unseg.input.sample-bits to the bits its data uses (" + (32 - Integer.numberOfLeadingZeros(largest))
            + " for this image; 16, the default, for any) and protect the dataset again");
      }
    }
    Rasters.readView(raster, bands, viewBits, rgb);
    boolean plainRgb = colourBands == 3 && raster.getNumBands() == 3 && bits == 8 && format != ImageFormat.TIFF;
    return new DecodedImage(format, w, h, rgb, colourBands, plainRgb ? null : image, metadata, jpeg);
  }

  /**
   * 1 for gray (+alpha), 3 for RGB (+alpha, + bands beyond, such as a 4-band RGB + near-infrared tile) or 3+
   * band gray/unknown (bands 1..3), 0 otherwise.
   */
  private static int colourBands(ColorModel cm, int bands) {
    int colour = bands - (cm.hasAlpha() ? 1 : 0);
    return switch (cm.getColorSpace().getType()) {
      case ColorSpace.TYPE_RGB -> colour >= 3 ? 3 : 0;
      case ColorSpace.TYPE_GRAY -> colour >= 3 ? 3 : 1;
      default -> cm.getColorSpace().getType() >= ColorSpace.TYPE_2CLR && colour >= 3
          && !isPhotometric(cm) ? 3 : 0;
    };
  }

  /** The bits of a sample whose top 8 are the view: 8 for 8-bit samples, unseg.input.sample-bits for 16-bit. */
  private int viewBits(int storedBits) {
    return storedBits == FULL_SAMPLE_BITS ? sampleBits : storedBits;
  }

  /** True for colour spaces whose channels are not independent light intensities (CMYK, Lab...). */
  private static boolean isPhotometric(ColorModel cm) {
    int type = cm.getColorSpace().getType();
    return type == ColorSpace.TYPE_CMYK || type == ColorSpace.TYPE_Lab || type == ColorSpace.TYPE_YCbCr
        || type == ColorSpace.TYPE_CMY || type == ColorSpace.TYPE_HSV || type == ColorSpace.TYPE_XYZ;
  }

  /** Whether an input's metadata says its compression loses data (a TIFF in JPEG, say). */
  private static boolean lossy(IIOMetadata metadata) {
    if (metadata == null || !metadata.isStandardMetadataFormatSupported()) {
      return false;
    }
    org.w3c.dom.NodeList lossless = ((org.w3c.dom.Element) metadata.getAsTree(
        javax.imageio.metadata.IIOMetadataFormatImpl.standardMetadataFormatName)).getElementsByTagName("Lossless");
    return lossless.getLength() > 0 && "FALSE".equalsIgnoreCase(((org.w3c.dom.Element) lossless.item(0)).getAttribute("value"));
  }

  /** A pixel layout in words: "1 band of 32-bit floating-point samples (gray)". */
  private static String layout(BufferedImage image) {
    int[] sizes = image.getSampleModel().getSampleSize();
    String kind = switch (image.getSampleModel().getDataType()) {
      case DataBuffer.TYPE_FLOAT, DataBuffer.TYPE_DOUBLE -> "floating-point";
      case DataBuffer.TYPE_SHORT -> "signed integer";
      default -> "integer";
    };
    String samples = Arrays.stream(sizes).allMatch(s -> s == sizes[0])
        ? sizes[0] + "-bit " + kind : "mixed-size (" + Arrays.toString(sizes) + "-bit)";
    String space = switch (image.getColorModel().getColorSpace().getType()) {
      case java.awt.color.ColorSpace.TYPE_GRAY -> "gray";
      case java.awt.color.ColorSpace.TYPE_RGB -> "RGB";
      case java.awt.color.ColorSpace.TYPE_CMYK -> "CMYK";
      default -> "another colour space";
    };
    return sizes.length + (sizes.length == 1 ? " band" : " bands") + " of " + samples + " samples (" + space + ")";
  }

  private static int uniformBits(BufferedImage image) {
    int[] sizes = image.getSampleModel().getSampleSize();
    int type = image.getSampleModel().getDataType();
    for (int s : sizes) {
      if (s != sizes[0]) {
        return -1;
      }
    }
    boolean fits = (sizes[0] == 8 && type == DataBuffer.TYPE_BYTE) || (sizes[0] == 16 && type == DataBuffer.TYPE_USHORT);
    return fits ? sizes[0] : -sizes[0];
  }

  /** Fills the RGB view from palette indices; returns per-pixel alpha, or null for an opaque palette. */
  private static byte[] paletteView(IndexColorModel icm, Raster raster, byte[] rgb) {
    int n = icm.getMapSize();
    byte[] r = new byte[n];
    byte[] g = new byte[n];
    byte[] b = new byte[n];
    byte[] a = new byte[n];
    icm.getReds(r);
    icm.getGreens(g);
    icm.getBlues(b);
    icm.getAlphas(a);
    boolean opaque = icm.getTransparency() == java.awt.Transparency.OPAQUE;
    int w = raster.getWidth();
    int h = raster.getHeight();
    byte[] alpha = opaque ? null : new byte[w * h];
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, 0, row);
      for (int x = 0, p = y * w, o = p * 3; x < w; x++, p++, o += 3) {
        int i = Math.min(row[x], n - 1);
        rgb[o] = r[i];
        rgb[o + 1] = g[i];
        rgb[o + 2] = b[i];
        if (alpha != null) {
          alpha[p] = a[i];
        }
      }
    }
    return alpha;
  }

  private static byte[] withAlpha(byte[] rgb, byte[] alpha) {
    byte[] rgba = new byte[alpha.length * 4];
    for (int p = 0, o = 0, q = 0; p < alpha.length; p++, o += 3, q += 4) {
      rgba[q] = rgb[o];
      rgba[q + 1] = rgb[o + 1];
      rgba[q + 2] = rgb[o + 2];
      rgba[q + 3] = alpha[p];
    }
    return rgba;
  }

  /**
   * How many low bits the colour samples of a 16-bit image use (11 for a tile whose largest sample is 2047), so
   * that a run can say when {@code unseg.input.sample-bits} is far above its data; 8 for an 8-bit image.
   */
  public int dataBits(DecodedImage image) {
    BufferedImage layout = image.layout();
    if (image.bitsPerSample() != FULL_SAMPLE_BITS || layout == null) {
      return 8;
    }
    return Math.max(8, 32 - Integer.numberOfLeadingZeros(Rasters.largestSample(layout.getRaster(), image.colourBands())));
  }

  /**
   * Puts back, in {@code protectedRgb}, the view of every sample that is a GeoTIFF's nodata value (GDAL's tag
   * 42113): those pixels hold no image, and a nodata collar moved by eps_bg would turn into valid dark pixels
   * for the GIS tools and loaders that mask it by value. Per band, as GDAL masks nodata; a gray image's pixel
   * whole. The view of such a sample is its own (the bits below the view are kept on writing), so the file
   * keeps the value exactly. The same for every pixel a TIFF's internal mask says holds no data (GDAL's
   * per-dataset mask: all of its bands). Nothing for other images, or a nodata value that no sample can hold.
   */
  public void keepNoData(DecodedImage original, byte[] protectedRgb) {
    if (original.internalMask() != null) {
      original.internalMask().keepMaskedPixels(original.rgb(), protectedRgb);
    }
    BufferedImage layout = original.layout();
    Long nodata = original.format() == ImageFormat.TIFF && layout != null ? TiffMetadata.noData(original.metadata()) : null;
    if (nodata == null) {
      return;
    }
    Raster raster = layout.getRaster();
    int w = raster.getWidth();
    int[] row = new int[w];
    byte[] view = original.rgb();
    int colourBands = original.colourBands();
    for (int y = 0; y < raster.getHeight(); y++) {
      for (int c = 0; c < colourBands; c++) {
        raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, c, row);
        for (int x = 0; x < w; x++) {
          if (row[x] == nodata) {
            int o = 3 * (y * w + x);
            for (int k = colourBands == 1 ? 0 : c; k <= (colourBands == 1 ? 2 : c); k++) {
              protectedRgb[o + k] = view[o + k];
            }
          }
        }
      }
    }
  }

  /**
   * True when {@link #decode} of what {@link #encode} writes for {@code original} gives back exactly the
   * RGB view it was given, whatever the pixels: PNG and TIFF output of a colour image (RGB, RGBA, palette
   * written as RGB, 16-bit with the view in the high byte, multi-band with the view in bands 1..3). Then
   * the audit need not decode the output again. Not for JPEG (lossy), nor for gray images (written as the
   * rounded mean of the three channels, so the view comes back changed). {@code ImageCodecLosslessTest}
   * checks it on every kind of test image.
   */
  public boolean roundTripsExactly(DecodedImage original, EncodeOptions options) {
    return options.format().target(original.format()) != ImageFormat.JPEG && !original.isGray();
  }

  /**
   * Encodes protected pixels in the layout of {@code original}.
   *
   * @param protectedRgb the generator's output, same shape as {@link DecodedImage#rgb()}
   */
  public byte[] encode(DecodedImage original, byte[] protectedRgb, EncodeOptions options) throws InputException {
    int expected = original.width() * original.height() * 3;
    if (protectedRgb.length != expected) {
      throw new IllegalArgumentException("protectedRgb has " + protectedRgb.length + " bytes, expected " + expected);
    }
    ImageFormat target = options.format().target(original.format());
    if (target == ImageFormat.JPEG && jpegCodec == JpegCodec.TURBO) {
      byte[] fast = encodeTurbo(original, protectedRgb, options);
      if (fast != null) {
        return fast;
      }
    }
    EncodePlan plan = EncodePlan.of(original, protectedRgb, target, viewBits(original.bitsPerSample()));
    ImageWriter writer = null;
    try {
      writer = target == ImageFormat.TIFF ? plugins.tiffWriter(plan.image(), plan.metadata()) : plugins.writer(target);
      ImageWriteParam param = writer.getDefaultWriteParam();
      IIOMetadata metadata = plan.metadata();
      if (target == ImageFormat.JPEG) {
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(options.jpegQualityFor(original) / 100f);
        if (original.jpegSampling() != null) {
          metadata = original.jpegSampling().metadataFor(writer, new ImageTypeSpecifier(plan.image()), param);
        }
      } else if (target == ImageFormat.TIFF && lossy(metadata)) {
        // A JPEG-compressed TIFF would be written so again, off the bound by up to 111 grey levels (measured),
        // while every TIFF output is taken as lossless (roundTripsExactly): Deflate keeps the bound exact.
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionType("ZLib"); // compression 8, Adobe Deflate, as GDAL writes it
      }
      if (target == ImageFormat.TIFF) {
        metadata = TiffMetadata.forWriter(metadata, plan.image(), writer, param);
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(1024, expected / 4));
      try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
        writer.setOutput(out);
        writer.write(null, new IIOImage(plan.image(), null, metadata), param);
      }
      return switch (target) {
        case JPEG -> withCarried(original, bytes.toByteArray());
        case TIFF -> {
          byte[] tiff = TiffExtraSamples.complete(bytes.toByteArray(), TiffExtraSamples.of(original.metadata()));
          yield original.internalMask() == null ? tiff : original.internalMask().appendTo(tiff);
        }
        default -> bytes.toByteArray();
      };
    } catch (IOException | RuntimeException e) {
      throw new InputException(ErrorCode.ENCODE_FAILED, "protected image (" + original.format() + " "
          + original.width() + "x" + original.height() + ") could not be encoded as " + target + ": " + InputException.detail(e), e);
    } finally {
      if (writer != null) {
        writer.dispose();
      }
    }
  }

  /** A JPEG output with what its JPEG input carries (EXIF orientation, ICC profile) after the JFIF header. */
  private static byte[] withCarried(DecodedImage original, byte[] encoded) {
    byte[] carried = original.jpeg() != null ? original.jpeg().segments() : null;
    return carried == null ? encoded : JpegMarkers.insertAfterJfif(encoded, carried);
  }

  /**
   * What the ImageIO writer would write, by libjpeg-turbo: same sampling (the input's, or 4:2:0 as the JDK
   * writer's default), quality, accurate DCT, gray as the rounded channel mean, the same carried segments;
   * null for a sampling TurboJPEG has no name for, which ImageIO then writes.
   */
  private static byte[] encodeTurbo(DecodedImage original, byte[] protectedRgb, EncodeOptions options)
      throws InputException {
    int w = original.width();
    int h = original.height();
    int subsamp = original.isGray() ? TurboJpeg.SAMP_GRAY : turboSampling(original.jpegSampling());
    if (subsamp < 0) {
      return null;
    }
    byte[] pixels = original.isGray()
        ? ((java.awt.image.DataBufferByte) Rasters.grayImage(protectedRgb, w, h).getRaster().getDataBuffer()).getData()
        : protectedRgb;
    try {
      return withCarried(original, TurboJpeg.encode(pixels, w, h, subsamp, options.jpegQualityFor(original)));
    } catch (RuntimeException e) {
      throw new InputException(ErrorCode.ENCODE_FAILED, "protected image (" + original.format() + " " + w + "x" + h
          + ") could not be encoded as JPEG by libjpeg-turbo: " + InputException.detail(e), e);
    }
  }

  /** TurboJPEG's name for a luma sampling (chroma 1x1); 4:2:0 when none was carried; -1 when it has none. */
  private static int turboSampling(JpegSampling s) {
    if (s == null) {
      return TurboJpeg.SAMP_420;
    }
    return switch (s.horizontal() * 10 + s.vertical()) {
      case 11 -> TurboJpeg.SAMP_444;
      case 21 -> TurboJpeg.SAMP_422;
      case 22 -> TurboJpeg.SAMP_420;
      case 12 -> TurboJpeg.SAMP_440;
      case 41 -> TurboJpeg.SAMP_411;
      default -> -1;
    };
  }
}
