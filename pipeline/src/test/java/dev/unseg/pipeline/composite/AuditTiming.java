package dev.unseg.pipeline.composite;

import dev.unseg.pipeline.audit.Distortion;
import dev.unseg.pipeline.generator.SyntheticTextureGenerator;
import dev.unseg.pipeline.mask.BinaryMask;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Ellipse2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.LongSupplier;
import javax.imageio.ImageIO;

/**
 * A micro-measurement, not a test: the thread CPU time of the composite (W and the protected image) and of
 * the distortion on one 640x480 photo with a drawn mask and the JPEG q95 round trip of its output, best of
 * {@code rounds} rounds of {@code reps} calls. Run from the repository root with
 * {@code java -cp pipeline/target/classes:pipeline/target/test-classes:$(cat cp.txt)
 * dev.unseg.pipeline.composite.AuditTiming [rounds] [reps]}: the scalar loops; with {@code
 * --add-modules=jdk.incubator.vector} after {@code java}, the SIMD ones (Composite.SIMD).
 */
public final class AuditTiming {
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    int reps = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    int w = 640;
    int h = 480;
    BufferedImage photo = ImageIO.read(Path.of("samples/coco/val2017/000000142238.jpg").toFile());
    byte[] rgb = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int yy = y < photo.getHeight() ? y : 2 * photo.getHeight() - 1 - y; // mirrored below the photo
        int p = photo.getRGB(x % photo.getWidth(), yy);
        int i = (y * w + x) * 3;
        rgb[i] = (byte) (p >> 16);
        rgb[i + 1] = (byte) (p >> 8);
        rgb[i + 2] = (byte) p;
      }
    }
    BufferedImage m = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = m.createGraphics();
    g.setColor(Color.WHITE);
    g.fill(new Ellipse2D.Double(80, 60, 260, 200));
    g.fillPolygon(new int[] {400, 620, 560, 330}, new int[] {250, 300, 470, 420}, 4);
    g.dispose();
    BinaryMask mask = new BinaryMask(w, h);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        if ((m.getRGB(x, y) & 0xff) != 0) {
          mask.set(x, y);
        }
      }
    }
    float[] p = Composite.maskPrompt(mask);
    float[] n = new SyntheticTextureGenerator("timing").generate(Collections.singletonList(null), List.of(p)).get(0);
    byte[] weight = Composite.foregroundWeight(p, w, h);
    BinaryMask eps = new BinaryMask(w, h, weight);
    byte[] out = Composite.protectWithWeight(rgb, w, h, weight, n, NoiseBudget.DEFAULT);
    byte[] written = jpegRoundTrip(out, w, h);

    // Commit fe00b5c of this file also timed the implementations before issue 18 in the same JVM.
    String[] names = {"W", "protect", "distortion"};
    LongSupplier[] steps = {
      () -> Composite.foregroundWeight(p, w, h)[7],
      () -> Composite.protectWithWeight(rgb, w, h, weight, n, NoiseBudget.DEFAULT)[7],
      () -> Distortion.measure(rgb, written, eps).linfInside(),
    };
    long[] best = new long[steps.length];
    Arrays.fill(best, Long.MAX_VALUE);
    long sink = 0;
    for (int round = 0; round < rounds; round++) { // interleaved, so load from other work falls on all of them
      for (int s = 0; s < steps.length; s++) {
        long t0 = CPU.getCurrentThreadCpuTime();
        for (int i = 0; i < reps; i++) {
          sink += steps[s].getAsLong();
        }
        best[s] = Math.min(best[s], CPU.getCurrentThreadCpuTime() - t0);
      }
    }
    StringBuilder sb = new StringBuilder(w + "x" + h + ", best of " + rounds + " x " + reps + " (ms thread CPU):");
    for (int s = 0; s < steps.length; s++) {
      sb.append(String.format(java.util.Locale.ROOT, " %s %.3f;", names[s], best[s] / 1e6 / reps));
    }
    System.out.println(sb.append(" sink ").append(sink));
  }

  private static byte[] jpegRoundTrip(byte[] rgb, int w, int h) throws Exception {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int i = 0; i < w * h; i++) {
      img.setRGB(i % w, i / w, (rgb[3 * i] & 0xff) << 16 | (rgb[3 * i + 1] & 0xff) << 8 | (rgb[3 * i + 2] & 0xff));
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ImageIO.write(img, "jpg", bytes);
    BufferedImage back = ImageIO.read(new ByteArrayInputStream(bytes.toByteArray()));
    byte[] out = new byte[w * h * 3];
    for (int i = 0; i < w * h; i++) {
      int v = back.getRGB(i % w, i / w);
      out[3 * i] = (byte) (v >> 16);
      out[3 * i + 1] = (byte) (v >> 8);
      out[3 * i + 2] = (byte) v;
    }
    return out;
  }
}
