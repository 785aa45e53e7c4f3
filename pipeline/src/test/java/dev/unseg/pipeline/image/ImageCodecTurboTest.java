package dev.unseg.pipeline.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * libjpeg-turbo decodes every kind of JPEG to exactly ImageIO's pixels (or hands it to ImageIO), and
 * encodes what ImageIO's writer encodes. Skipped only where libturbojpeg is not installed (CI installs it).
 */
class ImageCodecTurboTest {
  private static final long MAX = 100_000_000L;
  private static ImageCodec turbo;
  private static ImageCodec imageio;

  @BeforeAll
  static void codecs() {
    assumeTrue(TurboJpeg.available(), () -> "libturbojpeg missing: " + TurboJpeg.unavailableReason());
    turbo = new ImageCodec(MAX, JpegCodec.TURBO);
    imageio = new ImageCodec(MAX, JpegCodec.IMAGEIO);
  }

  /** A photo-like test card: gradients, hard edges and fine noise, so every DCT band and edge block matters. */
  static BufferedImage card(int w, int h, int type, long seed) {
    BufferedImage img = new BufferedImage(w, h, type);
    Random rnd = new Random(seed);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int r = (x * 255 / Math.max(1, w - 1) + rnd.nextInt(24)) & 0xff;
        int g = ((y * 255 / Math.max(1, h - 1)) ^ (((x / 5 + y / 7) & 1) * 90)) & 0xff;
        int b = (x + y) % 37 < 18 ? 230 - rnd.nextInt(30) : 20 + rnd.nextInt(30);
        img.setRGB(x, y, r << 16 | g << 8 | b);
      }
    }
    return img;
  }

  /** ImageIO's JPEG writer with luma sampling {@code h x v} (null: the writer's default) and optional progression. */
  static byte[] imageIoJpeg(BufferedImage img, JpegSampling sampling, boolean progressive) throws Exception {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    try {
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(0.9f);
      if (progressive) {
        param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
      }
      IIOMetadata metadata = sampling == null ? null
          : sampling.metadataFor(writer, new ImageTypeSpecifier(img), param);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
        writer.setOutput(out);
        writer.write(null, new IIOImage(img, null, metadata), param);
      }
      return bytes.toByteArray();
    } finally {
      writer.dispose();
    }
  }

  /** Every kind of JPEG, by name, in the sizes that matter (a 640x480 photo size, odd sizes smaller than an MCU). */
  static Map<String, byte[]> kinds() throws Exception {
    Map<String, byte[]> kinds = new LinkedHashMap<>();
    int[][] sizes = {{640, 480}, {33, 17}, {17, 33}, {1, 1}, {7, 5}};
    for (int[] s : sizes) {
      String size = s[0] + "x" + s[1];
      BufferedImage rgb = card(s[0], s[1], BufferedImage.TYPE_INT_RGB, s[0] * 31L + s[1]);
      BufferedImage gray = card(s[0], s[1], BufferedImage.TYPE_BYTE_GRAY, s[0] + 7L * s[1]);
      kinds.put("4:2:0 " + size, imageIoJpeg(rgb, null, false));
      kinds.put("4:2:2 " + size, imageIoJpeg(rgb, new JpegSampling(2, 1), false));
      kinds.put("4:4:4 " + size, imageIoJpeg(rgb, new JpegSampling(1, 1), false));
      kinds.put("4:4:0 " + size, imageIoJpeg(rgb, new JpegSampling(1, 2), false));
      kinds.put("4:1:1 " + size, imageIoJpeg(rgb, new JpegSampling(4, 1), false));
      kinds.put("progressive 4:2:0 " + size, imageIoJpeg(rgb, null, true));
      kinds.put("progressive 4:4:4 " + size, imageIoJpeg(rgb, new JpegSampling(1, 1), true));
      kinds.put("gray " + size, imageIoJpeg(gray, null, false));
      kinds.put("progressive gray " + size, imageIoJpeg(gray, null, true));
      byte[] pixels = rgbBytes(rgb);
      kinds.put("turbo-written 4:2:2 " + size, TurboJpeg.encode(pixels, s[0], s[1], TurboJpeg.SAMP_422, 75));
      kinds.put("turbo-written 4:4:4 " + size, TurboJpeg.encode(pixels, s[0], s[1], TurboJpeg.SAMP_444, 100));
    }
    byte[] base = kinds.get("4:2:0 640x480");
    for (int o = 2; o <= 8; o++) {
      kinds.put("EXIF orientation " + o, JpegMarkers.insertAfterJfif(base, ExifOrientation.segment(o)));
    }
    kinds.put("CMYK", CmykJpegTest.cmykJpeg(48, 40));
    Path root = JpegColorTest.ROOT.resolve("samples");
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.filter(f -> f.toString().toLowerCase().endsWith(".jpg")).sorted().toList()) {
        kinds.put(root.relativize(p).toString(), Files.readAllBytes(p));
      }
    }
    kinds.put("photos/rocket.jpg (test resource)", TestImages.bytes("photos/rocket.jpg"));
    return kinds;
  }

  static byte[] rgbBytes(BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    byte[] out = new byte[w * h * 3];
    for (int y = 0, o = 0; y < h; y++) {
      for (int x = 0; x < w; x++, o += 3) {
        int v = img.getRGB(x, y);
        out[o] = (byte) (v >> 16);
        out[o + 1] = (byte) (v >> 8);
        out[o + 2] = (byte) v;
      }
    }
    return out;
  }

  @Test
  void decodesEveryKindToImageIosPixels() throws Exception {
    Map<String, byte[]> kinds = kinds();
    assertEquals(true, kinds.keySet().stream().anyMatch(k -> k.startsWith("coco/")), "samples/ photos found");
    for (Map.Entry<String, byte[]> kind : kinds.entrySet()) {
      DecodedImage a = imageio.decode(kind.getValue(), kind.getKey());
      DecodedImage b = turbo.decode(kind.getValue(), kind.getKey());
      String what = kind.getKey();
      assertArrayEquals(a.rgb(), b.rgb(), what + ": pixels");
      assertEquals(a.isGray(), b.isGray(), what + ": gray");
      assertEquals(a.bands(), b.bands(), what + ": bands");
      assertEquals(a.bitsPerSample(), b.bitsPerSample(), what + ": bits");
      assertEquals(a.exifOrientation(), b.exifOrientation(), what + ": orientation");
      assertEquals(a.jpegSampling(), b.jpegSampling(), what + ": sampling");
      assertArrayEquals(a.jpeg().segments(), b.jpeg().segments(), what + ": carried segments");
      // Same stored layout: a lossless re-encode of both is the same file.
      EncodeOptions png = new EncodeOptions(OutputFormat.PNG, 95);
      assertArrayEquals(imageio.encode(a, a.rgb(), png), turbo.encode(b, b.rgb(), png), what + ": PNG layout");
    }
  }

  @Test
  void turboItselfDecodesTheKindsItMatchesAndOnlyThose() throws Exception {
    // Guards the test above against a silent fallback to ImageIO: which kinds libjpeg-turbo decodes itself.
    for (Map.Entry<String, byte[]> kind : kinds().entrySet()) {
      String k = kind.getKey();
      JpegMarkers m = JpegMarkers.scan(kind.getValue());
      ImageHeader h = HeaderParser.parse(kind.getValue(), k);
      byte[] direct = TurboJpeg.decode(kind.getValue(), h.width(), h.height(), m.components() == 1);
      boolean fallback = k.startsWith("4:4:0") || k.startsWith("4:1:1") || k.equals("CMYK");
      assertEquals(!fallback, direct != null, k + ": decoded by libjpeg-turbo itself");
    }
  }

  @Test
  void encodesWhatImageIoEncodesAndTheSameBytesOnRerun() throws Exception {
    Map<String, byte[]> kinds = kinds();
    List<String> checked = new ArrayList<>();
    for (String kind : List.of("4:2:0 640x480", "4:2:2 33x17", "4:4:4 640x480", "4:4:0 17x33", "gray 640x480",
        "EXIF orientation 6", "coco/val2017/000000142238.jpg", "CMYK")) {
      byte[] input = kinds.get(kind);
      DecodedImage img = turbo.decode(input, kind);
      byte[] protectedRgb = TestImages.perturb(img.rgb(), 8, 42);
      EncodeOptions options = EncodeOptions.defaults();
      byte[] fromTurbo = turbo.encode(img, protectedRgb, options);
      byte[] fromImageIo = imageio.encode(img, protectedRgb, options);
      assertArrayEquals(fromTurbo, turbo.encode(img, protectedRgb, options), kind + ": rerun");
      JpegMarkers t = JpegMarkers.scan(fromTurbo);
      JpegMarkers i = JpegMarkers.scan(fromImageIo);
      assertEquals(i.components(), t.components(), kind + ": components");
      assertEquals(i.firstSampling(), t.firstSampling(), kind + ": sampling");
      assertArrayEquals(i.iccSegments(), t.iccSegments(), kind + ": ICC");
      assertEquals(ExifOrientation.read(fromImageIo), ExifOrientation.read(fromTurbo), kind + ": orientation");
      assertArrayEquals(segments(fromImageIo, 0xDB), segments(fromTurbo, 0xDB), kind + ": quantisation tables");
      // Same quality, sampling and DCT: the written pixels are the same too.
      assertArrayEquals(imageio.decode(fromImageIo, kind).rgb(), imageio.decode(fromTurbo, kind).rgb(),
          kind + ": decoded output");
      checked.add(kind);
    }
    assertEquals(8, checked.size());
    assertNotEquals(ExifOrientation.NORMAL, ExifOrientation.read(turbo.encode(
        turbo.decode(kinds.get("EXIF orientation 6"), "o6"), turbo.decode(kinds.get("EXIF orientation 6"), "o6").rgb(),
        EncodeOptions.defaults())));
  }

  @Test
  void pngInputsBecome420JpegsAsWithImageIo() throws Exception {
    BufferedImage img = card(65, 49, BufferedImage.TYPE_INT_RGB, 3);
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(img, "png", png);
    DecodedImage d = turbo.decode(png.toByteArray(), "card.png");
    EncodeOptions jpeg = new EncodeOptions(OutputFormat.JPEG, 90);
    byte[] t = turbo.encode(d, d.rgb(), jpeg);
    byte[] i = imageio.encode(d, d.rgb(), jpeg);
    assertEquals(0x22, JpegMarkers.scan(t).firstSampling());
    assertEquals(JpegMarkers.scan(i).firstSampling(), JpegMarkers.scan(t).firstSampling());
    assertArrayEquals(imageio.decode(i, "i").rgb(), imageio.decode(t, "t").rgb());
  }

  @Test
  void damagedFilesFailAsWithImageIo() {
    byte[] cut = TestImages.bytes("photos/truncated.jpg");
    String a = assertThrows(dev.unseg.pipeline.error.InputException.class, () -> imageio.decode(cut, "t.jpg")).getMessage();
    String b = assertThrows(dev.unseg.pipeline.error.InputException.class, () -> turbo.decode(cut, "t.jpg")).getMessage();
    assertEquals(a, b);
    // The failed call does not leave this thread's TurboJPEG handle unusable.
    assertNotNull(TurboJpeg.decode(TestImages.bytes("photos/rocket.jpg"), 640, 427, false));
  }

  @Test
  void autoResolvesToTurboHere() {
    assertEquals(JpegCodec.TURBO, new ImageCodec(MAX).jpegCodec());
    assertEquals(JpegCodec.IMAGEIO, imageio.jpegCodec());
  }

  /** The concatenated marker segments of one type before the first scan. */
  static byte[] segments(byte[] jpeg, int marker) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int i = 2;
    while (i + 3 < jpeg.length && (jpeg[i] & 0xff) == 0xff && (jpeg[i + 1] & 0xff) != 0xDA) {
      int length = HeaderParser.be16(jpeg, i + 2);
      if ((jpeg[i + 1] & 0xff) == marker) {
        // Writers group tables differently (one DQT or several); compare the tables, not the framing.
        out.write(jpeg, i + 4, length - 2);
      }
      i += 2 + length;
    }
    return out.toByteArray();
  }
}
