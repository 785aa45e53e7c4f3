package dev.unseg.pipeline.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unseg.pipeline.mask.BinaryMask;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The in-place 8-bit read gives the same mask as reading every sample, for each stored layout. */
class BinaryMaskFileTest {
  @TempDir
  Path dir;

  @ParameterizedTest
  @ValueSource(ints = {BufferedImage.TYPE_BYTE_GRAY, BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_INT_RGB,
      BufferedImage.TYPE_USHORT_GRAY, BufferedImage.TYPE_BYTE_BINARY})
  void everyLayoutGivesTheMaskOfItsNonzeroSamples(int type) throws Exception {
    int w = 67;
    int h = 45;
    BufferedImage img = new BufferedImage(w, h, type);
    Random r = new Random(type);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        // sparse single-channel values, so "any band nonzero" differs from "all bands nonzero"
        int v = r.nextInt(4) == 0 ? 0xFF << (8 * r.nextInt(3)) : 0;
        img.setRGB(x, y, 0xFF000000 | v);
      }
    }
    ImageIO.write(img, "png", dir.resolve("m.png").toFile());
    BinaryMask mask = new BinaryMaskFile("m.png").build(w, h, new LocalAnnotationStore(dir));
    BufferedImage back = ImageIO.read(dir.resolve("m.png").toFile());
    byte[] expected = reference(back.getRaster());
    assertArrayEquals(expected, mask.pixels());
    long ones = 0;
    for (byte b : expected) {
      ones += b;
    }
    assertEquals(ones, mask.count()); // 3,015 pixels: count's eight-at-a-time loop and its tail
  }

  /**
   * A JPEG mask (as Kvasir-SEG ships them, gray or RGB): foreground where a channel is 128 or more, as its loaders
   * threshold it. Its compression leaves non-zero values across the black background, which "nonzero" would take for
   * the object. A GIF mask (Carvana's) is a palette mask.
   */
  @ParameterizedTest
  @ValueSource(ints = {BufferedImage.TYPE_BYTE_GRAY, BufferedImage.TYPE_3BYTE_BGR})
  void jpegMasksAreThresholdedAtHalfAndGifMasksRead(int type) throws Exception {
    int w = 97;
    int h = 61;
    BufferedImage drawn = new BufferedImage(w, h, type);
    java.awt.Graphics2D g = drawn.createGraphics();
    g.setColor(java.awt.Color.WHITE);
    g.fillOval(20, 10, 50, 40);
    g.dispose();
    javax.imageio.ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    javax.imageio.ImageWriteParam param = writer.getDefaultWriteParam();
    param.setCompressionMode(javax.imageio.ImageWriteParam.MODE_EXPLICIT);
    param.setCompressionQuality(0.75f);
    try (javax.imageio.stream.ImageOutputStream out = ImageIO.createImageOutputStream(dir.resolve("m.jpg").toFile())) {
      writer.setOutput(out);
      writer.write(null, new javax.imageio.IIOImage(drawn, null, null), param);
    }
    writer.dispose();
    BinaryMask mask = new BinaryMaskFile("m.jpg").build(w, h, new LocalAnnotationStore(dir));

    Raster back = ImageIO.read(dir.resolve("m.jpg").toFile()).getRaster();
    byte[] expected = new byte[w * h];
    long nonzero = 0;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        boolean any = false;
        for (int b = 0; b < back.getNumBands(); b++) {
          expected[y * w + x] |= (byte) (back.getSample(x, y, b) >= 128 ? 1 : 0);
          any |= back.getSample(x, y, b) != 0;
        }
        nonzero += any ? 1 : 0;
      }
    }
    assertArrayEquals(expected, mask.pixels());
    long drawnPixels = new BinaryMaskFile("drawn.png").build(w, h, store(drawn, "drawn.png", "png")).count();
    assertTrue(Math.abs(mask.count() - drawnPixels) <= drawnPixels / 50, mask.count() + " against " + drawnPixels);
    assertTrue(nonzero > drawnPixels + 100, "the compression noise a nonzero rule would take: " + nonzero);

    BinaryMask gif = new BinaryMaskFile("m.gif").build(w, h, store(drawn, "m.gif", "gif"));
    assertEquals(drawnPixels, gif.count());
  }

  /**
   * A mask of several values (Oxford-IIIT Pet's trimaps: 1 pet, 2 background, 3 border), whose nonzero pixels are the
   * whole image: with values selected, exactly the pixels that hold them, gray or palette; a mask whose values are not
   * single-channel and exact (RGB, JPEG) is refused for that image, never guessed.
   */
  @org.junit.jupiter.api.Test
  void selectedValuesOfASingleChannelMask() throws Exception {
    int w = 41;
    int h = 23;
    BufferedImage gray = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    byte[] values = new byte[w * h];
    Random r = new Random(5);
    for (int i = 0; i < values.length; i++) {
      values[i] = (byte) (1 + r.nextInt(3));
      gray.getRaster().setSample(i % w, i / w, 0, values[i]);
    }
    LocalAnnotationStore store = store(gray, "trimap.png", "png");
    assertEquals((long) w * h, new BinaryMaskFile("trimap.png").build(w, h, store).count(), "nonzero: every pixel");
    for (java.util.Set<Integer> picked : java.util.List.of(java.util.Set.of(1), java.util.Set.of(1, 3))) {
      byte[] expected = new byte[values.length];
      for (int i = 0; i < values.length; i++) {
        expected[i] = (byte) (picked.contains((int) values[i]) ? 1 : 0);
      }
      assertArrayEquals(expected, new BinaryMaskFile("trimap.png", picked).build(w, h, store).pixels(), picked.toString());
    }
    // The same values as a palette's indices.
    byte[] ramp = new byte[4];
    for (int i = 0; i < 4; i++) {
      ramp[i] = (byte) (i * 80);
    }
    BufferedImage palette = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED,
        new java.awt.image.IndexColorModel(8, 4, ramp, ramp, ramp));
    palette.getRaster().setRect(gray.getRaster());
    BinaryMask fromPalette = new BinaryMaskFile("p.png", java.util.Set.of(1)).build(w, h, store(palette, "p.png", "png"));
    assertArrayEquals(new BinaryMaskFile("trimap.png", java.util.Set.of(1)).build(w, h, store).pixels(), fromPalette.pixels());

    BufferedImage rgb = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    dev.unseg.pipeline.error.InputException e = org.junit.jupiter.api.Assertions.assertThrows(
        dev.unseg.pipeline.error.InputException.class,
        () -> new BinaryMaskFile("rgb.png", java.util.Set.of(1)).build(w, h, store(rgb, "rgb.png", "png")));
    assertEquals(dev.unseg.pipeline.error.ErrorCode.ANNOTATION_INVALID, e.code());
    assertTrue(e.getMessage().contains("of 3 channels") && e.getMessage().contains("single-channel"), e.getMessage());
    org.junit.jupiter.api.Assertions.assertThrows(dev.unseg.pipeline.error.InputException.class,
        () -> new BinaryMaskFile("g.jpg", java.util.Set.of(1)).build(w, h, store(gray, "g.jpg", "jpeg")));
  }

  /**
   * Colour-coded label masks (ISPRS Potsdam's: white impervious surfaces, blue buildings, green trees; CamVid's): every
   * pixel is nonzero, so the objects are selected by colour, from RGB and RGBA masks and from a palette's colours;
   * a colour selection on a gray mask, and a value selection on a colour mask, are refused with the form that fits.
   */
  @org.junit.jupiter.api.Test
  void selectedColoursOfAColourCodedMask() throws Exception {
    int w = 37;
    int h = 19;
    int[] palette = {0xFFFFFF, 0x0000FF, 0x00FF00, 0xFF0000};
    int[] classes = new int[w * h];
    Random r = new Random(7);
    BufferedImage rgb = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    BufferedImage rgba = new BufferedImage(w, h, BufferedImage.TYPE_4BYTE_ABGR);
    byte[] red = new byte[4];
    byte[] green = new byte[4];
    byte[] blue = new byte[4];
    for (int i = 0; i < 4; i++) {
      red[i] = (byte) (palette[i] >> 16);
      green[i] = (byte) (palette[i] >> 8);
      blue[i] = (byte) palette[i];
    }
    BufferedImage indexed = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED,
        new java.awt.image.IndexColorModel(8, 4, red, green, blue));
    for (int i = 0; i < classes.length; i++) {
      classes[i] = r.nextInt(4);
      rgb.setRGB(i % w, i / w, palette[classes[i]]);
      rgba.setRGB(i % w, i / w, 0xFF000000 | palette[classes[i]]);
      indexed.getRaster().setSample(i % w, i / w, 0, classes[i]);
    }
    java.util.Set<Integer> buildingsAndTrees = java.util.Set.of((int) Selection.colour(0x0000FF), (int) Selection.colour(0x00FF00));
    byte[] expected = new byte[classes.length];
    for (int i = 0; i < classes.length; i++) {
      expected[i] = (byte) (classes[i] == 1 || classes[i] == 2 ? 1 : 0);
    }
    LocalAnnotationStore store = store(rgb, "rgb.png", "png");
    store(rgba, "rgba.png", "png");
    store(indexed, "indexed.png", "png");
    assertEquals((long) w * h, new BinaryMaskFile("rgb.png").build(w, h, store).count(), "nonzero: every pixel");
    for (String mask : java.util.List.of("rgb.png", "rgba.png", "indexed.png")) {
      assertArrayEquals(expected, new BinaryMaskFile(mask, buildingsAndTrees).build(w, h, store).pixels(), mask);
    }
    dev.unseg.pipeline.error.InputException values = org.junit.jupiter.api.Assertions.assertThrows(
        dev.unseg.pipeline.error.InputException.class, () -> new BinaryMaskFile("rgb.png", java.util.Set.of(1)).build(w, h, store));
    assertTrue(values.getMessage().contains("class:#0000ff"), values.getMessage());
    BufferedImage gray = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    dev.unseg.pipeline.error.InputException colours = org.junit.jupiter.api.Assertions.assertThrows(
        dev.unseg.pipeline.error.InputException.class,
        () -> new BinaryMaskFile("gray.png", buildingsAndTrees).build(w, h, store(gray, "gray.png", "png")));
    assertTrue(colours.getMessage().contains("not an 8-bit RGB or palette image"), colours.getMessage());
  }

  private LocalAnnotationStore store(BufferedImage img, String name, String format) throws java.io.IOException {
    assertTrue(ImageIO.write(img, format, dir.resolve(name).toFile()), format);
    return new LocalAnnotationStore(dir);
  }

  private static byte[] reference(Raster r) {
    byte[] m = new byte[r.getWidth() * r.getHeight()];
    for (int y = 0; y < r.getHeight(); y++) {
      for (int x = 0; x < r.getWidth(); x++) {
        for (int b = 0; b < r.getNumBands(); b++) {
          m[y * r.getWidth() + x] |= (byte) (r.getSample(x, y, b) != 0 ? 1 : 0);
        }
      }
    }
    return m;
  }
}
