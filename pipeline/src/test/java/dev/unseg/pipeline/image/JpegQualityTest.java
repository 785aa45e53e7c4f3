package dev.unseg.pipeline.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * A JPEG's quality is read back from its quantization table, for {@code --jpeg-quality same}: exactly, for
 * what libjpeg-turbo, the JDK and Pillow write; and {@code same} writes each JPEG at its own quality.
 */
class JpegQualityTest {
  private static final long MAX = 100_000_000L;

  private static DecodedImage card(ImageCodec codec) throws Exception {
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(ImageCodecTurboTest.card(48, 32, BufferedImage.TYPE_INT_RGB, 5), "png", png);
    return codec.decode(png.toByteArray(), "card.png");
  }

  @Test
  void everyQualityIsReadBackFromWhatBothEncodersWrite() throws Exception {
    assumeTrue(TurboJpeg.available(), () -> "libturbojpeg missing: " + TurboJpeg.unavailableReason());
    List<String> wrong = new ArrayList<>();
    for (JpegCodec codec : List.of(JpegCodec.TURBO, JpegCodec.IMAGEIO)) {
      ImageCodec c = new ImageCodec(MAX, codec);
      DecodedImage card = card(c);
      for (int q = 1; q <= 100; q++) {
        int read = JpegMarkers.scan(c.encode(card, card.rgb(), new EncodeOptions(OutputFormat.JPEG, q))).quality();
        if (read != q) {
          wrong.add(codec + " q" + q + " read as " + read);
        }
      }
    }
    assertEquals(List.of(), wrong);
  }

  @Test
  void filesOfOtherToolsReadTheQualityTheyWereWrittenAt() throws Exception {
    // Written by Pillow (LICENSES.md), and two COCO val2017 photos, which Pillow's tables also put at 96.
    for (int q : new int[] {30, 75, 90}) {
      assertEquals(q, JpegMarkers.scan(TestImages.bytes("photos/coffee_q" + q + ".jpg")).quality(), "Pillow q" + q);
    }
    for (String coco : List.of("000000142238.jpg", "000000439180.jpg")) {
      byte[] photo = Files.readAllBytes(JpegColorTest.ROOT.resolve("samples/coco/val2017").resolve(coco));
      assertEquals(96, JpegMarkers.scan(photo).quality(), coco);
    }
    assertEquals(-1, JpegMarkers.scan(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xD9}).quality());
  }

  @Test
  void sameWritesEachJpegAtItsOwnQualityAndOtherInputsAtTheDefault() throws Exception {
    EncodeOptions same = new EncodeOptions(OutputFormat.SAME, EncodeOptions.INPUT_JPEG_QUALITY);
    for (JpegCodec codec : TurboJpeg.available() ? List.of(JpegCodec.TURBO, JpegCodec.IMAGEIO) : List.of(JpegCodec.IMAGEIO)) {
      ImageCodec c = new ImageCodec(MAX, codec);
      for (int q : new int[] {30, 75, 90}) {
        byte[] input = TestImages.bytes("photos/coffee_q" + q + ".jpg");
        DecodedImage img = c.decode(input, "coffee_q" + q + ".jpg");
        byte[] out = c.encode(img, TestImages.perturb(img.rgb(), 8, q), same);
        assertEquals(q, JpegMarkers.scan(out).quality(), codec + " q" + q);
        if (codec == JpegCodec.TURBO) {
          // libjpeg-turbo writes the very tables Pillow (libjpeg) wrote; the JDK rounds some by one (at q30).
          assertArrayEquals(ImageCodecTurboTest.segments(input, 0xDB), ImageCodecTurboTest.segments(out, 0xDB),
              codec + " q" + q + ": tables");
        }
        assertTrue(out.length < 2 * input.length, codec + " q" + q + ": " + out.length + " bytes against " + input.length);
      }
      DecodedImage png = card(c);
      byte[] fromPng = c.encode(png, png.rgb(), new EncodeOptions(OutputFormat.JPEG, EncodeOptions.INPUT_JPEG_QUALITY));
      assertEquals(EncodeOptions.DEFAULT_JPEG_QUALITY, JpegMarkers.scan(fromPng).quality(), codec + ": PNG input");
    }
    assertEquals("same", same.jpegQualitySetting());
    assertEquals("95", EncodeOptions.defaults().jpegQualitySetting());
  }
}
