package dev.unseg.pipeline.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The premise of skipping the audit's second decode: where {@link ImageCodec#roundTripsExactly} says
 * so, decode(encode(view)) gives the view back bit for bit, for any pixels (here uniformly random
 * ones, far outside any eps, so no value is spared), in every lossless layout the codec handles.
 */
class ImageCodecLosslessTest {
  private final ImageCodec codec = new ImageCodec(100_000_000L);

  static Stream<Arguments> images() throws IOException {
    return Stream.of(
        Arguments.of("coffee.png", TestImages.bytes("photos/coffee.png")),
        Arguments.of("astronaut.png", TestImages.bytes("photos/astronaut.png")),
        Arguments.of("palette_color.png", TestImages.bytes("photos/palette_color.png")),
        Arguments.of("horse.png", TestImages.bytes("photos/horse.png")),
        Arguments.of("chelsea.png", TestImages.bytes("photos/chelsea.png")),
        Arguments.of("L7_ETMs.tif (6 bands)", TestImages.bytes("geotiff/L7_ETMs.tif")),
        Arguments.of("lc.tif", TestImages.bytes("geotiff/lc.tif")),
        Arguments.of("chessboard_GRAY_U16.tif", TestImages.bytes("photos/chessboard_GRAY_U16.tif")),
        Arguments.of("rgb_u16.tif", TestImages.bytes("geotiff/rgb_u16.tif")),
        Arguments.of("rgbn_u16_11bit.tif (4 bands, LZW)", TestImages.bytes("geotiff/rgbn_u16_11bit.tif")),
        Arguments.of("rgbn_u8.tif (4 bands)", TestImages.bytes("geotiff/rgbn_u8.tif")),
        Arguments.of("rgba.png", png(argb())),
        Arguments.of("rgb16.png", png(rgb16())),
        Arguments.of("rocket.jpg", TestImages.bytes("photos/rocket.jpg")),
        // A lossy TIFF: its output is written losslessly (Deflate), so the claim holds for it too.
        Arguments.of("jpeg-compressed.tif", jpegCompressedTiff()));
  }

  /** rocket.jpg's pixels as a TIFF in JPEG compression (7), written by ImageIO's TIFF writer. */
  private static byte[] jpegCompressedTiff() throws IOException {
    BufferedImage rocket = ImageIO.read(new java.io.ByteArrayInputStream(TestImages.bytes("photos/rocket.jpg")));
    javax.imageio.ImageWriter writer = ImageIO.getImageWritersByFormatName("tiff").next();
    try {
      javax.imageio.ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(javax.imageio.ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionType("JPEG");
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (javax.imageio.stream.ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
        writer.setOutput(out);
        writer.write(null, new javax.imageio.IIOImage(rocket, null, null), param);
      }
      return bytes.toByteArray();
    } finally {
      writer.dispose();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("images")
  void losslessOutputsDecodeToTheProtectedView(String name, byte[] data) throws Exception {
    DecodedImage image = codec.decode(data, name);
    for (OutputFormat format : List.of(OutputFormat.SAME, OutputFormat.PNG)) {
      EncodeOptions options = new EncodeOptions(format, 95);
      ImageFormat target = format.target(image.format());
      boolean exact = codec.roundTripsExactly(image, options);
      // The claim is exactly "lossless target and colour": never broader, never narrower.
      assertTrue(exact == (target != ImageFormat.JPEG && !image.isGray()), name + " -> " + target);
      if (!exact) {
        continue;
      }
      byte[] view = random(image.rgb().length, name.hashCode() + format.ordinal());
      byte[] back = codec.decode(codec.encode(image, view, options), name).rgb();
      assertArrayEquals(view, back, name + " -> " + target);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("images")
  void jpegOutputIsNeverTakenAsExact(String name, byte[] data) throws Exception {
    DecodedImage image = codec.decode(data, name);
    assertFalse(codec.roundTripsExactly(image, new EncodeOptions(OutputFormat.JPEG, 100)));
  }

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static BufferedImage argb() {
    BufferedImage img = new BufferedImage(97, 61, BufferedImage.TYPE_4BYTE_ABGR);
    Random r = new Random(1);
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        img.setRGB(x, y, r.nextInt());
      }
    }
    return img;
  }

  private static BufferedImage rgb16() {
    ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
        Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
    WritableRaster raster = cm.createCompatibleWritableRaster(53, 41);
    Random r = new Random(2);
    for (int y = 0; y < raster.getHeight(); y++) {
      for (int x = 0; x < raster.getWidth(); x++) {
        for (int b = 0; b < 3; b++) {
          raster.setSample(x, y, b, r.nextInt(65536));
        }
      }
    }
    return new BufferedImage(cm, raster, false, null);
  }

  private static byte[] png(BufferedImage img) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (!ImageIO.write(img, "png", out)) {
      throw new IOException("no PNG writer for " + img);
    }
    return out.toByteArray();
  }
}
