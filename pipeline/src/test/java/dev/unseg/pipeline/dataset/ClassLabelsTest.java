package dev.unseg.pipeline.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unseg.pipeline.error.ErrorCode;
import dev.unseg.pipeline.error.InputException;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Class maps of the label-map formats: the real ADE20K samples, and VOC and Cityscapes rasters written here. */
class ClassLabelsTest {
  @TempDir Path tmp;

  @Test
  void ade20kLabelsAreItsClassesAsTheyAre() throws Exception {
    Path root = Path.of("../samples/ade20k/annotations");
    String rel = "validation/ADE_val_00000001.png";
    Raster raw = ImageIO.read(root.resolve(rel).toFile()).getRaster();
    byte[] map = ClassLabels.read(DatasetFormat.ADE20K, new LocalAnnotationStore(root), rel, raw.getWidth(), raw.getHeight());
    int classes = 0;
    boolean[] seen = new boolean[256];
    for (int i = 0; i < map.length; i++) {
      assertEquals(raw.getSample(i % raw.getWidth(), i / raw.getWidth(), 0), map[i] & 255);
      if (!seen[map[i] & 255]) {
        seen[map[i] & 255] = true;
        classes++;
      }
    }
    assertTrue(classes > 3, "a real scene has several classes");
    List<String> names = ClassLabels.names(DatasetFormat.ADE20K);
    assertEquals(151, names.size());
    assertEquals(List.of("background", "wall", "building", "sky"), names.subList(0, 4));
    assertEquals("flag", names.get(150));
  }

  @Test
  void vocVoidIsIgnoredAndCityscapesMapsToTrainIds() throws Exception {
    write("voc.png", new int[] {0, 15, 255, 20});
    byte[] voc = ClassLabels.read(DatasetFormat.VOC, new LocalAnnotationStore(tmp), "voc.png", 4, 1);
    assertArrayEquals(new byte[] {0, 15, (byte) ClassLabels.IGNORE, 20}, voc);
    assertEquals("person", ClassLabels.names(DatasetFormat.VOC).get(15));

    // road (7) -> 1, car (26) -> 14, bicycle (33) -> 19; ego vehicle (1), ground (6) and -1 (255) ignored.
    write("city.png", new int[] {7, 26, 33, 1, 6, 255});
    byte[] city = ClassLabels.read(DatasetFormat.CITYSCAPES, new LocalAnnotationStore(tmp), "city.png", 6, 1);
    int ig = ClassLabels.IGNORE;
    assertArrayEquals(new byte[] {1, 14, 19, (byte) ig, (byte) ig, (byte) ig}, city);
    List<String> names = ClassLabels.names(DatasetFormat.CITYSCAPES);
    assertEquals(List.of("road", "car", "bicycle"), List.of(names.get(1), names.get(14), names.get(19)));
  }

  @Test
  void aLabelTheFormatLacksIsRefusedNamingThePixel() throws Exception {
    write("bad.png", new int[] {0, 21});
    InputException e = assertThrows(InputException.class,
        () -> ClassLabels.read(DatasetFormat.VOC, new LocalAnnotationStore(tmp), "bad.png", 2, 1));
    assertEquals(ErrorCode.CLASS_OUT_OF_RANGE, e.code());
    assertTrue(e.getMessage().contains("label 21 at pixel (1, 0)"), e.getMessage());
  }

  /** A one-row palette PNG of label values, as VOC's class PNGs are. */
  private void write(String name, int[] values) throws Exception {
    byte[] grey = new byte[256];
    for (int i = 0; i < 256; i++) {
      grey[i] = (byte) i;
    }
    BufferedImage img = new BufferedImage(values.length, 1, BufferedImage.TYPE_BYTE_INDEXED,
        new IndexColorModel(8, 256, grey, grey, grey));
    for (int x = 0; x < values.length; x++) {
      img.getRaster().setSample(x, 0, 0, values[x]);
    }
    ImageIO.write(img, "png", tmp.resolve(name).toFile());
  }
}
