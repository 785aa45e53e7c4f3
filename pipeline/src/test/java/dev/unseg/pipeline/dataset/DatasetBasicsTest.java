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
    for (String bad : new String[] {"", "some", "class:", "class:x", "classes:1,,2", "class:-1", "crowd"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Selection.parse(bad), bad);
      assertTrue(e.getMessage().contains("classes:ID"), e.getMessage());
    }
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
