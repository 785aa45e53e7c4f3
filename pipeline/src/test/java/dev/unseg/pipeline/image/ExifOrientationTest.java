package dev.unseg.pipeline.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unseg.pipeline.audit.AuditRecord;
import dev.unseg.pipeline.composite.NoiseBudget;
import dev.unseg.pipeline.dataset.BinaryMaskFile;
import dev.unseg.pipeline.dataset.ImageTask;
import dev.unseg.pipeline.error.ErrorCode;
import dev.unseg.pipeline.generator.SyntheticTextureGenerator;
import dev.unseg.pipeline.protect.ImageProtector;
import dev.unseg.pipeline.protect.LocalDatasetIO;
import dev.unseg.pipeline.protect.ProtectionSettings;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

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
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Node;

/** A sideways photo stays sideways-tagged after protection; nothing else of EXIF travels; a mask drawn turned is explained. */
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

  /**
   * A sideways-tagged photo whose mask was drawn on the picture as viewers show it (sides swapped): the
   * row says that the EXIF orientation is the likely cause and how to fix the images; a mask of the wrong
   * size on an untagged photo gets the plain message.
   */
  @Test
  void aMaskDrawnOnTheTurnedPictureIsRefusedWithTheCauseAndTheFix(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("images"));
    Files.createDirectories(dir.resolve("masks"));
    Files.write(dir.resolve("images/sideways.jpg"), withLittleEndianExif(rocket(), 6));
    Files.write(dir.resolve("images/upright.jpg"), rocket());
    for (String name : new String[] {"sideways", "upright"}) {
      ImageIO.write(new BufferedImage(427, 640, BufferedImage.TYPE_BYTE_GRAY), "png", dir.resolve("masks/" + name + ".png").toFile());
    }
    ImageProtector protector = new ImageProtector(new ProtectionSettings(NoiseBudget.DEFAULT, EncodeOptions.defaults(),
        64L << 20, 100_000_000L, false), new SyntheticTextureGenerator("k").info());
    LocalDatasetIO io = new LocalDatasetIO(dir.resolve("images"), dir.resolve("masks"), dir.resolve("out"), dir.resolve("out/_unseg"));
    Map<String, String> messages = new HashMap<>();
    for (String name : new String[] {"sideways", "upright"}) {
      ImageProtector.Stage stage = protector.prepare(ImageTask.of(name + ".jpg", new BinaryMaskFile(name + ".png")), io);
      AuditRecord r = ((ImageProtector.Done) stage).record();
      assertEquals(ErrorCode.MASK_SIZE_MISMATCH.code(), r.errorCode());
      messages.put(name, r.errorMessage());
    }
    assertTrue(messages.get("sideways").contains("is 427x640 but its image is 640x427"), messages.get("sideways"));
    assertTrue(messages.get("sideways").contains("EXIF orientation (6) makes viewers show it turned, as 427x640"), messages.get("sideways"));
    assertTrue(messages.get("sideways").contains("exiftran -ai"), messages.get("sideways"));
    assertFalse(messages.get("upright").contains("EXIF"), messages.get("upright"));
  }
}
