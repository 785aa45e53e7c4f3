package dev.unseg.jobs.evaluate;

import dev.unseg.pipeline.error.UserError;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unseg.pipeline.mask.BinaryMask;
import dev.unseg.pipeline.mask.Rle;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.TexturePaint;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Makes a multi-class segmentation dataset in COCO instances format ({@code images/NNNNN.png} and
 * {@code annotations.json}, one RLE per visible object): scenes of 3 to 5 objects of four classes
 * pasted on crops of the real photos in samples/, plus unlabelled distractor blobs.
 *
 * <p>Why it looks like this: a shortcut noise only shows when the objects are harder to learn than a
 * fixed mask-keyed pattern, as in real data. So every class varies (size 24-68% of the side, aspect,
 * rotation, jittered outline, crops of any scale of the class's own photos with a mild tint,
 * occlusion) and the classes are told apart by shape (disc, box, star, cross), by the statistics of
 * their own fifth of the photos and by a weak context (discs sit high, boxes low), not by one texture.
 * Backgrounds come from a fifth of the photos no class uses, as in real data, where an object does not
 * look like what surrounds it; a quarter of them hold a pasted blob of another background photo, so a
 * pasted outline alone does not mean object. Objects cover about a quarter of the pixels. Measured in
 * docs/evaluate.md (U-Net, 3,600 steps of 48-px crops): backgrounds from any photo gave a clean object
 * mIoU of 0.23, backgrounds of their own 0.52.
 */
public final class SceneDataset {
  public static final List<String> CLASSES = List.of("disc", "box", "star", "cross");
  /** Photo groups: photo i belongs to group i % GROUPS; one per class, the last for the backgrounds. */
  private static final int GROUPS = CLASSES.size() + 1;
  private static final int BACKGROUND = CLASSES.size();
  private final List<BufferedImage> photos;
  private final int size;
  private final Random random;

  public SceneDataset(List<BufferedImage> photos, int size, long seed) {
    if (photos.size() < GROUPS) {
      throw new UserError("--photos needs at least " + GROUPS + " photos of 64x64 px or more (one for each class and one for the"
          + " backgrounds), got " + photos.size());
    }
    if (size < 32) {
      throw new UserError("--size must be at least 32 (got " + size + ")");
    }
    this.photos = photos;
    this.size = size;
    this.random = new Random(seed);
  }

  /** Writes count images under output/images and their index as output/annotations.json. */
  public void write(Path output, int count) throws IOException {
    Path images = Files.createDirectories(output.resolve("images"));
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.putObject("info").put("description", "unseg make-dataset --kind coco: synthetic scenes on real photos");
    ArrayNode imageList = root.putArray("images");
    ArrayNode annotations = root.putArray("annotations");
    ArrayNode categories = root.putArray("categories");
    for (int c = 0; c < CLASSES.size(); c++) {
      categories.addObject().put("id", c + 1).put("name", CLASSES.get(c)).put("supercategory", "shape");
    }
    long annotationId = 1;
    for (int i = 0; i < count; i++) {
      String name = String.format(Locale.ROOT, "%05d.png", i);
      BufferedImage image = texture(background(), size, size);
      // Instance index per pixel (0 = none); a later object occludes an earlier one.
      BufferedImage instances = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
      Graphics2D gi = image.createGraphics();
      Graphics2D gm = instances.createGraphics();
      // Distractors: pasted blobs of background photos, so that a pasted outline alone does not mean object.
      int blobs = random.nextInt(4) == 0 ? 1 : 0;
      for (int b = 0; b < blobs; b++) {
        java.awt.Shape blob = outline(-1, size * (0.06 + 0.12 * random.nextDouble()),
            size * random.nextDouble(), size * random.nextDouble());
        fill(gi, blob, background());
      }
      int objects = 3 + random.nextInt(3);
      int[] category = new int[objects + 1];
      for (int o = 1; o <= objects; o++) {
        int c = random.nextInt(CLASSES.size());
        category[o] = c + 1;
        double radius = size * (0.12 + 0.22 * Math.pow(random.nextDouble(), 1.5));
        double cx = size * random.nextDouble();
        // Weak context: discs tend to sit in the upper half, boxes in the lower half.
        double cy = size * (c == 0 ? 0.6 * random.nextDouble() : c == 1 ? 0.4 + 0.6 * random.nextDouble() : random.nextDouble());
        java.awt.Shape shape = outline(c, radius, cx, cy);
        fill(gi, shape, photos.get(pick(c)));
        gm.setColor(new Color(o, o, o));
        gm.fill(shape);
      }
      gi.dispose();
      gm.dispose();
      ImageIO.write(image, "png", images.resolve(name).toFile());
      imageList.addObject().put("id", i + 1).put("file_name", name).put("width", size).put("height", size);
      byte[] idx = ((java.awt.image.DataBufferByte) instances.getRaster().getDataBuffer()).getData();
      for (int o = 1; o <= objects; o++) {
        byte[] px = new byte[size * size];
        int area = 0;
        int x0 = size;
        int y0 = size;
        int x1 = -1;
        int y1 = -1;
        for (int p = 0; p < px.length; p++) {
          if ((idx[p] & 255) == o) {
            px[p] = 1;
            area++;
            x0 = Math.min(x0, p % size);
            x1 = Math.max(x1, p % size);
            y0 = Math.min(y0, p / size);
            y1 = Math.max(y1, p / size);
          }
        }
        if (area < 16) {
          continue; // hidden behind later objects or off the image: not annotated
        }
        ObjectNode a = annotations.addObject();
        a.put("id", annotationId++).put("image_id", i + 1).put("category_id", category[o]).put("iscrowd", 0).put("area", area);
        a.putArray("bbox").add(x0).add(y0).add(x1 - x0 + 1).add(y1 - y0 + 1);
        ObjectNode seg = a.putObject("segmentation");
        seg.putArray("size").add(size).add(size);
        seg.put("counts", Rle.encode(new BinaryMask(size, size, px)).toCompressedString());
      }
    }
    json.writeValue(output.resolve("annotations.json").toFile(), root);
  }

