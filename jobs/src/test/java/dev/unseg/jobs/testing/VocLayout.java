package dev.unseg.jobs.testing;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A Pascal VOC 2012 layout as the dataset ships it: {@code JPEGImages} holds every photo, and only those
 * named in {@code ImageSets/Segmentation/trainval.txt} have a {@code SegmentationClass} PNG (VOC's palette,
 * a person, class 15, of {@link #PERSON_PIXELS} pixels, outlined by the void label 255 as VOC draws it).
 * The 96x64 photos are cut from a sample photo.
 */
public final class VocLayout {
  public static final int PERSON_PIXELS = 30 * 20;

  private VocLayout() {}

  /** Writes {@code root/VOC2012/...}: JPEGs for every name, a label PNG for {@code segmented} ones. */
  public static void write(Path root, List<String> names, List<String> segmented) throws IOException {
    Path voc = root.resolve("VOC2012");
    Files.createDirectories(voc.resolve("JPEGImages"));
    Files.createDirectories(voc.resolve("SegmentationClass"));
    Files.createDirectories(voc.resolve("ImageSets/Segmentation"));
    BufferedImage photo = ImageIO.read(Cli.SAMPLES.resolve("photos/coffee.png").toFile());
    for (int i = 0; i < names.size(); i++) {
      BufferedImage rgb = new BufferedImage(96, 64, BufferedImage.TYPE_3BYTE_BGR);
      rgb.getGraphics().drawImage(photo.getSubimage(40 * i, 120, 96, 64), 0, 0, null);
      ImageIO.write(rgb, "jpeg", voc.resolve("JPEGImages/" + names.get(i) + ".jpg").toFile());
    }
    for (String name : segmented) {
      BufferedImage labels = new BufferedImage(96, 64, BufferedImage.TYPE_BYTE_INDEXED, palette());
      for (int y = 18; y < 42; y++) {
        for (int x = 28; x < 60; x++) {
          boolean inside = y >= 20 && y < 40 && x >= 29 && x < 59;
          labels.getRaster().setSample(x, y, 0, inside ? 15 : 255);
        }
      }
      ImageIO.write(labels, "png", voc.resolve("SegmentationClass/" + name + ".png").toFile());
    }
    Files.write(voc.resolve("ImageSets/Segmentation/trainval.txt"), segmented);
  }

  /** VOC's colour map (bit-interleaved class ids), 255 the void colour. */
  private static IndexColorModel palette() {
    byte[] r = new byte[256];
    byte[] g = new byte[256];
    byte[] b = new byte[256];
    for (int c = 0; c < 256; c++) {
      int id = c;
      for (int bit = 7; bit >= 0 && id > 0; bit--, id >>= 3) {
        r[c] |= (byte) (((id) & 1) << bit);
        g[c] |= (byte) (((id >> 1) & 1) << bit);
        b[c] |= (byte) (((id >> 2) & 1) << bit);
      }
    }
    return new IndexColorModel(8, 256, r, g, b);
  }
}
