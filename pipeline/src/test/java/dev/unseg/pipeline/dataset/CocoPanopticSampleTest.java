package dev.unseg.pipeline.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unseg.pipeline.mask.BinaryMask;
import dev.unseg.pipeline.mask.Rle;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real panopticapi sample: its panoptic PNGs + segments_info, and the same segments as COCO
 * RLE annotations (panoptic_coco_detection_format.json, written by an independent converter).
 */
class CocoPanopticSampleTest {
  private static final String ROOT = "/masks-data/coco-panoptic-sample/";
  private static final Collected PANOPTIC = new Collected();
  private static final Collected DETECTION = new Collected();
  private static final Collected CATEGORIES = new Collected();
  private static LocalAnnotationStore store;

  static final class Collected implements CocoIndexVisitor {
    final List<CocoImageEntry> images = new ArrayList<>();
    final List<CocoAnnotationEntry> annotations = new ArrayList<>();
    final List<PanopticEntry> panoptic = new ArrayList<>();
    final Map<Long, CocoCategory> categories = new HashMap<>();

    @Override
    public void image(CocoImageEntry e) {
      images.add(e);
    }

    @Override
    public void annotation(CocoAnnotationEntry e) {
      annotations.add(e);
    }

    @Override
    public void panoptic(PanopticEntry e) {
      panoptic.add(e);
    }

    @Override
    public void category(CocoCategory c) {
      categories.put(c.id(), c);
    }
  }

  static void read(String name, Collected into) throws Exception {
    try (InputStream in = CocoPanopticSampleTest.class.getResourceAsStream(ROOT + name)) {
      CocoIndexReader.read(in, name, into);
    }
  }

  @BeforeAll
  static void load() throws Exception {
    read("panoptic_examples.json", PANOPTIC);
    read("panoptic_coco_detection_format.json", DETECTION);
    store = new LocalAnnotationStore(root());
    // the categories file is a bare list: read as {"categories": [...]}
    String json = "{\"categories\": " + new String(CocoPanopticSampleTest.class.getResourceAsStream(ROOT + "panoptic_coco_categories.json").readAllBytes(), "UTF-8") + "}";
    CocoIndexReader.read(new java.io.ByteArrayInputStream(json.getBytes("UTF-8")), "panoptic_coco_categories.json", CATEGORIES);
  }

  static Path root() throws URISyntaxException {
    return Path.of(CocoPanopticSampleTest.class.getResource(ROOT + "panoptic_examples.json").toURI()).getParent();
  }

  @Test
  void streamsBothFiles() {
    assertEquals(2, PANOPTIC.images.size());
    assertEquals(2, PANOPTIC.panoptic.size());
    assertEquals(0, PANOPTIC.annotations.size());
    assertEquals(50, DETECTION.annotations.size());
    assertEquals(133, CATEGORIES.categories.size());
    assertEquals(80, CATEGORIES.categories.values().stream().filter(c -> Boolean.TRUE.equals(c.isThing())).count());
    CocoImageEntry first = PANOPTIC.images.get(0);
    assertEquals(new CocoImageEntry(142238, "000000142238.jpg", 640, 427), first);
    int segments = PANOPTIC.panoptic.stream().mapToInt(p -> p.segments().size()).sum();
    assertEquals(50, segments);
    for (CocoAnnotationEntry a : DETECTION.annotations) {
      assertNull(a.problem());
      assertTrue(a.segmentation() instanceof CocoSegmentation.RleCounts);
    }
  }

  private static CocoImageEntry image(long id) {
    return PANOPTIC.images.stream().filter(i -> i.imageId() == id).findFirst().orElseThrow();
  }

  @Test
  void pngSegmentPixelCountsEqualTheirArea() throws Exception {
    for (PanopticEntry p : PANOPTIC.panoptic) {
      CocoImageEntry img = image(p.imageId());
      for (PanopticEntry.Segment s : p.segments()) {
        BinaryMask m = new PanopticPngMask("panoptic_examples/" + p.fileName(), new int[] {(int) s.id()})
            .build(img.width(), img.height(), store);
        assertEquals(s.area(), m.count(), "segment " + s.id());
      }
    }
  }

