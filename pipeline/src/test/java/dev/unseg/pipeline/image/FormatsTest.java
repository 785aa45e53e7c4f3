package dev.unseg.pipeline.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class FormatsTest {
  @Test
  void formatFromFileNameIgnoresCaseAndFolders() {
    assertEquals(Optional.of(ImageFormat.JPEG), ImageFormat.fromFileName("a/b/IMG_1.JPG"));
    assertEquals(Optional.of(ImageFormat.JPEG), ImageFormat.fromFileName("x.jpeg"));
    assertEquals(Optional.of(ImageFormat.PNG), ImageFormat.fromFileName("x.Png"));
    assertEquals(Optional.of(ImageFormat.TIFF), ImageFormat.fromFileName("scene.tif"));
    assertEquals(Optional.of(ImageFormat.TIFF), ImageFormat.fromFileName("scene.TIFF"));
    assertEquals(Optional.empty(), ImageFormat.fromFileName("dir.png/readme"));
    assertEquals(Optional.empty(), ImageFormat.fromFileName("x.gif"));
    assertEquals(Optional.empty(), ImageFormat.fromFileName("noext"));
  }

  @Test
  void formatFromMagicReadsTheRealFiles() {
    assertEquals(Optional.of(ImageFormat.JPEG), ImageFormat.fromMagic(TestImages.bytes("photos/rocket.jpg")));
    assertEquals(Optional.of(ImageFormat.PNG), ImageFormat.fromMagic(TestImages.bytes("photos/coffee.png")));
    assertEquals(Optional.of(ImageFormat.TIFF),
        ImageFormat.fromMagic(TestImages.bytes("photos/chessboard_GRAY_U16.tif")));
    assertEquals(Optional.empty(), ImageFormat.fromMagic(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
    assertEquals(Optional.empty(), ImageFormat.fromMagic(new byte[0]));
  }

  @Test
  void outputPathKeepsTheNameUnlessTheFormatChanges() {
    assertEquals("a/b.jpg", OutputFormat.SAME.outputPath("a/b.jpg", ImageFormat.JPEG));
    assertEquals("a/b.jpg", OutputFormat.SAME.outputPath("a/b.jpg", ImageFormat.PNG));
    assertEquals("a/b.png", OutputFormat.PNG.outputPath("a/b.jpg", ImageFormat.JPEG));
    assertEquals("a/b.PNG", OutputFormat.PNG.outputPath("a/b.PNG", ImageFormat.PNG));
    assertEquals("a/b.jpg", OutputFormat.JPEG.outputPath("a/b.tif", ImageFormat.TIFF));
    assertEquals("a/b.jpeg", OutputFormat.JPEG.outputPath("a/b.jpeg", ImageFormat.JPEG));
    assertEquals("a.d/noext.png", OutputFormat.PNG.outputPath("a.d/noext", ImageFormat.JPEG));
    assertEquals("a/.hidden.png", OutputFormat.PNG.outputPath("a/.hidden", ImageFormat.JPEG));
  }

  @Test
  void encodeOptionsCheckQuality() {
    assertEquals(95, EncodeOptions.defaults().jpegQuality());
    assertEquals(OutputFormat.SAME, EncodeOptions.defaults().format());
    assertThrows(IllegalArgumentException.class, () -> new EncodeOptions(OutputFormat.JPEG, -1));
    assertThrows(IllegalArgumentException.class, () -> new EncodeOptions(OutputFormat.JPEG, 101));
  }
}
