package dev.unseg.pipeline.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unseg.pipeline.error.ErrorCode;
import dev.unseg.pipeline.error.InputException;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageCodecTest {
  private final ImageCodec codec = new ImageCodec(50_000_000L);
  private static final EncodeOptions SAME = EncodeOptions.defaults();

  /** The RGB view ImageIO itself gives (packed getRGB is fine in a test), for 8-bit sRGB images. */
  private static byte[] referenceView(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
    byte[] rgb = new byte[w * h * 3];
    for (int i = 0; i < argb.length; i++) {
      rgb[3 * i] = (byte) (argb[i] >> 16);
      rgb[3 * i + 1] = (byte) (argb[i] >> 8);
      rgb[3 * i + 2] = (byte) argb[i];
    }
    return rgb;
  }

  // rocket.jpg is not here: it embeds an Adobe RGB profile that ImageIO colour-manages and the
  // codec deliberately does not (JpegColorTest checks it against Pillow's decode).
  @ParameterizedTest
  @ValueSource(strings = {"coffee.png", "chelsea.png", "astronaut.png", "horse.png", "palette_color.png"})
  void eightBitPhotosGiveImageIosView(String file) throws Exception {
    byte[] data = TestImages.bytes("photos/" + file);
    DecodedImage image = codec.decode(data, file);
    BufferedImage reference = TestImages.imageIo(data);
    assertEquals(reference.getWidth(), image.width());
    assertEquals(reference.getHeight(), image.height());
    assertEquals(ImageFormat.fromFileName(file).orElseThrow(), image.format());
    assertArrayEquals(referenceView(reference), image.rgb());
  }

  /**
   * Colour JPEGs are decoded straight into the RGB view (a reader destination), not through the reader's
   * own image: the view must be exactly that image's, for the layouts encoders write (4:2:0, 4:4:4,
   * progressive, odd sizes that end in partial blocks).
   */
  @ParameterizedTest
  @CsvSource({"2, 2, false, 640, 480", "1, 1, false, 640, 480", "2, 1, false, 333, 217", "2, 2, true, 641, 479",
      "1, 1, true, 100, 75"})
  void colourJpegsGiveImageIosView(int h, int v, boolean progressive, int width, int height) throws Exception {
    DecodedImage photo = codec.decode(TestImages.bytes("photos/coffee.png"), "coffee.png");
    byte[] rgb = new byte[width * height * 3]; // the photo, repeated where the size passes it
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        System.arraycopy(photo.rgb(), ((y % photo.height()) * photo.width() + x % photo.width()) * 3, rgb, (y * width + x) * 3, 3);
      }
    }
    BufferedImage image = Rasters.rgbImage(rgb, width, height, false);
    javax.imageio.ImageWriter writer = javax.imageio.ImageIO.getImageWritersByFormatName("jpeg").next();
    javax.imageio.ImageWriteParam param = writer.getDefaultWriteParam();
    if (progressive) {
      param.setProgressiveMode(javax.imageio.ImageWriteParam.MODE_DEFAULT);
    }
    javax.imageio.metadata.IIOMetadata metadata =
        new JpegSampling(h, v).metadataFor(writer, new javax.imageio.ImageTypeSpecifier(image), param);
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (javax.imageio.stream.ImageOutputStream out = javax.imageio.ImageIO.createImageOutputStream(bytes)) {
      writer.setOutput(out);
      writer.write(null, new javax.imageio.IIOImage(image, null, metadata), param);
    }
    writer.dispose();
    byte[] jpeg = bytes.toByteArray();
    assertEquals(new JpegSampling(h, v), JpegSampling.of(jpeg), "the file has the sampling asked for");
    DecodedImage decoded = codec.decode(jpeg, "variant.jpg");
    assertArrayEquals(referenceView(TestImages.imageIo(jpeg)), decoded.rgb());
  }

  @Test
  void truncatedJpegIsUnreadable() {
    InputException e = assertThrows(InputException.class,
        () -> codec.decode(TestImages.bytes("photos/truncated.jpg"), "photos/truncated.jpg"));
    assertEquals(ErrorCode.IMAGE_UNREADABLE, e.code());
    assertTrue(e.getMessage().contains("photos/truncated.jpg"), e.getMessage());
    assertFalse(e.getMessage().contains("Exception"), "the decoder's class stays in the log: " + e.getMessage());
  }

  /** An RGB PNG keeps its colour profile (iCCP), which decides the colours people see. */
  @ParameterizedTest
  @ValueSource(strings = {"astronaut.png", "chelsea.png"})
  void anRgbPngKeepsItsColourProfile(String file) throws Exception {
    byte[] data = TestImages.bytes("photos/" + file);
    DecodedImage image = codec.decode(data, file);
    byte[] out = codec.encode(image, TestImages.perturb(image.rgb(), 8, 5), SAME);
    assertTrue(pngChunk(data, "iCCP").isPresent(), file + " has a profile");
    assertArrayEquals(pngChunk(data, "iCCP").get(), pngChunk(out, "iCCP").orElse(null), file);
  }

  /** The data of a PNG's first chunk of this type. */
  private static Optional<byte[]> pngChunk(byte[] png, String type) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(png);
    for (int at = 8; at + 8 <= png.length; ) {
      int length = b.getInt(at);
      if (new String(png, at + 4, 4, java.nio.charset.StandardCharsets.US_ASCII).equals(type)) {
        return Optional.of(Arrays.copyOfRange(png, at + 8, at + 8 + length));
      }
      at += 12 + length;
    }
    return Optional.empty();
  }

  /** A 32-bit float gray TIFF (a DEM, say) is refused in words a user reads: bands, sample type, colour space. */
  @Test
  void aFloatTiffIsRefusedWithItsLayoutInWords() {
    InputException e = assertThrows(InputException.class, () -> codec.decode(floatGrayTiff(2, 2), "dem.tif"));
    assertEquals(ErrorCode.IMAGE_UNSUPPORTED, e.code());
    assertTrue(e.getMessage().contains("dem.tif has 1 band of 32-bit floating-point samples (gray)"), e.getMessage());
  }

  /** A minimal uncompressed little-endian TIFF of one 32-bit float sample per pixel (SampleFormat 3), all 0.5. */
  private static byte[] floatGrayTiff(int w, int h) {
    int[][] tags = {{256, 3, w}, {257, 3, h}, {258, 3, 32}, {259, 3, 1}, {262, 3, 1}, {273, 4, 0}, {277, 3, 1},
        {278, 3, h}, {279, 4, 4 * w * h}, {339, 3, 3}};
    int ifd = 8;
    int data = ifd + 2 + 12 * tags.length + 4;
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(data + 4 * w * h).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(ifd).putShort((short) tags.length);
    for (int[] t : tags) {
      b.putShort((short) t[0]).putShort((short) t[1]).putInt(1);
      int value = t[0] == 273 ? data : t[2];
      if (t[1] == 3) {
        b.putShort((short) value).putShort((short) 0);
      } else {
        b.putInt(value);
      }
    }
    b.putInt(0);
    for (int i = 0; i < w * h; i++) {
      b.putFloat(0.5f);
    }
    return b.array();
  }

  /** A JPEG cut mid-scan: ImageIO returns an image padded with grey and only warns. */
  @Test
  void jpegCutInTheScanIsUnreadableNotGrey() throws Exception {
    byte[] rocket = TestImages.bytes("photos/rocket.jpg");
    byte[] cut = Arrays.copyOf(rocket, rocket.length * 2 / 3);
    assertEquals(427, TestImages.imageIo(cut).getHeight(), "ImageIO alone accepts the cut file");
    InputException e = assertThrows(InputException.class, () -> codec.decode(cut, "cut.jpg"));
    assertEquals(ErrorCode.IMAGE_UNREADABLE, e.code(), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"photos/coffee.png", "photos/horse.png", "photos/chessboard_GRAY_U16.tif",
      "geotiff/L7_ETMs.tif"})
  void cutLosslessFilesAreUnreadable(String resource) {
    byte[] data = TestImages.bytes(resource);
    byte[] cut = Arrays.copyOf(data, data.length / 2);
    InputException e = assertThrows(InputException.class, () -> codec.decode(cut, resource));
    assertEquals(ErrorCode.IMAGE_UNREADABLE, e.code(), e.getMessage());
    assertFalse(e.getMessage().contains("Exception"), "the decoder's class stays in the log: " + e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"coffee.png", "chelsea.png", "astronaut.png", "palette_color.png", "horse.png"})
  void pngRoundTripGivesProtectedPixelsBack(String file) throws Exception {
    DecodedImage image = codec.decode(TestImages.bytes("photos/" + file), file);
    byte[] protectedRgb = TestImages.perturb(image.rgb(), 8, file.hashCode());
    byte[] encoded = codec.encode(image, protectedRgb, SAME);
    assertEquals(Optional.of(ImageFormat.PNG), ImageFormat.fromMagic(encoded));
    DecodedImage back = codec.decode(encoded, file);
    assertArrayEquals(protectedRgb, back.rgb());
    assertTrue(TestImages.maxAbsDiff(image.rgb(), back.rgb()) <= 8);
  }

  @Test
  void jpegRoundTripAtQuality95IsClose() throws Exception {
    DecodedImage image = codec.decode(TestImages.bytes("photos/rocket.jpg"), "rocket.jpg");
    byte[] unchanged = codec.encode(image, image.rgb(), SAME);
    assertEquals(Optional.of(ImageFormat.JPEG), ImageFormat.fromMagic(unchanged));
    double plain = TestImages.psnr(image.rgb(), codec.decode(unchanged, "rocket.jpg").rgb());
    assertTrue(plain > 40, "re-encoding the unprotected view: PSNR " + plain);
    // Generator-like smooth noise survives q95 well; per-pixel iid noise would not (4:2:0 chroma).
    byte[] protectedRgb = TestImages.perturbSmooth(image.rgb(), image.width(), image.height(), 8, 7);
    byte[] encoded = codec.encode(image, protectedRgb, SAME);
    DecodedImage back = codec.decode(encoded, "rocket.jpg");
    double psnr = TestImages.psnr(protectedRgb, back.rgb());
    System.out.printf("rocket.jpg q95: PSNR unprotected %.1f dB, smooth-noise %.1f dB, iid-noise %.1f dB%n", plain,
        psnr, TestImages.psnr(TestImages.perturb(image.rgb(), 8, 7), codec.decode(codec.encode(image,
            TestImages.perturb(image.rgb(), 8, 7), SAME), "r").rgb()));
    assertTrue(psnr > 40, "PSNR " + psnr);
    assertEquals(JpegSampling.of(TestImages.bytes("photos/rocket.jpg")), JpegSampling.of(encoded));
    assertEquals(new JpegSampling(1, 1), JpegSampling.of(encoded), "rocket.jpg is 4:4:4");
    // Quality matters: q50 must lose more than q95 did.
    byte[] low = codec.encode(image, protectedRgb, new EncodeOptions(OutputFormat.SAME, 50));
    assertTrue(low.length < encoded.length);
    assertTrue(TestImages.psnr(protectedRgb, codec.decode(low, "r").rgb()) < psnr);
  }

  @Test
  void alphaIsKeptExactly() throws Exception {
    byte[] data = TestImages.bytes("photos/horse.png");
    DecodedImage image = codec.decode(data, "horse.png");
    assertTrue(image.hasAlpha());
    byte[] protectedRgb = TestImages.perturb(image.rgb(), 8, 3);
    BufferedImage out = TestImages.imageIo(codec.encode(image, protectedRgb, SAME));
    BufferedImage in = TestImages.imageIo(data);
    assertEquals(4, out.getRaster().getNumBands());
    assertArrayEquals(in.getAlphaRaster().getSamples(0, 0, in.getWidth(), in.getHeight(), 0, (int[]) null),
        out.getAlphaRaster().getSamples(0, 0, in.getWidth(), in.getHeight(), 0, (int[]) null));
  }

  /** Palette PNGs are written as RGB PNGs: a palette cannot hold the perturbed colours exactly. */
  @Test
  void paletteBecomesRgb() throws Exception {
    DecodedImage image = codec.decode(TestImages.bytes("photos/palette_color.png"), "p.png");
    byte[] protectedRgb = TestImages.perturb(image.rgb(), 8, 5);
    BufferedImage out = TestImages.imageIo(codec.encode(image, protectedRgb, SAME));
    assertFalse(out.getColorModel() instanceof IndexColorModel);
    assertEquals(3, out.getRaster().getNumBands());
    assertArrayEquals(protectedRgb, referenceView(out));
  }

  /** 16-bit gray stays 16-bit gray: high byte = rounded mean of the protected channels, low byte kept. */
  @Test
  void sixteenBitGrayStaysSixteenBitGray() throws Exception {
    byte[] data = TestImages.bytes("photos/chessboard_GRAY_U16.tif");
    DecodedImage image = codec.decode(data, "c.tif");
    assertTrue(image.isGray());
    assertEquals(16, image.bitsPerSample());
    Raster in = TestImages.imageIo(data).getRaster();
    int w = in.getWidth();
    int h = in.getHeight();
    int[] original = in.getSamples(0, 0, w, h, 0, (int[]) null);
    for (int i = 0; i < original.length; i++) {
      for (int c = 0; c < 3; c++) {
        assertEquals(original[i] >> 8, image.rgb()[3 * i + c] & 0xFF);
      }
    }
    byte[] protectedRgb = TestImages.perturb(image.rgb(), 8, 11);
    byte[] encoded = codec.encode(image, protectedRgb, SAME);
    Raster out = TestImages.imageIo(encoded).getRaster();
    assertEquals(1, out.getNumBands());
    assertEquals(16, out.getSampleModel().getSampleSize(0));
    int[] written = out.getSamples(0, 0, w, h, 0, (int[]) null);
    for (int i = 0; i < written.length; i++) {
      int mean = Math.round(((protectedRgb[3 * i] & 0xFF) + (protectedRgb[3 * i + 1] & 0xFF)
          + (protectedRgb[3 * i + 2] & 0xFF)) / 3f);
      assertEquals(mean, written[i] >> 8, "pixel " + i);
      assertEquals(original[i] & 0xFF, written[i] & 0xFF, "low byte of pixel " + i);
      assertTrue(Math.abs((written[i] >> 8) - (original[i] >> 8)) <= 8);
    }
    DecodedImage back = codec.decode(encoded, "c.tif");
    assertTrue(back.isGray());
  }

  /** An 8-bit gray PNG made from the real 16-bit chessboard: output stays 1-band 8-bit gray. */
  @Test
  void eightBitGrayStaysGray() throws Exception {
    Raster source = TestImages.imageIo(TestImages.bytes("photos/chessboard_GRAY_U16.tif")).getRaster();
    BufferedImage gray = new BufferedImage(source.getWidth(), source.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < source.getHeight(); y++) {
      for (int x = 0; x < source.getWidth(); x++) {
        gray.getRaster().setSample(x, y, 0, source.getSample(x, y, 0) >> 8);
      }
    }
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(gray, "png", png);
    DecodedImage image = codec.decode(png.toByteArray(), "g.png");
    assertTrue(image.isGray());
    byte[] protectedRgb = TestImages.perturb(image.rgb(), 8, 13);
    for (OutputFormat format : new OutputFormat[] {OutputFormat.SAME, OutputFormat.JPEG}) {
      BufferedImage out = TestImages.imageIo(codec.encode(image, protectedRgb, new EncodeOptions(format, 95)));
      assertEquals(1, out.getRaster().getNumBands(), format.name());
      if (format == OutputFormat.SAME) {
        int[] written = out.getRaster().getSamples(0, 0, out.getWidth(), out.getHeight(), 0, (int[]) null);
        for (int i = 0; i < written.length; i++) {
          assertEquals(Rasters.gray(protectedRgb, 3 * i), written[i]);
          assertTrue(Math.abs(written[i] - (image.rgb()[3 * i] & 0xFF)) <= 8);
        }
      }
    }
  }

  /** A PNG named .jpg is decoded by content and re-encoded as PNG; SAME keeps its name. */
  @Test
  void wrongExtensionIsDecodedByContent() throws Exception {
    DecodedImage image = codec.decode(TestImages.bytes("photos/coffee.png"), "coffee.jpg");
    assertEquals(ImageFormat.PNG, image.format());
    byte[] protectedRgb = TestImages.perturb(image.rgb(), 8, 17);
    byte[] encoded = codec.encode(image, protectedRgb, SAME);
    assertEquals(Optional.of(ImageFormat.PNG), ImageFormat.fromMagic(encoded));
    assertEquals("coffee.jpg", OutputFormat.SAME.outputPath("coffee.jpg", image.format()));
    assertArrayEquals(protectedRgb, codec.decode(encoded, "coffee.jpg").rgb());
  }

  @Test
  void formatConversions() throws Exception {
    DecodedImage rocket = codec.decode(TestImages.bytes("photos/rocket.jpg"), "rocket.jpg");
    byte[] protectedRgb = TestImages.perturb(rocket.rgb(), 8, 19);
    byte[] png = codec.encode(rocket, protectedRgb, new EncodeOptions(OutputFormat.PNG, 95));
    assertEquals(Optional.of(ImageFormat.PNG), ImageFormat.fromMagic(png));
    assertArrayEquals(protectedRgb, codec.decode(png, "rocket.png").rgb());

    DecodedImage horse = codec.decode(TestImages.bytes("photos/horse.png"), "horse.png");
    byte[] jpeg = codec.encode(horse, horse.rgb(), new EncodeOptions(OutputFormat.JPEG, 95));
    ImageHeader header = codec.readHeader(jpeg, "horse.jpg");
    assertEquals(new JpegSampling(2, 2), JpegSampling.of(jpeg), "non-JPEG input: encoder default 4:2:0");
    assertEquals(ImageFormat.JPEG, header.format());
    assertEquals(3, header.bands());
    assertTrue(TestImages.psnr(horse.rgb(), codec.decode(jpeg, "horse.jpg").rgb()) > 35);
  }

  @Test
  void wrongLengthOfProtectedPixelsIsACallerBug() throws Exception {
    DecodedImage image = codec.decode(TestImages.bytes("photos/palette_color.png"), "p.png");
    assertThrows(IllegalArgumentException.class, () -> codec.encode(image, new byte[5], SAME));
  }
}
