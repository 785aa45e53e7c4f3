package dev.unseg.jobs.evaluate;

import dev.unseg.pipeline.error.UserError;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * What a data thief might do to the protected training images before training (the paper's
 * defence table): nothing, JPEG re-compression at quality Q, a Gaussian blur of sigma pixels,
 * grayscale, ISS (grayscale then JPEG at quality Q: "image shortcut squeezing"), or a resize down by
 * factor F and back up (bilinear).
 */
public record Defense(String kind, double value) {

  public static Defense parse(String spec) {
    String s = spec.trim();
    if (s.equals("none") || s.equals("gray")) {
      return new Defense(s, 0);
    }
    String[] parts = s.split(":", 2);
    try {
      if (parts.length == 2 && (parts[0].equals("jpeg") || parts[0].equals("iss"))) {
        int q = Integer.parseInt(parts[1]);
        if (q >= 1 && q <= 100) {
          return new Defense(parts[0], q);
        }
      } else if (parts.length == 2 && parts[0].equals("blur")) {
        double sigma = Double.parseDouble(parts[1]);
        if (sigma > 0 && sigma <= 20) {
          return new Defense("blur", sigma);
        }
      } else if (parts.length == 2 && parts[0].equals("resize")) {
        double f = Double.parseDouble(parts[1]);
        if (f > 0.05 && f < 1) {
          return new Defense("resize", f);
        }
      }
    } catch (NumberFormatException e) {
      // falls through to the message below
    }
    throw UserError.setting("unseg.evaluate.defense", spec, "a comma-separated list of none, jpeg:Q (1..100), blur:SIGMA"
        + " (0 < SIGMA <= 20), gray, iss:Q (grayscale then JPEG Q) or resize:F (0.05 < F < 1)", "--defense");
  }

  /** A comma-separated list, e.g. {@code none,jpeg:75,blur:1,gray,iss:10,resize:0.5}; duplicates refused. */
  public static java.util.List<Defense> parseList(String spec) {
    java.util.List<Defense> out = new java.util.ArrayList<>();
    for (String part : spec.split(",")) {
      Defense d = parse(part);
      if (out.contains(d)) {
        throw UserError.setting("unseg.evaluate.defense", spec, "each defence once (" + d + " is listed twice)", "--defense");
      }
      out.add(d);
    }
    return out;
  }

  @Override
  public String toString() {
    return switch (kind) {
      case "none", "gray" -> kind;
      case "jpeg", "iss" -> kind + ":" + (int) value;
      default -> kind + ":" + value;
    };
  }

  Rgb apply(Rgb in) {
    return switch (kind) {
      case "none" -> in;
      case "jpeg" -> jpeg(in, (float) (value / 100));
      case "gray" -> gray(in);
      case "iss" -> jpeg(gray(in), (float) (value / 100));
      case "resize" -> in.resized(Math.max(1, (int) Math.round(in.width() * value)), Math.max(1, (int) Math.round(in.height() * value)))
          .resized(in.width(), in.height());
      default -> blur(in, value);
    };
  }

  /** ITU-R BT.601 luma, repeated in the three channels (the network still takes RGB). */
  private static Rgb gray(Rgb in) {
    byte[] src = in.hwc();
    byte[] out = new byte[src.length];
    for (int i = 0; i < src.length; i += 3) {
      int y = (int) Math.round(0.299 * (src[i] & 255) + 0.587 * (src[i + 1] & 255) + 0.114 * (src[i + 2] & 255));
      out[i] = out[i + 1] = out[i + 2] = (byte) Math.min(255, y);
    }
    return new Rgb(in.width(), in.height(), out);
  }

  private static Rgb jpeg(Rgb in, float quality) {
    ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
        w.setOutput(out);
        ImageWriteParam p = w.getDefaultWriteParam();
        p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        p.setCompressionQuality(quality);
        w.write(null, new IIOImage(in.image(), null, null), p);
      }
      return Rgb.of(ImageIO.read(new ByteArrayInputStream(bytes.toByteArray())));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      w.dispose();
    }
  }

  /** Separable Gaussian (radius 3 sigma, edges clamped), rounded back to 8 bits. */
  private static Rgb blur(Rgb in, double sigma) {
    int r = Math.max(1, (int) Math.ceil(3 * sigma));
    double[] k = new double[2 * r + 1];
    double sum = 0;
    for (int i = -r; i <= r; i++) {
      k[i + r] = Math.exp(-i * i / (2 * sigma * sigma));
      sum += k[i + r];
    }
    for (int i = 0; i < k.length; i++) {
      k[i] /= sum;
    }
    int w = in.width();
    int h = in.height();
    double[] tmp = new double[w * h * 3];
    byte[] src = in.hwc();
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        for (int c = 0; c < 3; c++) {
          double v = 0;
          for (int i = -r; i <= r; i++) {
            int xx = Math.min(w - 1, Math.max(0, x + i));
            v += k[i + r] * (src[(y * w + xx) * 3 + c] & 255);
          }
          tmp[(y * w + x) * 3 + c] = v;
        }
      }
    }
    byte[] out = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        for (int c = 0; c < 3; c++) {
          double v = 0;
          for (int i = -r; i <= r; i++) {
            int yy = Math.min(h - 1, Math.max(0, y + i));
            v += k[i + r] * tmp[(yy * w + x) * 3 + c];
          }
          out[(y * w + x) * 3 + c] = (byte) Math.max(0, Math.min(255, Math.round(v)));
        }
      }
    }
    return new Rgb(w, h, out);
  }
}
