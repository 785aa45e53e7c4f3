package dev.unseg.pipeline.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unseg.pipeline.audit.Sha256;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

/**
 * JPEGs decode to the values training loaders see (libjpeg/Pillow: no colour management), and an
 * embedded ICC profile travels to the output so colour-managed viewers show the same colours.
 */
class JpegColorTest {
  static final Path ROOT = Paths.get("..").toAbsolutePath().normalize();

  @Test
  void decodesExactlyAsPillow() throws Exception {
    ImageCodec codec = new ImageCodec(100_000_000L);
    String digests;
    try (InputStream in = getClass().getResourceAsStream("pillow-digests.txt")) {
      digests = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    int checked = 0;
    for (String line : digests.split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length != 3) {
        continue;
      }
      DecodedImage img = codec.decode(Files.readAllBytes(ROOT.resolve(f[0])), f[0]);
      assertEquals(f[2], Sha256.hex(img.rgb()), f[0] + " (" + f[1] + ")");
      checked++;
    }
    assertEquals(4, checked);
  }

  @Test
  void theIccProfileTravelsToJpegOutput() throws Exception {
    ImageCodec codec = new ImageCodec(100_000_000L);
    byte[] input = Files.readAllBytes(ROOT.resolve("samples/tiles/images/rocket.jpg"));
    byte[] icc = JpegMarkers.scan(input).iccSegments();
    assertNotNull(icc, "rocket.jpg embeds an Adobe RGB profile");
    DecodedImage img = codec.decode(input, "rocket.jpg");
    byte[] out = codec.encode(img, img.rgb(), EncodeOptions.defaults());
    assertArrayEquals(icc, JpegMarkers.scan(out).iccSegments());
    // Decoding the output raw gives back the input's raw values up to JPEG's loss.
    byte[] again = codec.decode(out, "out.jpg").rgb();
    long sq = 0;
    for (int i = 0; i < again.length; i++) {
      int d = (again[i] & 0xff) - (img.rgb()[i] & 0xff);
      sq += (long) d * d;
    }
    double psnr = 10 * Math.log10(255.0 * 255.0 / ((double) sq / again.length));
    assertTrue(psnr > 40, "q95 re-encode PSNR " + psnr);
  }

  @Test
  void withoutAProfileNothingIsAdded() throws Exception {
    ImageCodec codec = new ImageCodec(100_000_000L);
    byte[] input = Files.readAllBytes(ROOT.resolve("samples/ade20k/images/validation/ADE_val_00000001.jpg"));
    DecodedImage img = codec.decode(input, "ade.jpg");
    assertNull(JpegMarkers.scan(codec.encode(img, img.rgb(), EncodeOptions.defaults())).iccSegments());
  }
}
