package dev.unseg.pipeline.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.twelvemonkeys.imageio.color.ColorSpaces;
import java.awt.Transparency;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/** A CMYK JPEG (Adobe APP14, transform 0, inverted samples and no subsampling, as Photoshop writes them). */
class CmykJpegTest {
  private static final String FORMAT = "javax_imageio_jpeg_image_1.0";

  /** Left half full cyan ink, right half no ink (white). */
  static byte[] cmykJpeg(int w, int h) throws Exception {
    WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 4, null);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        raster.setSample(x, y, 0, x < w / 2 ? 0 : 255); // Adobe stores 255 - ink
        for (int b = 1; b < 4; b++) {
          raster.setSample(x, y, b, 255);
        }
      }
    }
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    try {
      ComponentColorModel cmyk = new ComponentColorModel(ColorSpaces.getColorSpace(ColorSpaces.CS_GENERIC_CMYK),
          false, false, Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
      IIOMetadata metadata = writer.getDefaultImageMetadata(new ImageTypeSpecifier(cmyk, raster.getSampleModel()), null);
      Element root = (Element) metadata.getAsTree(FORMAT);
      ((Element) root.getElementsByTagName("app14Adobe").item(0)).setAttribute("transform", "0");
      // Every ink at full resolution, as Photoshop and Pillow write CMYK.
      org.w3c.dom.NodeList components = root.getElementsByTagName("componentSpec");
      for (int c = 0; c < components.getLength(); c++) {
        ((Element) components.item(c)).setAttribute("HsamplingFactor", "1");
        ((Element) components.item(c)).setAttribute("VsamplingFactor", "1");
      }
      metadata.setFromTree(FORMAT, root);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
        writer.setOutput(out);
        writer.write(null, new IIOImage(raster, null, metadata), null);
      }
      return bytes.toByteArray();
    } finally {
      writer.dispose();
    }
  }

  @Test
  void cmykJpegBecomesAnRgbJpeg() throws Exception {
    int w = 64;
    int h = 32;
    byte[] data = cmykJpeg(w, h);
    ImageCodec codec = new ImageCodec(1_000_000);
    ImageHeader header = codec.readHeader(data, "cmyk.jpg");
    assertEquals("CMYK", header.colorType());
    assertEquals(4, header.bands());

    DecodedImage image = codec.decode(data, "cmyk.jpg");
    int cyan = (h / 2 * w + 8) * 3;
    int white = (h / 2 * w + w - 8) * 3;
    assertTrue((image.rgb()[cyan] & 0xFF) < 60, "cyan has little red");
    assertTrue((image.rgb()[cyan + 1] & 0xFF) > 120 && (image.rgb()[cyan + 2] & 0xFF) > 180, "cyan is green+blue");
    for (int c = 0; c < 3; c++) {
      assertTrue((image.rgb()[white + c] & 0xFF) > 240, "no ink is white");
    }

    byte[] protectedRgb = TestImages.perturb(image.rgb(), 8, 23);
    byte[] encoded = codec.encode(image, protectedRgb, EncodeOptions.defaults());
    ImageHeader out = codec.readHeader(encoded, "cmyk.jpg");
    assertEquals(ImageFormat.JPEG, out.format());
    assertEquals(3, out.bands());
    assertEquals(new JpegSampling(1, 1), JpegSampling.of(encoded), "unsubsampled CMYK stays unsubsampled (4:4:4)");
    assertEquals("YCbCr", out.colorType());
    assertTrue(TestImages.psnr(protectedRgb, codec.decode(encoded, "cmyk.jpg").rgb()) > 30);
  }
}