  /** A photo of the backgrounds' own fifth of the photos. */
  private BufferedImage background() {
    return photos.get(pick(BACKGROUND));
  }

  /** A photo of group g's own fifth of the photos (g = a class, or {@link #BACKGROUND}). */
  private int pick(int g) {
    int n = 0;
    for (int i = g; i < photos.size(); i += GROUPS) {
      n++;
    }
    return g + GROUPS * random.nextInt(n);
  }

  /**
   * The outline of class c (-1 = a distractor blob) around (cx, cy): a jittered ellipse, a rectangle,
   * a star with 5 to 8 spikes, or a plus-shaped cross; random aspect and rotation.
   */
  private java.awt.Shape outline(int c, double radius, double cx, double cy) {
    Path2D.Double p = new Path2D.Double();
    double jitter = 0.08 * random.nextDouble();
    switch (c) {
      case 0 -> {
        double aspect = 0.55 + 0.45 * random.nextDouble();
        for (int k = 0; k < 36; k++) {
          double a = 2 * Math.PI * k / 36;
          point(p, k, Math.cos(a), aspect * Math.sin(a), 1 + jitter * (random.nextDouble() - 0.5));
        }
      }
      case 1 -> {
        double aspect = 0.45 + 0.55 * random.nextDouble();
        double[][] v = {{-1, -aspect}, {1, -aspect}, {1, aspect}, {-1, aspect}};
        for (int k = 0; k < 4; k++) {
          point(p, k, v[k][0] * 0.8, v[k][1] * 0.8, 1 + jitter * (random.nextDouble() - 0.5));
        }
      }
      case 2 -> {
        int spikes = 5 + random.nextInt(4);
        double inner = 0.35 + 0.2 * random.nextDouble();
        for (int k = 0; k < 2 * spikes; k++) {
          double a = Math.PI * k / spikes;
          double r = k % 2 == 0 ? 1 : inner;
          point(p, k, r * Math.cos(a), r * Math.sin(a), 1 + jitter * (random.nextDouble() - 0.5));
        }
      }
      case 3 -> {
        double w = 0.22 + 0.16 * random.nextDouble();
        double l = 0.75 + 0.25 * random.nextDouble();
        double[][] v = {{-w, -l}, {w, -l}, {w, -w}, {l, -w}, {l, w}, {w, w}, {w, l}, {-w, l}, {-w, w}, {-l, w}, {-l, -w},
            {-w, -w}};
        for (int k = 0; k < v.length; k++) {
          point(p, k, v[k][0], v[k][1], 1);
        }
      }
      default -> {
        // A smooth random blob: radii from two low-frequency sines.
        double a1 = 0.3 * random.nextDouble();
        double a2 = 0.2 * random.nextDouble();
        double ph1 = 2 * Math.PI * random.nextDouble();
        double ph2 = 2 * Math.PI * random.nextDouble();
        for (int k = 0; k < 40; k++) {
          double a = 2 * Math.PI * k / 40;
          double r = 1 + a1 * Math.sin(2 * a + ph1) + a2 * Math.sin(3 * a + ph2);
          point(p, k, r * Math.cos(a), r * Math.sin(a), 1);
        }
      }
    }
    p.closePath();
    AffineTransform t = new AffineTransform();
    t.translate(cx, cy);
    t.rotate(2 * Math.PI * random.nextDouble());
    t.scale(radius, radius);
    // Integer vertices, so the image and the annotation are the same pixels under Java2D's fill rule.
    java.awt.Shape s = t.createTransformedShape(p);
    Polygon poly = new Polygon();
    java.awt.geom.PathIterator it = s.getPathIterator(null);
    double[] xy = new double[6];
    while (!it.isDone()) {
      if (it.currentSegment(xy) != java.awt.geom.PathIterator.SEG_CLOSE) {
        poly.addPoint((int) Math.round(xy[0]), (int) Math.round(xy[1]));
      }
      it.next();
    }
    return poly;
  }

