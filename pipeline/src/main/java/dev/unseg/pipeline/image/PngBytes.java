package dev.unseg.pipeline.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** An image as a PNG file's bytes, encoded in memory. */
public final class PngBytes {
  private PngBytes() {}

  /**
   * Not {@code ImageIO.write(img, "png", out)}: with ImageIO's default cache that goes through a
   * temporary file in java.io.tmpdir for every image, on the executor's disk.
   */
  public static byte[] encode(BufferedImage img) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
    try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
      writer.setOutput(stream);
      writer.write(img);
    } catch (IOException e) {
      throw new UncheckedIOException("in-memory PNG encoding cannot fail on I/O", e);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }
}
