package dev.unseg.jobs.evaluate;

import dev.unseg.jobs.io.RepositoryFiles;
import dev.unseg.pipeline.error.UserError;
import java.awt.AlphaComposite;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.TexturePaint;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Makes a mask-pairs segmentation dataset to train the probe on: each image is a crop of a real
 * photo with one or two random star-shaped polygons filled with a crop of another photo; the mask
 * is the union of the polygons. Written as {@code images/NNNNN.png} and {@code masks/NNNNN.png}
 * (PNG, so protection's noise reaches the probe unchanged by encoding).
 */
public final class SyntheticDataset {
  private final List<BufferedImage> photos;
  private final int size;
  private final Random random;

  public SyntheticDataset(List<BufferedImage> photos, int size, long seed) {
    if (photos.size() < 2) {
      throw new UserError("--photos needs at least 2 photos of 64x64 px or more (JPEG or PNG), got " + photos.size());
    }
    this.photos = photos;
    this.size = size;
    this.random = new Random(seed);
  }

  /** Every .jpg/.png under the roots, sorted, except files in annotations or masks folders. */
  public static List<BufferedImage> readPhotos(List<Path> roots) throws IOException {
    List<Path> files = new ArrayList<>();
    for (Path given : roots) {
      Path root = RepositoryFiles.find(given).orElseThrow(() -> UserError.setting("unseg.make-dataset.photos", given,
          "folders of real photos (JPEG or PNG): " + given + " is neither here nor in the repository unseg was built in", "--photos"));
      try (Stream<Path> s = Files.walk(root)) {
        s.filter(Files::isRegularFile)
            .filter(p -> p.toString().toLowerCase(Locale.ROOT).matches(".*\\.(jpe?g|png)"))
            .filter(p -> !p.toString().matches(".*/(annotations|masks)/.*"))
            .forEach(files::add);
      }
    }
    files.sort(null);
    List<BufferedImage> out = new ArrayList<>();
    for (Path f : files) {
      BufferedImage img;
      try {
        img = ImageIO.read(f.toFile());
      } catch (IOException e) {
        throw new UserError("photo " + f + " in --photos cannot be read (" + e.getMessage() + "): remove it or name other folders");
      }
      if (img != null && img.getWidth() >= 64 && img.getHeight() >= 64) {
        out.add(toRgb(img));
      }
    }
    return out;
  }

  /** Writes count image/mask pairs under output/images and output/masks. */
  public void write(Path output, int count) throws IOException {
    Path images = Files.createDirectories(output.resolve("images"));
    Path masks = Files.createDirectories(output.resolve("masks"));
    for (int i = 0; i < count; i++) {
      BufferedImage image = crop(photos.get(random.nextInt(photos.size())));
      BufferedImage mask = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
      Graphics2D gi = image.createGraphics();
      Graphics2D gm = mask.createGraphics();
      gm.setColor(java.awt.Color.WHITE);
      int shapes = 1 + random.nextInt(2);
      for (int s = 0; s < shapes; s++) {
        Polygon star = star();
        gi.setComposite(AlphaComposite.Src);
        gi.setPaint(new TexturePaint(crop(photos.get(random.nextInt(photos.size()))),
            new java.awt.Rectangle(0, 0, size, size)));
        gi.fill(star);
        gm.fill(star);
      }
      gi.dispose();
      gm.dispose();
      String name = String.format(Locale.ROOT, "%05d.png", i);
      ImageIO.write(image, "png", images.resolve(name).toFile());
      ImageIO.write(mask, "png", masks.resolve(name).toFile());
    }
  }

  /** A random crop (a quarter to all of the shorter side) scaled to size x size. */
  private BufferedImage crop(BufferedImage photo) {
    int side = Math.min(photo.getWidth(), photo.getHeight());
    int c = side / 4 + random.nextInt(side - side / 4 + 1);
    int x = random.nextInt(photo.getWidth() - c + 1);
    int y = random.nextInt(photo.getHeight() - c + 1);
    BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(photo, 0, 0, size, size, x, y, x + c, y + c, null);
    g.dispose();
    return out;
  }

  /** A star-shaped polygon: 5 to 12 vertices at random radii around a random centre. */
  private Polygon star() {
    int n = 5 + random.nextInt(8);
    double cx = size * (0.2 + 0.6 * random.nextDouble());
    double cy = size * (0.2 + 0.6 * random.nextDouble());
    double rMax = size * (0.15 + 0.2 * random.nextDouble());
    double phase = random.nextDouble() * 2 * Math.PI;
    Polygon p = new Polygon();
    for (int k = 0; k < n; k++) {
      double a = phase + 2 * Math.PI * k / n;
      double r = rMax * (0.4 + 0.6 * random.nextDouble());
      p.addPoint((int) Math.round(cx + r * Math.cos(a)), (int) Math.round(cy + r * Math.sin(a)));
    }
    return p;
  }

  private static BufferedImage toRgb(BufferedImage img) {
    BufferedImage out = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.drawImage(img, 0, 0, null);
    g.dispose();
    return out;
  }
}
