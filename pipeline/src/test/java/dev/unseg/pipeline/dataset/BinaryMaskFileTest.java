package dev.unseg.pipeline.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
