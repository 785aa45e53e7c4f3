package dev.unseg.pipeline.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unseg.pipeline.error.ErrorCode;
import dev.unseg.pipeline.error.InputException;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HeaderTest {
  private static final long LIMIT = 100_000_000L;
  private final ImageCodec codec = new ImageCodec(LIMIT);

  @ParameterizedTest
  @ValueSource(strings = {"photos/rocket.jpg", "photos/coffee.png", "photos/chelsea.png", "photos/astronaut.png",
      "photos/horse.png", "photos/palette_color.png", "photos/chessboard_GRAY_U16.tif",
      "geotiff/L7_ETMs.tif", "geotiff/lc.tif"})
  void headerAgreesWithImageIo(String resource) throws Exception {
    byte[] data = TestImages.bytes(resource);
    ImageHeader header = codec.readHeader(data, resource);
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(data))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      ImageReader reader = readers.next();
      reader.setInput(in);
      assertEquals(reader.getWidth(0), header.width());
      assertEquals(reader.getHeight(0), header.height());
      assertEquals(reader.getRawImageType(0) == null ? header.bands()
          : reader.getRawImageType(0).getSampleModel().getNumBands(), header.bands());
      reader.dispose();
    }
  }

  @Test
  void headerReportsLayouts() throws Exception {
    assertEquals("PALETTE", codec.readHeader(TestImages.bytes("photos/palette_color.png"), "p").colorType());
    assertEquals("RGBA", codec.readHeader(TestImages.bytes("photos/horse.png"), "h").colorType());
    ImageHeader gray = codec.readHeader(TestImages.bytes("photos/chessboard_GRAY_U16.tif"), "c");
    assertEquals("GRAY", gray.colorType());
    assertEquals(16, gray.bitsPerSample());
    ImageHeader landsat = codec.readHeader(TestImages.bytes("geotiff/L7_ETMs.tif"), "l");
    assertEquals(6, landsat.bands());
    assertEquals(ImageFormat.JPEG, codec.readHeader(TestImages.bytes("photos/rocket.jpg"), "r").format());
  }

  /** An IHDR-only PNG declaring 60000x60000: a decoder would need 10.8 GB for it. */
  static byte[] hugePng() {
    ByteBuffer b = ByteBuffer.allocate(8 + 25);
    b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
    b.putInt(13).put(new byte[] {'I', 'H', 'D', 'R'}).putInt(60000).putInt(60000).put((byte) 8).put((byte) 2)
        .put((byte) 0).put((byte) 0).put((byte) 0);
    CRC32 crc = new CRC32();
    crc.update(b.array(), 12, 17);
    b.putInt((int) crc.getValue());
    return b.array();
  }

  /** rocket.jpg with its SOF0 patched to declare 60000x60000. */
  static byte[] hugeJpeg() {
    byte[] d = TestImages.bytes("photos/rocket.jpg").clone();
    for (int i = 2; i + 9 < d.length; i++) {
      if ((d[i] & 0xFF) == 0xFF && (d[i + 1] & 0xFF) == 0xC0) {
        d[i + 5] = (byte) (60000 >> 8);
        d[i + 6] = (byte) 60000;
        d[i + 7] = (byte) (60000 >> 8);
        d[i + 8] = (byte) 60000;
        return d;
      }
    }
    throw new IllegalStateException("rocket.jpg has no SOF0");
  }

  /** The 16-bit gray TIFF with its width and height tags patched to 60000 (little-endian file). */
  static byte[] hugeTiff() {
    byte[] d = TestImages.bytes("photos/chessboard_GRAY_U16.tif").clone();
    ByteBuffer b = ByteBuffer.wrap(d).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    int ifd = b.getInt(4);
    int n = b.getShort(ifd) & 0xFFFF;
    for (int e = 0; e < n; e++) {
      int at = ifd + 2 + 12 * e;
      int tag = b.getShort(at) & 0xFFFF;
      int type = b.getShort(at + 2);
      if (tag == 256 || tag == 257) {
        if (type == 3) {
          b.putShort(at + 8, (short) 60000);
        } else {
          b.putInt(at + 8, 60000);
        }
      }
    }
    return d;
  }

  @Test
  void hugeDeclaredSizesFailFastWithoutAllocating() {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    for (byte[] huge : new byte[][] {hugePng(), hugeJpeg(), hugeTiff()}) {
      long before = threads.getThreadAllocatedBytes(thread);
      InputException e = assertThrows(InputException.class, () -> codec.decode(huge, "huge.img"));
      long allocated = threads.getThreadAllocatedBytes(thread) - before;
      assertEquals(ErrorCode.IMAGE_TOO_LARGE, e.code(), e.getMessage());
      assertTrue(e.getMessage().contains("huge.img") && e.getMessage().contains("unseg.limits.max-pixels")
          && e.getMessage().contains("60000x60000"), e.getMessage());
      assertTrue(allocated < 8_000_000, "decode allocated " + allocated + " bytes before failing");
    }
  }

  @Test
  void limitIsInclusive() throws Exception {
    byte[] coffee = TestImages.bytes("photos/coffee.png");
    assertEquals(600, new ImageCodec(600 * 400).readHeader(coffee, "coffee.png").width());
    InputException e = assertThrows(InputException.class,
        () -> new ImageCodec(600 * 400 - 1).decode(coffee, "coffee.png"));
    assertEquals(ErrorCode.IMAGE_TOO_LARGE, e.code());
  }

  @Test
  void emptyAndGarbageAreUnreadable() {
    InputException empty = assertThrows(InputException.class, () -> codec.decode(new byte[0], "empty.jpg"));
    assertEquals(ErrorCode.IMAGE_UNREADABLE, empty.code());
    assertTrue(empty.getMessage().contains("empty.jpg"), empty.getMessage());
    Random random = new Random(42);
    for (int i = 0; i < 20; i++) {
      byte[] garbage = new byte[1 + random.nextInt(4096)];
      random.nextBytes(garbage);
      InputException e = assertThrows(InputException.class, () -> codec.decode(garbage, "garbage.png"));
      assertEquals(ErrorCode.IMAGE_UNREADABLE, e.code(), e.getMessage());
    }
    // Right magic numbers followed by garbage or nothing.
    for (String resource : new String[] {"photos/rocket.jpg", "photos/coffee.png", "geotiff/L7_ETMs.tif"}) {
      byte[] real = TestImages.bytes(resource);
      for (int keep : new int[] {4, 8, 20, 40}) {
        byte[] cut = Arrays.copyOf(real, keep);
        InputException e = assertThrows(InputException.class, () -> codec.decode(cut, resource));
        assertEquals(ErrorCode.IMAGE_UNREADABLE, e.code(), e.getMessage());
        byte[] noisy = Arrays.copyOf(real, 4096);
        byte[] tail = new byte[4096 - keep];
        random.nextBytes(tail);
        System.arraycopy(tail, 0, noisy, keep, tail.length);
        InputException e2 = assertThrows(InputException.class, () -> codec.decode(noisy, resource));
        assertTrue(e2.code() == ErrorCode.IMAGE_UNREADABLE || e2.code() == ErrorCode.IMAGE_TOO_LARGE
            || e2.code() == ErrorCode.IMAGE_UNSUPPORTED, e2.getMessage());
      }
    }
  }
}
