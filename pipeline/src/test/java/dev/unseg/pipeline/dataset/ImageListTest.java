package dev.unseg.pipeline.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Image lists as VOC, ADE20K and Cityscapes users write them. */
class ImageListTest {
  private static List<String> read(String text, DatasetFormat format) throws Exception {
    List<String> paths = new ArrayList<>();
    long n = ImageList.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), format, paths::add);
    assertEquals(paths.size(), n);
    return paths;
  }

  @Test
  void namesWithoutExtensionGetTheFormatsOwn() throws Exception {
    // VOC's ImageSets/Segmentation/val.txt, with Windows line ends and a byte-order mark.
    assertEquals(List.of("2007_000033.jpg", "2007_000042.jpg"), read("\uFEFF2007_000033\r\n2007_000042\r\n", DatasetFormat.VOC));
    assertEquals(List.of("validation/ADE_val_00000001.jpg", "x/y.jpg"),
        read("# split\n\n  validation/ADE_val_00000001 \nx/y.jpg\n", DatasetFormat.ADE20K));
    assertEquals(List.of("val/frankfurt/frankfurt_000000_000294_leftImg8bit.png"),
        read("val/frankfurt/frankfurt_000000_000294\n", DatasetFormat.CITYSCAPES));
  }

  @Test
  void maskPairsNameWholeFilesAndDotsInFoldersAreNotExtensions() throws Exception {
    assertEquals(List.of("tile_7", "a.b/tile_8.tif"), read("tile_7\na.b/tile_8.tif", DatasetFormat.MASK_PAIRS));
    assertEquals(List.of("v1.2/2007_000033.jpg"), read("v1.2/2007_000033", DatasetFormat.VOC));
    assertEquals(List.of(), read("\n#\n   \n", DatasetFormat.VOC));
  }
}
