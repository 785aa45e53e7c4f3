package dev.unseg.pipeline.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unseg.pipeline.error.ErrorCode;
import dev.unseg.pipeline.error.InputException;
import dev.unseg.pipeline.mask.BinaryMask;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelMapLayoutTest {
  @TempDir Path tmp;

  private static Path resource(String p) throws Exception {
    return Path.of(LabelMapLayoutTest.class.getResource("/masks-data/" + p).toURI());
  }

  /** Image size from the file header, as the image codec would report it. */
  private static int[] size(Path image) throws Exception {
    try (ImageInputStream in = ImageIO.createImageInputStream(image.toFile())) {
      Iterator<ImageReader> it = ImageIO.getImageReaders(in);
      ImageReader r = it.next();
      r.setInput(in);
      return new int[] {r.getWidth(0), r.getHeight(0)};
    }
  }

  private BinaryMask build(LabelMapLayout layout, String image, int w, int h) throws InputException {
    ImageTask t = layout.task(image);
    assertNull(t.rejection());
    return t.mask().build(w, h, new LocalAnnotationStore(tmp));
  }

  private ErrorCode failure(LabelMapLayout layout, String image, int w, int h) {
    return assertThrows(InputException.class, () -> build(layout, image, w, h)).code();
  }

  /** Writes an 8-bit gray (or, with palette, indexed) PNG whose pixel (x, y) has label f(x, y). */
  private void png(String rel, int w, int h, boolean palette, java.util.function.IntBinaryOperator f) throws Exception {
    BufferedImage img;
    if (palette) {
      byte[] c = new byte[256];
      for (int i = 0; i < 256; i++) {
        c[i] = (byte) (i * 37);
      }
      img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(8, 256, c, c, c));
    } else {
      img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    }
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.getRaster().setSample(x, y, 0, f.applyAsInt(x, y));
      }
    }
    write(img, rel, "png");
  }

  private void write(BufferedImage img, String rel, String format) throws Exception {
    File f = tmp.resolve(rel).toFile();
    f.getParentFile().mkdirs();
    assertTrue(ImageIO.write(img, format, f), format);
  }

  @Test
  void ade20kRealLabelMaps() throws Exception {
    LabelMapLayout layout = LabelMapLayout.forFormat(DatasetFormat.ADE20K, Selection.defaultFor(DatasetFormat.ADE20K), null);
    Path annotations = resource("ade20k/annotations");
    for (String name : new String[] {"ADE_val_00000001", "ADE_val_00000002", "ADE_val_00000003"}) {
      String image = name + ".jpg";
      assertTrue(layout.isImage(image));
      assertEquals(name + ".png", layout.annotationPathFor(image));
      int[] wh = size(resource("ade20k/images/" + image));
      BinaryMask m = layout.task(image).mask().build(wh[0], wh[1], new LocalAnnotationStore(annotations));
      // independent count straight from the raster
      Raster r = ImageIO.read(annotations.resolve(name + ".png").toFile()).getRaster();
      long labelled = 0;
      long zero = 0;
      for (int y = 0; y < r.getHeight(); y++) {
        for (int x = 0; x < r.getWidth(); x++) {
          int v = r.getSample(x, y, 0);
          assertTrue(v <= 150);
          assertEquals(v > 0, m.get(x, y));
          labelled += v > 0 ? 1 : 0;
          zero += v == 0 ? 1 : 0;
        }
      }
      assertEquals(labelled, m.count());
      assertTrue(labelled > 0 && zero > 0, name + " has labelled and unlabelled pixels");
      // one class: exactly the pixels of the most frequent label
      int[] hist = new int[256];
      for (int y = 0; y < r.getHeight(); y++) {
        for (int x = 0; x < r.getWidth(); x++) {
          hist[r.getSample(x, y, 0)]++;
        }
      }
      int top = 1;
      for (int v = 1; v < 256; v++) {
        top = hist[v] > hist[top] ? v : top;
      }
      LabelMapLayout one = LabelMapLayout.forFormat(DatasetFormat.ADE20K, Selection.parse("class:" + top), null);
      assertEquals(hist[top], one.task(image).mask().build(wh[0], wh[1], new LocalAnnotationStore(annotations)).count());
    }
    assertFalse(layout.isImage("ADE_val_00000001.png"));
  }

  @Test
  void ade20kErrors() throws Exception {
    LabelMapLayout layout = LabelMapLayout.forFormat(DatasetFormat.ADE20K, Selection.all(), null);
    png("val/a.png", 8, 6, false, (x, y) -> x == 7 && y == 5 ? 151 : 3);
    InputException e = assertThrows(InputException.class, () -> build(layout, "val/a.jpg", 8, 6));
    assertEquals(ErrorCode.CLASS_OUT_OF_RANGE, e.code());
    assertTrue(e.getMessage().contains("val/a.png") && e.getMessage().contains("151") && e.getMessage().contains("(7, 5)"), e.getMessage());
    assertEquals(ErrorCode.MASK_SIZE_MISMATCH, failure(layout, "val/a.jpg", 8, 7));
    assertEquals(ErrorCode.ANNOTATION_MISSING, failure(layout, "val/missing.jpg", 8, 6));
    Files.write(tmp.resolve("val/garbage.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
    assertEquals(ErrorCode.ANNOTATION_INVALID, failure(layout, "val/garbage.jpg", 8, 6));
    // a JPEG label map is refused: its labels are compression noise
    write(new BufferedImage(8, 6, BufferedImage.TYPE_BYTE_GRAY), "val/lossy.png", "jpeg");
    assertEquals(ErrorCode.ANNOTATION_INVALID, failure(layout, "val/lossy.jpg", 8, 6));
    // RGB is not a label map
    write(new BufferedImage(8, 6, BufferedImage.TYPE_3BYTE_BGR), "val/rgb.png", "png");
    assertEquals(ErrorCode.ANNOTATION_INVALID, failure(layout, "val/rgb.jpg", 8, 6));
    assertEquals(ErrorCode.PATH_UNSAFE, layout.task("../a.jpg").rejection().code());
    assertEquals(ErrorCode.PATH_UNSAFE, layout.task("/abs.jpg").rejection().code());
    assertThrows(IllegalArgumentException.class, () -> LabelMapLayout.forFormat(DatasetFormat.ADE20K, Selection.parse("things"), null));
    assertThrows(IllegalArgumentException.class, () -> LabelMapLayout.forFormat(DatasetFormat.ADE20K, Selection.parse("class:151"), null));
  }

  @Test
  void cityscapesIgnoreIdsAndThings() throws Exception {
    String image = "val/frankfurt/frankfurt_000000_000294_leftImg8bit.png";
    LabelMapLayout all = LabelMapLayout.forFormat(DatasetFormat.CITYSCAPES, Selection.defaultFor(DatasetFormat.CITYSCAPES), null);
    assertTrue(all.isImage(image));
    assertFalse(all.isImage("val/frankfurt/frankfurt_000000_000294_gtFine_labelIds.png"));
    String label = "val/frankfurt/frankfurt_000000_000294_gtFine_labelIds.png";
    assertEquals(label, all.annotationPathFor(image));
    // one column per label value 0..33, then 255 (license plate, -1)
    png(label, 35, 2, false, (x, y) -> x < 34 ? x : 255);
    BinaryMask m = build(all, image, 35, 2);
    int[] ignored = {0, 1, 2, 3, 4, 5, 6, 9, 10, 14, 15, 16, 18, 29, 30};
    for (int x = 0; x < 35; x++) {
      final int v = x < 34 ? x : 255;
      boolean expected = v != 255 && java.util.Arrays.stream(ignored).noneMatch(i -> i == v);
      assertEquals(expected, m.get(x, 0), "label " + v);
    }
    assertEquals(2 * (34 - ignored.length), m.count());
    LabelMapLayout things = LabelMapLayout.forFormat(DatasetFormat.CITYSCAPES, Selection.parse("things"), null);
    BinaryMask t = build(things, image, 35, 2);
    assertEquals(2 * 8, t.count());
    assertTrue(t.get(24, 1) && t.get(26, 0) && t.get(33, 0) && !t.get(29, 0) && !t.get(30, 0) && !t.get(23, 0));
    png(label, 35, 2, false, (x, y) -> x == 3 ? 34 : 7);
    assertEquals(ErrorCode.CLASS_OUT_OF_RANGE, failure(all, image, 35, 2));
  }

  @Test
  void vocPaletteClassPngs() throws Exception {
    LabelMapLayout voc = LabelMapLayout.forFormat(DatasetFormat.VOC, Selection.defaultFor(DatasetFormat.VOC), null);
    assertTrue(voc.isImage("2007_000032.jpg"));
    assertEquals("2007_000032.png", voc.annotationPathFor("2007_000032.jpg"));
    // palette indices 0 (background), 1..20, and a void border of 255
    png("2007_000032.png", 22, 3, true, (x, y) -> y == 2 ? 255 : Math.min(x, 20));
    BinaryMask m = build(voc, "2007_000032.jpg", 22, 3);
    assertEquals(2 * 21, m.count()); // x = 1..21 on rows 0 and 1
    assertFalse(m.get(0, 0));
    assertFalse(m.get(5, 2));
    LabelMapLayout cls = LabelMapLayout.forFormat(DatasetFormat.VOC, Selection.parse("classes:15,20"), null);
    assertEquals(2 * 3, build(cls, "2007_000032.jpg", 22, 3).count()); // 15, 20, 20
    png("bad.png", 4, 4, true, (x, y) -> x == 2 ? 21 : 0);
    assertEquals(ErrorCode.CLASS_OUT_OF_RANGE, failure(voc, "bad.jpg", 4, 4));
  }

  @Test
  void maskPairs() throws Exception {
    LabelMapLayout def = LabelMapLayout.forFormat(DatasetFormat.MASK_PAIRS, Selection.all(), null);
    for (String ok : new String[] {"a.png", "t/b.JPG", "c.jpeg", "d.tif", "e.TIFF"}) {
      assertTrue(def.isImage(ok), ok);
    }
    assertFalse(def.isImage("x.txt"));
    assertEquals("tiles/t1.png", def.annotationPathFor("tiles/t1.tif"));
    LabelMapLayout tif = LabelMapLayout.forFormat(DatasetFormat.MASK_PAIRS, Selection.all(), "{dir}{stem}_mask.tif");
    assertEquals("tiles/t1_mask.tif", tif.annotationPathFor("tiles/t1.jpg"));
    assertEquals("m/t1.jpg.png", LabelMapLayout.forFormat(DatasetFormat.MASK_PAIRS, Selection.all(), "m/{stem}.{ext}.png").annotationPathFor("x/t1.jpg"));

    // 0/255 gray PNG
    png("tiles/t1.png", 10, 10, false, (x, y) -> x < 4 ? 255 : 0);
    assertEquals(40, build(def, "tiles/t1.tif", 10, 10).count());
    // 0/1 TIFF
    BufferedImage g = new BufferedImage(10, 10, BufferedImage.TYPE_BYTE_GRAY);
    g.getRaster().setSample(3, 3, 0, 1);
    g.getRaster().setSample(4, 3, 0, 1);
    write(g, "tiles/t1_mask.tif", "tiff");
    BinaryMask t = build(tif, "tiles/t1.jpg", 10, 10);
    assertEquals(2, t.count());
    assertTrue(t.get(3, 3) && t.get(4, 3));
    // RGBA cut-out: alpha is the mask, colour ignored
    BufferedImage rgba = new BufferedImage(6, 5, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < 5; y++) {
      for (int x = 0; x < 6; x++) {
        rgba.setRGB(x, y, (y < 2 ? 0xff000000 : 0x00000000) | 0x00ffffff);
      }
    }
    write(rgba, "cut.png", "png");
    assertEquals(12, build(def, "cut.jpg", 6, 5).count());

    png("tiles/t2.png", 10, 10, false, (x, y) -> 0);
    assertEquals(0, build(def, "tiles/t2.tif", 10, 10).count());
    assertEquals(ErrorCode.ANNOTATION_MISSING, failure(tif, "tiles/t9.jpg", 10, 10));
    assertEquals(ErrorCode.MASK_SIZE_MISMATCH, failure(def, "tiles/t1.tif", 10, 11));
    assertEquals(ErrorCode.PATH_UNSAFE,
        LabelMapLayout.forFormat(DatasetFormat.MASK_PAIRS, Selection.all(), "../{stem}.png").task("a.png").rejection().code());
    assertThrows(IllegalArgumentException.class, () -> LabelMapLayout.forFormat(DatasetFormat.MASK_PAIRS, Selection.all(), "{dir}mask.png"));
    assertThrows(IllegalArgumentException.class, () -> LabelMapLayout.forFormat(DatasetFormat.MASK_PAIRS, Selection.all(), "{dir}{stem}{x}.png"));
    assertThrows(IllegalArgumentException.class, () -> LabelMapLayout.forFormat(DatasetFormat.MASK_PAIRS, Selection.parse("things"), null));
    assertThrows(IllegalArgumentException.class, () -> LabelMapLayout.forFormat(DatasetFormat.MASK_PAIRS, Selection.parse("class:70000"), null));
    // Mask values (a trimap's 1): the task's mask file picks them.
    assertEquals(new BinaryMaskFile("a.png", java.util.Set.of(1, 3)),
        LabelMapLayout.forFormat(DatasetFormat.MASK_PAIRS, Selection.parse("classes:1,3"), null).task("a.png").mask());
    assertThrows(IllegalArgumentException.class, () -> LabelMapLayout.forFormat(DatasetFormat.COCO, Selection.all(), null));
  }

  /**
   * horse.png (real, RGBA) has a fully opaque alpha channel: the silhouette is in the colour, a
   * black horse on white. With nothing transparent, the colour decides: nonzero (the white
   * background) is foreground, so the horse itself is the hole.
   */
  @Test
  void maskPairsWithTheRealHorse() throws Exception {
    Path photos = resource("photos");
    BufferedImage img = ImageIO.read(photos.resolve("horse.png").toFile());
    Raster r = img.getRaster();
    assertEquals(4, r.getNumBands());
    long nonzeroColour = 0;
    long transparent = 0;
    for (int y = 0; y < r.getHeight(); y++) {
      for (int x = 0; x < r.getWidth(); x++) {
        boolean any = r.getSample(x, y, 0) != 0 || r.getSample(x, y, 1) != 0 || r.getSample(x, y, 2) != 0;
        nonzeroColour += any ? 1 : 0;
        transparent += r.getSample(x, y, 3) == 0 ? 1 : 0;
      }
    }
    assertEquals(0, transparent);
    LabelMapLayout layout = LabelMapLayout.forFormat(DatasetFormat.MASK_PAIRS, Selection.all(), null);
    BinaryMask m = layout.task("horse.jpg").mask().build(img.getWidth(), img.getHeight(), new LocalAnnotationStore(photos));
    assertEquals(nonzeroColour, m.count());
    assertTrue(m.count() > 0 && m.count() < (long) img.getWidth() * img.getHeight());
  }
}
