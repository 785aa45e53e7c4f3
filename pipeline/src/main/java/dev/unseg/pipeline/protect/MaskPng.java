package dev.unseg.pipeline.protect;

import dev.unseg.pipeline.mask.BinaryMask;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import dev.unseg.pipeline.image.PngBytes;

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
    return PngBytes.encode(img);
  }
}
