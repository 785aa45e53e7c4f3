package dev.unseg.jobs.testing;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;

/**
 * A Cityscapes layout as the dataset ships it (splits, cities, gtFine's four files a frame), its 96x48
 * frames cut from a sample photo. A frame of the test split is unlabelled (label ids all 0), as
 * Cityscapes' own; the others hold sky (23), road (7) and a car (26), which are evaluated, and an
 * ego vehicle (1) and a licence plate (-1, written as 255) of 6x10 pixels, which are not.
 */
public final class CityscapesLayout {
  private CityscapesLayout() {}

  /** Writes the frames ("split/city/city_seq_frame") under root; returns the files written, relative to root. */
  public static Set<String> write(Path root, List<String> frames) throws IOException {
    BufferedImage photo = ImageIO.read(Cli.SAMPLES.resolve("photos/coffee.png").toFile());
    Set<String> written = new HashSet<>();
    for (String frame : frames) {
      boolean test = frame.startsWith("test/");
      Path image = root.resolve("leftImg8bit/" + frame + "_leftImg8bit.png");
      Files.createDirectories(image.getParent());
      BufferedImage rgb = new BufferedImage(96, 48, BufferedImage.TYPE_3BYTE_BGR);
      rgb.getGraphics().drawImage(photo.getSubimage(frame.length() * 3 + written.size(), 100, 96, 48), 0, 0, null);
      ImageIO.write(rgb, "png", image.toFile());
      written.add("leftImg8bit/" + frame + "_leftImg8bit.png");
      BufferedImage labels = new BufferedImage(96, 48, BufferedImage.TYPE_BYTE_GRAY);
      for (int y = 0; y < 48 && !test; y++) {
        for (int x = 0; x < 96; x++) {
          int label = y < 10 ? 23 : y >= 40 ? 1 : x >= 20 && x < 50 ? (y >= 30 && x < 26 ? 255 : 26) : 7;
          labels.getRaster().setSample(x, y, 0, label);
        }
      }
      Path gt = root.resolve("gtFine/" + frame + "_gtFine_labelIds.png");
      Files.createDirectories(gt.getParent());
      ImageIO.write(labels, "png", gt.toFile());
      written.add("gtFine/" + frame + "_gtFine_labelIds.png");
      for (String companion : List.of("_gtFine_instanceIds.png", "_gtFine_color.png", "_gtFine_polygons.json")) {
        Files.write(root.resolve("gtFine/" + frame + companion), (frame + companion).getBytes(StandardCharsets.UTF_8));
        written.add("gtFine/" + frame + companion);
      }
    }
    return written;
  }
}