  /** The detection file lists the same 50 segments in the same order, with 0-based ids. */
  @Test
  void rleAnnotationsEqualThePngSegmentsPixelForPixel() throws Exception {
    List<long[]> pngSegments = new ArrayList<>(); // image id, segment id, category, area
    for (PanopticEntry p : PANOPTIC.panoptic) {
      for (PanopticEntry.Segment s : p.segments()) {
        pngSegments.add(new long[] {p.imageId(), s.id(), s.categoryId(), s.area()});
        assertTrue(p.fileName().endsWith(".png"));
      }
    }
    long crowd = 0;
    for (int i = 0; i < 50; i++) {
      CocoAnnotationEntry a = DETECTION.annotations.get(i);
      long[] s = pngSegments.get(i);
      assertEquals(s[0], a.imageId());
      assertEquals(s[2], a.categoryId());
      CocoImageEntry img = image(a.imageId());
      CocoSegmentation.RleCounts r = (CocoSegmentation.RleCounts) a.segmentation();
      BinaryMask fromRle = Rle.fromString(r.counts(), r.height(), r.width(), "a").decode();
      BinaryMask fromPng = new PanopticPngMask("panoptic_examples/" + img.fileName().replace(".jpg", ".png"), new int[] {(int) s[1]})
          .build(img.width(), img.height(), store);
      assertEquals(s[3], fromRle.count());
      assertEquals(fromPng, fromRle, "segment " + s[1]);
      crowd += a.crowd() ? 1 : 0;
    }
    assertTrue(crowd > 0, "the sample has crowd segments");
  }

  /** Both routes to the default union mask (all non-crowd segments) agree on the real sample. */
  @Test
  void instancesAndPanopticTasksBuildTheSameDefaultMask() throws Exception {
    Map<Long, CocoCategory> categories = CATEGORIES.categories;
    for (String spec : new String[] {"all", "things", "all+crowd", "classes:1,184"}) {
      Selection sel = Selection.parse(spec);
      for (PanopticEntry p : PANOPTIC.panoptic) {
        CocoImageEntry img = image(p.imageId());
        ImageTask pan = CocoTasks.panopticTask(img, p, categories, sel, "panoptic_examples");
        List<CocoAnnotationEntry> anns = DETECTION.annotations.stream().filter(a -> a.imageId() == p.imageId()).toList();
        ImageTask inst = CocoTasks.instancesTask(img, anns, categories, sel);
        assertNull(pan.rejection());
        assertNull(inst.rejection());
        assertEquals("000000" + p.imageId() + ".jpg", pan.imagePath());
        BinaryMask a = pan.mask().build(img.width(), img.height(), store);
        BinaryMask b = inst.mask().build(img.width(), img.height(), store);
        assertEquals(a, b, spec);
        long expected = p.segments().stream()
            .filter(s -> CocoTasks.selected(sel, categories.get(s.categoryId()), s.crowd()))
            .mapToLong(PanopticEntry.Segment::area).sum();
        assertEquals(expected, a.count(), spec); // segments are disjoint
        assertEquals("panoptic_examples/" + p.fileName(), pan.mask().annotationPath());
      }
    }
  }

  /**
   * The class map of each sample image equals the one painted from the independent converter's RLEs:
   * each segment's pixels its class (crowd ignored), the rest (void) background.
   */
  @Test
  void panopticClassMapsEqualThoseFromTheDetectionRles() throws Exception {
    Map<Integer, Integer> someClasses = new HashMap<>();
    for (PanopticEntry p : PANOPTIC.panoptic) {
      CocoImageEntry img = image(p.imageId());
      Map<Integer, Integer> classOfSegment = new HashMap<>();
      for (PanopticEntry.Segment s : p.segments()) {
        // any class numbering will do: the category id folded into 1..200, crowd ignored
        classOfSegment.put((int) s.id(), s.crowd() ? ClassLabels.IGNORE : (int) (1 + s.categoryId() % 200));
      }
      byte[] map = ClassLabels.panoptic(store, "panoptic_examples/" + p.fileName(), img.width(), img.height(), classOfSegment);
      byte[] painted = new byte[img.width() * img.height()];
      for (CocoAnnotationEntry a : DETECTION.annotations) {
        if (a.imageId() != p.imageId()) {
          continue;
        }
        CocoSegmentation.RleCounts r = (CocoSegmentation.RleCounts) a.segmentation();
        byte[] px = Rle.fromString(r.counts(), r.height(), r.width(), "a").decode().pixels();
        byte value = (byte) (a.crowd() ? ClassLabels.IGNORE : 1 + a.categoryId() % 200);
        for (int i = 0; i < px.length; i++) {
          if (px[i] != 0) {
            painted[i] = value;
          }
        }
      }
      assertTrue(java.util.Arrays.equals(painted, map), "image " + p.imageId());
      long background = 0;
      for (byte b : map) {
        background += b == 0 ? 1 : 0;
      }
      assertTrue(background > 0 && background < map.length / 2, "void pixels are background: " + background);
      someClasses.putAll(classOfSegment);
    }
    assertTrue(someClasses.containsValue(ClassLabels.IGNORE), "the sample has a crowd segment");
  }
}
