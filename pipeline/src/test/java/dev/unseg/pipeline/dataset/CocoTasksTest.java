package dev.unseg.pipeline.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unseg.pipeline.error.ErrorCode;
import dev.unseg.pipeline.error.InputException;
import dev.unseg.pipeline.mask.BinaryMask;
import dev.unseg.pipeline.mask.PolygonRasterizer;
import dev.unseg.pipeline.mask.Rle;
import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CocoTasksTest {
  private static final Map<Long, CocoCategory> CATS = Map.of(
      1L, new CocoCategory(1, "person", true), 2L, new CocoCategory(2, "car", true), 90L, new CocoCategory(90, "sky", false));
  private static final CocoImageEntry IMAGE = new CocoImageEntry(5, "train/x.jpg", 40, 30);
  @TempDir Path tmp;

  private static CocoAnnotationEntry poly(long id, long cat, boolean crowd, double... xy) {
    return new CocoAnnotationEntry(id, 5, cat, crowd, new CocoSegmentation.Polygons(new double[][] {xy}), null);
  }

  private BinaryMask build(ImageTask t, int w, int h) throws InputException {
    assertNull(t.rejection(), () -> t.rejection().message());
    return t.mask().build(w, h, new LocalAnnotationStore(tmp));
  }

  @Test
  void selectionModesAndCrowd() throws Exception {
    List<CocoAnnotationEntry> anns = List.of(
        poly(1, 1, false, 0, 0, 10, 0, 10, 10, 0, 10),
        poly(2, 2, true, 20, 0, 30, 0, 30, 10, 20, 10),
        poly(3, 90, false, 0, 20, 40, 20, 40, 30, 0, 30));
    assertEquals(100 + 400, build(CocoTasks.instancesTask(IMAGE, anns, CATS, Selection.parse("all")), 40, 30).count());
    assertEquals(600, build(CocoTasks.instancesTask(IMAGE, anns, CATS, Selection.parse("all+crowd")), 40, 30).count());
    assertEquals(100, build(CocoTasks.instancesTask(IMAGE, anns, CATS, Selection.parse("things")), 40, 30).count());
    assertEquals(200, build(CocoTasks.instancesTask(IMAGE, anns, CATS, Selection.parse("things+crowd")), 40, 30).count());
    assertEquals(0, build(CocoTasks.instancesTask(IMAGE, anns, CATS, Selection.parse("class:2")), 40, 30).count());
    assertEquals(500, build(CocoTasks.instancesTask(IMAGE, anns, CATS, Selection.parse("classes:1,90")), 40, 30).count());
    BinaryMask empty = build(CocoTasks.instancesTask(IMAGE, List.of(), CATS, Selection.all()), 40, 30);
    assertTrue(empty.isEmpty());
  }

  @Test
  void rleAndPolygonAreRasterizedAtTheIndexSize() throws Exception {
    Rle rle = PolygonRasterizer.rasterize(new double[][] {{5, 5, 25, 5, 25, 25}}, 30, 40, "t");
    var rleAnn = new CocoAnnotationEntry(9, 5, 1, false, new CocoSegmentation.RleCounts(30, 40, rle.toCompressedString()), null);
    ImageTask t = CocoTasks.instancesTask(IMAGE, List.of(rleAnn), CATS, Selection.all());
    assertEquals(rle.decode(), build(t, 40, 30));
    InputException e = assertThrows(InputException.class, () -> t.mask().build(41, 30, new LocalAnnotationStore(tmp)));
    assertEquals(ErrorCode.MASK_SIZE_MISMATCH, e.code());
    assertTrue(e.getMessage().contains("train/x.jpg"), e.getMessage());
    var wrongSize = new CocoAnnotationEntry(9, 5, 1, false, new CocoSegmentation.RleCounts(31, 40, "0"), null);
    assertEquals(ErrorCode.MASK_SIZE_MISMATCH, CocoTasks.instancesTask(IMAGE, List.of(wrongSize), CATS, Selection.all()).rejection().code());
    // a wrong-sum RLE that reached the task anyway fails at build time
    var wrongSum = new CocoAnnotationEntry(9, 5, 1, false, new CocoSegmentation.RleCounts(30, 40, "12"), null);
    ImageTask bad = CocoTasks.instancesTask(IMAGE, List.of(wrongSum), CATS, Selection.all());
    assertEquals(ErrorCode.RLE_INVALID, assertThrows(InputException.class, () -> build(bad, 40, 30)).code());
  }

  @Test
  void rejections() throws Exception {
    var ok = List.of(poly(1, 1, false, 0, 0, 10, 0, 10, 10));
    for (String path : new String[] {"../x.jpg", "/abs.jpg", "a/../../x.jpg", "s3a://bucket/x.jpg", "a\\..\\x.jpg", ""}) {
      ImageTask t = CocoTasks.instancesTask(new CocoImageEntry(5, path, 40, 30), ok, CATS, Selection.all());
      assertEquals(ErrorCode.PATH_UNSAFE, t.rejection().code(), path);
      assertEquals(path, t.imagePath());
      assertNull(t.mask());
    }
    ImageTask unknown = CocoTasks.instancesTask(IMAGE, List.of(poly(1, 77, false, 0, 0, 10, 0, 10, 10)), CATS, Selection.all());
    assertEquals(ErrorCode.CLASS_OUT_OF_RANGE, unknown.rejection().code());
    assertTrue(unknown.rejection().message().contains("77") && unknown.rejection().message().contains("train/x.jpg"));
    var broken = new CocoAnnotationEntry(3, 5, 1, false, null, new ImageTask.Rejection(ErrorCode.POLYGON_INVALID, "t.json: annotation 3 bad"));
    assertEquals(ErrorCode.POLYGON_INVALID, CocoTasks.instancesTask(IMAGE, List.of(broken), CATS, Selection.all()).rejection().code());

    PanopticEntry p = new PanopticEntry(5, "x.png", List.of(new PanopticEntry.Segment(3, 77, false, 1)), null);
    assertEquals(ErrorCode.CLASS_OUT_OF_RANGE, CocoTasks.panopticTask(IMAGE, p, CATS, Selection.all(), "pan").rejection().code());
    assertEquals(ErrorCode.ANNOTATION_MISSING, CocoTasks.panopticTask(IMAGE, null, CATS, Selection.all(), "pan").rejection().code());
    PanopticEntry unsafe = new PanopticEntry(5, "../../etc/x.png", List.of(), null);
    assertEquals(ErrorCode.PATH_UNSAFE, CocoTasks.panopticTask(IMAGE, unsafe, CATS, Selection.all(), "pan").rejection().code());
    // a panoptic PNG that is not there fails the image at build time
    ImageTask missing = CocoTasks.panopticTask(IMAGE, new PanopticEntry(5, "x.png", List.of(), null), CATS, Selection.all(), "pan");
    assertEquals(ErrorCode.ANNOTATION_MISSING, assertThrows(InputException.class, () -> build(missing, 40, 30)).code());
  }

  @Test
  void tasksSerialize() throws Exception {
    ImageTask t = CocoTasks.instancesTask(IMAGE, List.of(poly(1, 1, false, 0, 0, 10, 0, 10, 10)), CATS, Selection.all());
    try (ObjectOutputStream out = new ObjectOutputStream(new ByteArrayOutputStream())) {
      out.writeObject(t);
      out.writeObject(poly(1, 1, false, 0, 0, 1, 1));
    }
  }
}
