package dev.unseg.pipeline.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unseg.pipeline.error.ErrorCode;
import dev.unseg.pipeline.error.InputException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DatasetFormat names, Selection specs, safe paths and the local store's root confinement. */
class DatasetBasicsTest {
  @TempDir Path tmp;

  @Test
  void formatNames() {
    for (DatasetFormat f : DatasetFormat.values()) {
      assertEquals(f, DatasetFormat.fromName(f.cliName()));
    }
    assertEquals(DatasetFormat.COCO_PANOPTIC, DatasetFormat.fromName("coco-panoptic"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DatasetFormat.fromName("kitti"));
    assertTrue(e.getMessage().contains("kitti") && e.getMessage().contains("mask-pairs") && e.getMessage().contains("ade20k"));
  }

  @Test
  void selectionSpecs() {
    assertEquals(new Selection(Selection.Mode.ALL, Set.of(), true), Selection.parse("all"));
    assertEquals(new Selection(Selection.Mode.ALL, Set.of(), false), Selection.parse("all+crowd"));
    assertEquals(new Selection(Selection.Mode.THINGS, Set.of(), true), Selection.parse("things+no-crowd"));
    assertEquals(new Selection(Selection.Mode.ONE_CLASS, Set.of(7L), true), Selection.parse("class:7"));
    assertEquals(new Selection(Selection.Mode.CLASSES, Set.of(1L, 3L, 62L), false), Selection.parse("classes:1,3,62+crowd"));
    for (DatasetFormat f : DatasetFormat.values()) {
      assertEquals(Selection.parse("all"), Selection.defaultFor(f));
    }
    // Colours of colour-coded masks, any case; only mask pairs take them.
    Selection colours = Selection.parse("classes:#0000FF,#00ff00");
    assertEquals(Set.of(Selection.colour(0x0000FF), Selection.colour(0x00FF00)), colours.classIds());
    assertTrue(colours.classIds().stream().allMatch(Selection::isColour) && !Selection.isColour(255) && !Selection.isColour(65535));
    LabelMapLayout.forFormat(DatasetFormat.MASK_PAIRS, colours, null);
    assertEquals("#0000ff", Selection.idText(Selection.colour(0x0000FF)));
    assertEquals("255", Selection.idText(255));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> LabelMapLayout.forFormat(DatasetFormat.ADE20K, colours, null))
        .getMessage().contains("colour-coded mask pairs"));
    assertThrows(IllegalArgumentException.class,
        () -> LabelMapLayout.forFormat(DatasetFormat.MASK_PAIRS, Selection.parse("classes:1,#00ff00"), null));
    for (String bad : new String[] {"", "some", "class:", "class:a,b", "classes:1,,2", "class:-1", "crowd", "class:#00ff0"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Selection.parse(bad), bad);
      assertTrue(e.getMessage().contains("classes:ID"), e.getMessage());
    }
  }

  /** Class names, any case, resolved against the dataset's: a name it lacks or has twice is refused, never dropped. */
  @Test
  void selectionByClassNames() {
    Selection named = Selection.parse("classes:Person, traffic light,3+crowd");
    assertEquals(new Selection(Selection.Mode.CLASSES, Set.of(3L), Set.of("person", "traffic light"), false), named);
    assertFalse(named.resolved());
    assertThrows(IllegalStateException.class, () -> named.names(3), "an unresolved selection selects nothing");
    Map<String, List<Long>> byName = Selection.idsByName(Map.of(1L, "person", 10L, "Traffic Light", 3L, "car", 7L, "Car"));
    assertEquals(new Selection(Selection.Mode.CLASSES, Set.of(1L, 3L, 10L), false), named.resolve(byName));
    assertTrue(named.resolve(byName).names(10));
    assertEquals(new Selection(Selection.Mode.ONE_CLASS, Set.of(1L), true), Selection.parse("class:PERSON").resolve(byName));
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
        () -> Selection.parse("classes:persn,dog,1").resolve(byName));
    assertEquals("no classes are named 'dog', 'persn'", unknown.getMessage());
    IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
        () -> Selection.parse("class:car").resolve(byName));
    assertTrue(twice.getMessage().contains("ids 3, 7"), twice.getMessage());
    assertEquals("1 person, 3 car, 7 car, 10 traffic light", Selection.listClasses(byName));

    // The label-map formats' names take their label values, as class:ID does.
    assertEquals(List.of(13L), ClassLabels.labelValuesByName(DatasetFormat.ADE20K).get("person"));
    assertEquals(List.of(15L), ClassLabels.labelValuesByName(DatasetFormat.VOC).get("person"));
    assertEquals(List.of(26L), ClassLabels.labelValuesByName(DatasetFormat.CITYSCAPES).get("car"));
    assertEquals(List.of(255L), ClassLabels.labelValuesByName(DatasetFormat.CITYSCAPES).get("license plate"));
    assertEquals(150, ClassLabels.labelValuesByName(DatasetFormat.ADE20K).size(), "150 distinct names");
    assertEquals(20, ClassLabels.labelValuesByName(DatasetFormat.VOC).size());
    assertEquals(35, ClassLabels.labelValuesByName(DatasetFormat.CITYSCAPES).size());
    assertEquals(ClassLabels.names(DatasetFormat.CITYSCAPES).subList(1, 20), List.of("road", "sidewalk", "building", "wall",
        "fence", "pole", "traffic light", "traffic sign", "vegetation", "terrain", "sky", "person", "rider", "car", "truck",
        "bus", "train", "motorcycle", "bicycle"));
  }

  @Test
  void safePaths() throws Exception {
    for (String ok : new String[] {"a.jpg", "train2017/000000000139.jpg", "a/./b.jpg", "..a/b..jpg", "2020-01-01T10:00:00.tif", "tiles/a:b.png"}) {
      assertNull(DatasetPaths.unsafeReason(ok), ok);
      DatasetPaths.checkSafeRelativePath(ok);
    }
    for (String bad : new String[] {"../x.jpg", "/abs.jpg", "a/../../x", "a/..", "C:/x.jpg", "C:x.jpg", "file:/x.jpg", "s3a://b/x.jpg", "a\\b.jpg", "", "a\0b"}) {
      InputException e = assertThrows(InputException.class, () -> DatasetPaths.checkSafeRelativePath(bad), bad);
      assertEquals(ErrorCode.PATH_UNSAFE, e.code());
    }
  }

  @Test
  void localStoreStaysInsideItsRoot() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("root"));
    Files.writeString(root.resolve("in.txt"), "hello");
    Files.writeString(tmp.resolve("secret.txt"), "secret");
    LocalAnnotationStore store = new LocalAnnotationStore(root);
    assertEquals("hello", new String(store.readAll("in.txt")));
    assertTrue(store.exists("in.txt"));
    assertFalse(store.exists("nope.txt"));
    assertThrows(FileNotFoundException.class, () -> store.open("nope.txt"));
    assertThrows(IOException.class, () -> store.open("../secret.txt"));
    assertThrows(IOException.class, () -> store.open(tmp.resolve("secret.txt").toString()));
    // A link the folder's owner made is followed, wherever it points; only the names an index could hold are refused.
    Files.createSymbolicLink(root.resolve("link.txt"), tmp.resolve("secret.txt"));
    assertEquals("secret", new String(store.readAll("link.txt")));
  }
}