  private static void point(Path2D.Double p, int k, double x, double y, double scale) {
    if (k == 0) {
      p.moveTo(x * scale, y * scale);
    } else {
      p.lineTo(x * scale, y * scale);
    }
  }

  /** Fills the shape with a tinted crop of the photo; half the time with a darker 1-px rim. */
  private void fill(Graphics2D g, java.awt.Shape shape, BufferedImage photo) {
    java.awt.Rectangle b = shape.getBounds();
    int w = Math.max(1, b.width);
    int h = Math.max(1, b.height);
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
    g.setPaint(new TexturePaint(texture(photo, w, h), new java.awt.Rectangle(b.x, b.y, w, h)));
    g.fill(shape);
    if (random.nextBoolean()) {
      g.setColor(new Color(0, 0, 0, 90));
      g.draw(shape);
    }
  }

  /**
   * A random crop of the photo (a third to all of its shorter side) scaled to w x h, with a mild random
   * brightness, contrast and colour tint (+-6, x0.91-1.09, x0.94-1.06 a channel).
   */
  private BufferedImage texture(BufferedImage photo, int w, int h) {
    int side = Math.min(photo.getWidth(), photo.getHeight());
    int c = Math.max(8, side / 3 + random.nextInt(side - side / 3 + 1));
    int x = random.nextInt(photo.getWidth() - c + 1);
    int y = random.nextInt(photo.getHeight() - c + 1);
    double aspect = (double) w / h;
    int cw = aspect >= 1 ? c : Math.max(1, (int) (c * aspect));
    int ch = aspect >= 1 ? Math.max(1, (int) (c / aspect)) : c;
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(photo, 0, 0, w, h, x, y, x + cw, y + ch, null);
    g.dispose();
    double contrast = 0.91 + 0.18 * random.nextDouble();
    double[] tint = {0.94 + 0.12 * random.nextDouble(), 0.94 + 0.12 * random.nextDouble(), 0.94 + 0.12 * random.nextDouble()};
    double bright = 12 * (random.nextDouble() - 0.5);
    int[] argb = out.getRGB(0, 0, w, h, null, 0, w);
    for (int i = 0; i < argb.length; i++) {
      int v = 0;
      for (int ch2 = 0; ch2 < 3; ch2++) {
        int shift = 16 - 8 * ch2;
        double px = ((argb[i] >> shift) & 255);
        px = ((px - 128) * contrast + 128) * tint[ch2] + bright;
        v |= Math.max(0, Math.min(255, (int) Math.round(px))) << shift;
      }
      argb[i] = v;
    }
    out.setRGB(0, 0, w, h, argb, 0, w);
    return out;
  }
}
