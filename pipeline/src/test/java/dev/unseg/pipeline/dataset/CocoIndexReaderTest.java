package dev.unseg.pipeline.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unseg.pipeline.error.ErrorCode;
import dev.unseg.pipeline.mask.Rle;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CocoIndexReaderTest {

  static CocoPanopticSampleTest.Collected read(String json) throws Exception {
    CocoPanopticSampleTest.Collected c = new CocoPanopticSampleTest.Collected();
    CocoIndexReader.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "test.json", c);
    return c;
  }

  @Test
  void keysInAnyOrderAndUnknownKeysSkipped() throws Exception {
    String json = """
        {"annotations": [{"segmentation": [[1, 2, 10, 2, 10, 9]], "extra": {"deep": [1, [2]]}, "category_id": 3,
                          "image_id": 7, "id": 11, "iscrowd": 0}],
         "info": {"x": [1, 2, {"y": null}]},
         "categories": [{"name": "car", "id": 3}],
         "images": [{"height": 20, "file_name": "a/b.jpg", "id": 7, "width": 30}]}
        """;
    var c = read(json);
    assertEquals(List.of(new CocoImageEntry(7, "a/b.jpg", 30, 20)), c.images);
    assertEquals(new CocoCategory(3, "car", null), c.categories.get(3L));
    CocoAnnotationEntry a = c.annotations.get(0);
    assertEquals(11, a.id());
    assertEquals(7, a.imageId());
    assertEquals(3, a.categoryId());
    assertNull(a.problem());
    double[][] parts = ((CocoSegmentation.Polygons) a.segmentation()).parts();
    assertEquals(6, parts[0].length);
    assertEquals(10.0, parts[0][4]);
  }

  @Test
  void listCountsBecomeTheCompressedString() throws Exception {
    var c = read("""
        {"annotations": [{"id": 1, "image_id": 2, "category_id": 3, "iscrowd": 1,
          "segmentation": {"size": [3, 4], "counts": [2, 5, 1, 4]}}]}""");
    CocoAnnotationEntry a = c.annotations.get(0);
    assertTrue(a.crowd());
    CocoSegmentation.RleCounts r = (CocoSegmentation.RleCounts) a.segmentation();
    assertEquals(Rle.of(3, 4, new int[] {2, 5, 1, 4}, "t"), Rle.fromString(r.counts(), 3, 4, "t"));
    assertEquals(5 + 4, Rle.fromString(r.counts(), 3, 4, "t").area());
  }

  @Test
  void badAnnotationsRecordTheirProblemWithoutThrowing() throws Exception {
    var c = read("""
        {"annotations": [
          {"id": 1, "image_id": 9, "category_id": 1, "segmentation": [[1, 2, NaN, 4, 5, 6]]},
          {"id": 2, "image_id": 9, "category_id": 1, "segmentation": [[1, 2]]},
          {"id": 3, "image_id": 9, "category_id": 1, "segmentation": {"size": [2, 2], "counts": "~~~"}},
          {"id": 4, "image_id": 9, "category_id": 1, "segmentation": {"size": [2, 2], "counts": [1, 1]}},
          {"id": 5, "image_id": 9, "category_id": 1, "segmentation": [[1, "x", 3, 4, 5, 6]]},
          {"id": 6, "image_id": 9, "category_id": 1},
          {"id": 7, "image_id": 9, "category_id": 1, "segmentation": [[0, 0, 4, 0, 4, 4]]},
          {"id": 8, "image_id": 9, "category_id": 1, "segmentation": {"counts": "12"}}
        ]}""");
    ErrorCode[] expected = {ErrorCode.POLYGON_INVALID, ErrorCode.POLYGON_INVALID, ErrorCode.RLE_INVALID, ErrorCode.RLE_INVALID,
        ErrorCode.POLYGON_INVALID, ErrorCode.ANNOTATION_INVALID, null, ErrorCode.RLE_INVALID};
    assertEquals(expected.length, c.annotations.size());
    for (int i = 0; i < expected.length; i++) {
      CocoAnnotationEntry a = c.annotations.get(i);
      if (expected[i] == null) {
        assertNull(a.problem());
      } else {
        assertEquals(expected[i], a.problem().code(), a.problem().message());
        assertTrue(a.problem().message().contains("test.json: annotation " + a.id() + " of image 9"), a.problem().message());
        assertNull(a.segmentation());
      }
    }
  }

  @Test
  void malformedJsonNamesFileLineAndColumn() {
    String json = "{\"images\": [\n  {\"id\": 1, \"file_name\": \"a.jpg\"},\n  {\"id\": 2 \"file_name\": \"b.jpg\"}\n]}";
    InvalidIndexException e = assertThrows(InvalidIndexException.class, () -> read(json));
    assertEquals(3, e.line());
    assertEquals("test.json", e.source());
    assertTrue(e.column() > 10, "column " + e.column());
    assertTrue(e.getMessage().startsWith("test.json (line 3, column "), e.getMessage());
    InvalidIndexException truncated = assertThrows(InvalidIndexException.class, () -> read("{\"images\": [{\"id\": 1,"));
    assertEquals(1, truncated.line());
  }

  /** An index still compressed as it was downloaded: refused with how to open it, not as an illegal character. */
  @Test
  void compressedIndexesSayHowToOpenThem() throws Exception {
    java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(gz)) {
      out.write("{\"images\": []}".getBytes(StandardCharsets.UTF_8));
    }
    java.io.ByteArrayOutputStream zip = new java.io.ByteArrayOutputStream();
    try (java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(zip)) {
      out.putNextEntry(new java.util.zip.ZipEntry("annotations/instances_val2017.json"));
      out.write("{\"images\": []}".getBytes(StandardCharsets.UTF_8));
    }
    InvalidIndexException gzipped = assertThrows(InvalidIndexException.class, () -> CocoIndexReader.read(
        new ByteArrayInputStream(gz.toByteArray()), "instances.json.gz", new CocoPanopticSampleTest.Collected()));
    assertTrue(gzipped.getMessage().startsWith("instances.json.gz (line 1, column 1): compressed with gzip, not JSON:"
        + " decompress it (gunzip)"), gzipped.getMessage());
    InvalidIndexException zipped = assertThrows(InvalidIndexException.class, () -> CocoIndexReader.read(
        new ByteArrayInputStream(zip.toByteArray()), "annotations.zip", new CocoPanopticSampleTest.Collected()));
    assertTrue(zipped.getMessage().contains("a zip archive, not JSON: unzip it"), zipped.getMessage());
  }

  /** LVIS names its images by their COCO URL only: the path is the URL's folder and file, as COCO lays them out. */
  @Test
  void lvisImagesAreNamedByTheirCocoUrl() throws Exception {
    var c = read("""
        {"images": [{"id": 7, "coco_url": "http://images.cocodataset.org/train2017/000000391895.jpg", "height": 20,
                     "width": 30, "not_exhaustive_category_ids": [], "neg_category_ids": [3]},
                    {"id": 8, "coco_url": "http://x/val2017/b.jpg", "file_name": "own/b.jpg", "height": 2, "width": 3}],
         "annotations": [], "categories": [{"id": 3, "name": "aerosol_can", "synonyms": ["spray"], "frequency": "c"}]}""");
    assertEquals(List.of(new CocoImageEntry(7, "train2017/000000391895.jpg", 30, 20),
        new CocoImageEntry(8, "own/b.jpg", 3, 2)), c.images, "file_name, where an entry has it, wins");
    assertEquals("a.jpg", CocoIndexReader.lvisFileName("https://host/a.jpg?x=1"));
    assertNull(CocoIndexReader.lvisFileName("http://host/"));
    InvalidIndexException e = assertThrows(InvalidIndexException.class,
        () -> read("{\"images\": [{\"id\": 9, \"coco_url\": \"http://host/\"}]}"));
    assertTrue(e.getMessage().contains("(id 9) has no string 'file_name' (nor, as LVIS's have, a 'coco_url')"), e.getMessage());
  }

  @Test
  void structuralProblemsAreInvalidIndex() {
    for (String json : new String[] {
        "", "42", "{\"images\": {}}", "{\"images\": [3]}", "{\"images\": [{\"file_name\": \"a.jpg\"}]}",
        "{\"annotations\": [{\"id\": 1, \"segmentation\": [[1,2,3,4,5,6]]}]}", "{} {}"}) {
      assertThrows(InvalidIndexException.class, () -> read(json), json);
    }
  }

  @Test
  void panopticEntries() throws Exception {
    var c = read("""
        {"annotations": [{"segments_info": [{"id": 5263, "category_id": 1, "iscrowd": 1, "area": 10, "bbox": [0,0,1,1]},
                                            {"id": 3, "category_id": 184, "area": 7}],
                          "file_name": "p/1.png", "image_id": 1},
                         {"segments_info": [], "image_id": 2},
                         {"segments_info": [{"id": 99999999, "category_id": 1}], "image_id": 3, "file_name": "3.png"}]}""");
    assertEquals(3, c.panoptic.size());
    PanopticEntry p = c.panoptic.get(0);
    assertEquals(List.of(new PanopticEntry.Segment(5263, 1, true, 10), new PanopticEntry.Segment(3, 184, false, 7)), p.segments());
    assertNull(p.problem());
    assertEquals(ErrorCode.ANNOTATION_INVALID, c.panoptic.get(1).problem().code());
    assertEquals(ErrorCode.ANNOTATION_INVALID, c.panoptic.get(2).problem().code());
  }

  static CocoIndexReader.Counts count(String json) throws Exception {
    return CocoIndexReader.count(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "test.json");
  }

  @Test
  void countTellsAnEmptyOrForeignIndexAndItsKind() throws Exception {
    assertEquals(new CocoIndexReader.Counts(false, 0, 0, 0, null, 0, new java.util.TreeMap<>()), count("{\"foo\": 1}"));
    assertEquals(new CocoIndexReader.Counts(true, 0, 0, 0, null, 0, new java.util.TreeMap<>()), count("{\"images\": [], \"annotations\": []}"));
    assertEquals(new CocoIndexReader.Counts(true, 1, 1, 1, null, 0, new java.util.TreeMap<>(java.util.Map.of(3L, "cat"))), count("""
        {"images": [{"id": 7, "file_name": "a.jpg"}],
         "annotations": [{"id": 1, "image_id": 7, "category_id": 3, "segmentation": [[1, 2, 10, 2, 10, 9]]}],
         "categories": [{"id": 3, "name": "cat"}]}"""));
    assertEquals(new CocoIndexReader.Counts(true, 1, 0, 0, null, 1, new java.util.TreeMap<>()), count("""
        {"images": [{"id": 7, "file_name": "a.jpg"}],
         "annotations": [{"image_id": 7, "file_name": "a.png", "segments_info": []}]}"""));
    // A detection file: boxes, no segmentation; the first unusable annotation says why.
    CocoIndexReader.Counts boxes = count("""
        {"images": [{"id": 7, "file_name": "a.jpg"}],
         "annotations": [{"id": 1, "image_id": 7, "category_id": 3, "bbox": [1, 2, 9, 7]},
                         {"id": 2, "image_id": 7, "category_id": 3, "bbox": [1, 2, 9, 7]}]}""");
    assertEquals(2, boxes.instanceAnnotations());
    assertEquals(0, boxes.usableInstanceAnnotations());
    assertEquals("test.json: annotation 1 of image 7 has no 'segmentation' (nor 'segments_info')", boxes.firstProblem());
  }

  @Test
  void truncatedJsonIsReportedWithoutJavaClassNames() {
    InvalidIndexException e = assertThrows(InvalidIndexException.class,
        () -> count("{\"images\": [{\"id\": 7, \"file_name\": \"a.jpg\""));
    assertTrue(e.getMessage().startsWith("test.json (line 1, column "), e.getMessage());
    assertTrue(e.getMessage().contains("Unexpected end-of-input"), e.getMessage());
    assertTrue(!e.getMessage().contains("Source") && !e.getMessage().contains("InputStream"), e.getMessage());
  }
}
