package dev.unseg.pipeline.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Node;

/** A sideways photo stays sideways-tagged after protection; nothing else of EXIF travels. */
class ExifOrientationTest {
  static byte[] rocket() throws Exception {
    try (InputStream in = ExifOrientationTest.class.getResourceAsStream("photos/rocket.jpg")) {
      return in.readAllBytes();
    }
  }

  /** A little-endian EXIF segment with a camera make, the orientation, and a (fake) IFD1 link. */
  static byte[] withLittleEndianExif(byte[] jpeg, int orientation) {
    ByteArrayOutputStream tiff = new ByteArrayOutputStream();
    byte[] header = {'I', 'I', 42, 0, 8, 0, 0, 0, 2, 0};
    tiff.writeBytes(header);
    tiff.writeBytes(new byte[] {0x0f, 0x01, 2, 0, 4, 0, 0, 0, 'A', 'B', 'C', 0});            // Make "ABC"
    tiff.writeBytes(new byte[] {0x12, 0x01, 3, 0, 1, 0, 0, 0, (byte) orientation, 0, 0, 0}); // Orientation
    tiff.writeBytes(new byte[] {40, 0, 0, 0});                                               // next IFD (thumbnail)
    byte[] body = tiff.toByteArray();
    int length = 2 + 6 + body.length;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(jpeg, 0, 2);
    out.writeBytes(new byte[] {(byte) 0xff, (byte) 0xe1, (byte) (length >> 8), (byte) length, 'E', 'x', 'i', 'f', 0, 0});
    out.writeBytes(body);
    out.write(jpeg, 2, jpeg.length - 2);
    return out.toByteArray();
  }

  /** The APP1 segments as the JDK's JPEG reader reports them (an independent parser). */
  static List<byte[]> app1Segments(byte[] jpeg) throws Exception {
    List<byte[]> found = new ArrayList<>();
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(jpeg))) {
      ImageReader reader = null;
      for (var it = ImageIO.getImageReaders(in); it.hasNext();) {
        ImageReader r = it.next();
        if (r.getClass().getName().startsWith("com.sun")) {
          reader = r;
        }
      }
      reader.setInput(in);
      IIOMetadata meta = reader.getImageMetadata(0);
      Node root = meta.getAsTree("javax_imageio_jpeg_image_1.0");
      collect(root, found);
      reader.dispose();
    }
    return found;
  }

  private static void collect(Node n, List<byte[]> found) {
    if ("unknown".equals(n.getNodeName()) && "225".equals(n.getAttributes().getNamedItem("MarkerTag").getNodeValue())) {
      found.add((byte[]) ((javax.imageio.metadata.IIOMetadataNode) n).getUserObject());
    }
    for (Node c = n.getFirstChild(); c != null; c = c.getNextSibling()) {
      collect(c, found);
    }
  }

  @Test
  void orientationTravelsAloneThroughProtection() throws Exception {
    ImageCodec codec = new ImageCodec(100_000_000L);
    for (int orientation : new int[] {3, 6, 8}) {
      byte[] input = withLittleEndianExif(rocket(), orientation);
      DecodedImage img = codec.decode(input, "sideways.jpg");
      assertEquals(orientation, img.exifOrientation());
      byte[] out = codec.encode(img, img.rgb(), EncodeOptions.defaults());
      assertEquals(orientation, ExifOrientation.read(out));
      List<byte[]> app1 = app1Segments(out);
      assertEquals(1, app1.size());
      // Exif header + TIFF header + one IFD entry + no next IFD: 32 bytes, no make, no thumbnail.
      assertEquals(32, app1.get(0).length);
      assertEquals(codec.decode(input, "in").width(), codec.decode(out, "out").width());
    }
  }

  @Test
  void noExifMeansNoExifWritten() throws Exception {
    ImageCodec codec = new ImageCodec(100_000_000L);
    DecodedImage img = codec.decode(rocket(), "rocket.jpg");
    assertEquals(1, img.exifOrientation());
    byte[] out = codec.encode(img, img.rgb(), EncodeOptions.defaults());
    assertEquals(0, app1Segments(out).size());
  }
}
