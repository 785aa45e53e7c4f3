package dev.unseg.jobs.bench;

import dev.unseg.jobs.io.RepositoryFiles;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * One kind of the benchmark's data, in the mask-pairs layout ({@code images/x.jpg} with {@code masks/x.png}):
 * COCO-like JPEGs cut from the real sample photos (scaled to cover, random crop, quality 95), or large PNG
 * tiles made of several such crops, each with a mask of a few drawn shapes (objects covering roughly a
 * fifth to a half of the image, as in COCO). Each kind is timed on its own: a dataset is one or the other,
 * and a mix's figures would only say what the mix was. Seeded: every run times the same bytes.
 */
record BenchData(String kind, Path images, Path masks, List<String> files, long bytes) {

  /** The JPEG set under {@code dir/jpeg} and the PNG set under {@code dir/png}, each when its count is not 0. */
  static List<BenchData> generate(BenchOptions o, Path dir) throws IOException {
    List<BufferedImage> photos = photos();
    Random rnd = new Random(7);
    List<BenchData> kinds = new ArrayList<>();
    if (o.jpegImages() > 0) {
      kinds.add(write(String.format("COCO-like JPEG %dx%d", o.jpegWidth(), o.jpegHeight()), dir.resolve("jpeg"),
          o.jpegImages(), o.jpegWidth(), o.jpegHeight(), rnd,
          (i, file) -> writeJpeg(crop(photos.get(i % photos.size()), o.jpegWidth(), o.jpegHeight(), rnd), file), ".jpg"));
    }
    if (o.pngImages() > 0) {
      kinds.add(write(String.format("PNG tile %dx%d", o.pngWidth(), o.pngHeight()), dir.resolve("png"),
          o.pngImages(), o.pngWidth(), o.pngHeight(), rnd, (i, file) -> {
            ImageIO.write(mosaic(photos, o.pngWidth(), o.pngHeight(), rnd), "png", file.toFile());
            return Files.size(file);
          }, ".png"));
    }
    return kinds;
  }

  private interface ImageMaker {
    long write(int index, Path file) throws IOException;
  }

  private static BenchData write(String kind, Path dir, int count, int w, int h, Random rnd, ImageMaker maker,
      String ext) throws IOException {
    Path images = Files.createDirectories(dir.resolve("images"));
    Path masks = Files.createDirectories(dir.resolve("masks"));
    List<String> files = new ArrayList<>();
    long bytes = 0;
    for (int i = 0; i < count; i++) {
      String name = String.format("img_%05d", i);
      bytes += maker.write(i, images.resolve(name + ext));
      ImageIO.write(mask(w, h, rnd), "png", masks.resolve(name + ".png").toFile());
      files.add(name + ext);
    }
    return new BenchData(kind, images, masks, List.copyOf(files), bytes);
  }

  /** The sample photos shipped in samples/ (JPEG and 8-bit RGB PNG), found from the working folder or the jar. */
  private static List<BufferedImage> photos() throws IOException {
    Path samples = samplesFolder();
    List<BufferedImage> out = new ArrayList<>();
    try (Stream<Path> s = Files.walk(samples)) {
      for (Path p : s.filter(f -> f.toString().endsWith(".jpg") && !f.toString().contains("annotations")).sorted().toList()) {
        BufferedImage img = ImageIO.read(p.toFile());
        if (img != null) {
          out.add(img);
        }
      }
    }
    if (out.isEmpty()) {
      throw new IOException("no sample photos (*.jpg) under " + samples);
    }
    return out;
  }

  private static Path samplesFolder() throws IOException {
    return RepositoryFiles.find(Path.of("samples")).orElseThrow(() -> new IOException(
        "cannot find the samples/ folder of the repository, here or where unseg was built; run unseg bench from the repository root"));
  }

  /** The photo scaled to cover w x h, cut at a random place. */
  private static BufferedImage crop(BufferedImage photo, int w, int h, Random rnd) {
    double scale = Math.max((double) w / photo.getWidth(), (double) h / photo.getHeight()) * (1 + rnd.nextDouble() * 0.3);
    int sw = (int) Math.ceil(photo.getWidth() * scale);
    int sh = (int) Math.ceil(photo.getHeight() * scale);
    int x = rnd.nextInt(sw - w + 1);
    int y = rnd.nextInt(sh - h + 1);
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(photo, -x, -y, sw, sh, null);
    g.dispose();
    return out;
  }

  /** A tile of 4 x 2 crops, like an aerial or street-scene frame stitched from many surfaces. */
  private static BufferedImage mosaic(List<BufferedImage> photos, int w, int h, Random rnd) {
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = out.createGraphics();
    int cw = (w + 3) / 4;
    int ch = (h + 1) / 2;
    for (int ty = 0; ty < 2; ty++) {
      for (int tx = 0; tx < 4; tx++) {
        g.drawImage(crop(photos.get(rnd.nextInt(photos.size())), cw, ch, rnd), tx * cw, ty * ch, null);
      }
    }
    g.dispose();
    return out;
  }

  /** 1 to 4 filled ellipses and polygons, 255 on 0, as a gray PNG. */
  private static BufferedImage mask(int w, int h, Random rnd) {
    BufferedImage m = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = m.createGraphics();
    g.setColor(Color.WHITE);
    int shapes = 1 + rnd.nextInt(4);
    for (int s = 0; s < shapes; s++) {
      double cx = rnd.nextDouble() * w;
      double cy = rnd.nextDouble() * h;
      double rx = (0.1 + rnd.nextDouble() * 0.2) * w;
      double ry = (0.1 + rnd.nextDouble() * 0.2) * h;
      if (rnd.nextBoolean()) {
        g.fill(new Ellipse2D.Double(cx - rx, cy - ry, 2 * rx, 2 * ry));
      } else {
        Path2D.Double poly = new Path2D.Double();
        int n = 5 + rnd.nextInt(6);
        for (int k = 0; k < n; k++) {
          double a = 2 * Math.PI * k / n;
          double r = 0.5 + rnd.nextDouble() * 0.5;
          double px = cx + Math.cos(a) * rx * r;
          double py = cy + Math.sin(a) * ry * r;
          if (k == 0) {
            poly.moveTo(px, py);
          } else {
            poly.lineTo(px, py);
          }
        }
        poly.closePath();
        g.fill(poly);
      }
    }
    g.dispose();
    return m;
  }

  private static long writeJpeg(BufferedImage img, Path file) throws IOException {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
      ImageWriteParam p = writer.getDefaultWriteParam();
      p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      p.setCompressionQuality(0.95f);
      writer.setOutput(out);
      writer.write(null, new IIOImage(img, null, null), p);
    } finally {
      writer.dispose();
    }
    return Files.size(file);
  }
}
