package dev.unseg.pipeline.protect;

import dev.unseg.pipeline.mask.BinaryMask;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** A union mask as an 8-bit grey PNG, 255 where protected with eps and 0 elsewhere, for auditors. */
final class MaskPng {
  private MaskPng() {}

  static byte[] encode(BinaryMask mask) {
    BufferedImage img = new BufferedImage(mask.width(), mask.height(), BufferedImage.TYPE_BYTE_GRAY);
    byte[] dst = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
    byte[] src = mask.pixels();
    for (int i = 0; i < src.length; i++) {
      dst[i] = (byte) (src[i] == 0 ? 0 : 255);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(src.length / 8 + 1024);
    // Not ImageIO.write(img, "png", out): with ImageIO's default cache that goes through a temporary
    // file in java.io.tmpdir for every mask, on the executor's disk.
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
