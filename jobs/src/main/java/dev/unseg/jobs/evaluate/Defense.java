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
 * defence table): nothing, JPEG re-compression at quality Q, or a Gaussian blur of sigma pixels.
 */
public record Defense(String kind, double value) {

  public static Defense parse(String spec) {
    String s = spec.trim();
    if (s.equals("none")) {
      return new Defense("none", 0);
    }
    String[] parts = s.split(":", 2);
    try {
      if (parts.length == 2 && parts[0].equals("jpeg")) {
        int q = Integer.parseInt(parts[1]);
        if (q >= 1 && q <= 100) {
          return new Defense("jpeg", q);
        }
      } else if (parts.length == 2 && parts[0].equals("blur")) {
        double sigma = Double.parseDouble(parts[1]);
        if (sigma > 0 && sigma <= 20) {
          return new Defense("blur", sigma);
        }
      }
    } catch (NumberFormatException e) {
      // falls through to the message below
    }
    throw new UserError("--defense '" + spec + "': expected none, jpeg:Q (1..100) or blur:SIGMA (0 < SIGMA <= 20)");
  }

  @Override
  public String toString() {
    return switch (kind) {
      case "none" -> "none";
      case "jpeg" -> "jpeg:" + (int) value;
      default -> "blur:" + value;
    };
  }

  Rgb apply(Rgb in) {
    return switch (kind) {
      case "none" -> in;
      case "jpeg" -> jpeg(in, (float) (value / 100));
      default -> blur(in, value);
    };
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
