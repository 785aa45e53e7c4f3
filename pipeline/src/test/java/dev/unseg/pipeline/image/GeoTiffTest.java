package dev.unseg.pipeline.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real GeoTIFFs: pixels and georeferencing checked against GDAL, an independent reader. */
class GeoTiffTest {
  private final ImageCodec codec = new ImageCodec(50_000_000L);

  @TempDir Path dir;

  /** Multi-band: view = bands 1..3, protected values go there, bands 4..6 are copied unchanged. */
  @Test
  void landsatKeepsExtraBandsAndGeoreferencing() throws Exception {
    byte[] data = TestImages.bytes("geotiff/L7_ETMs.tif");
    DecodedImage image = codec.decode(data, "L7_ETMs.tif");
    assertEquals(6, image.bands());
    Raster in = TestImages.imageIo(data).getRaster();
    int w = in.getWidth();
    int h = in.getHeight();
    for (int b = 0; b < 3; b++) {
      int[] band = in.getSamples(0, 0, w, h, b, (int[]) null);
      for (int i = 0; i < band.length; i++) {
        assertEquals(band[i], image.rgb()[3 * i + b] & 0xFF);
      }
    }
    // Protect-like change: +-1 on every value of bands 1..3.
    byte[] protectedRgb = image.rgb().clone();
    Random random = new Random(29);
    for (int i = 0; i < protectedRgb.length; i++) {
      int v = protectedRgb[i] & 0xFF;
      protectedRgb[i] = (byte) (v == 0 ? 1 : v == 255 ? 254 : v + (random.nextBoolean() ? 1 : -1));
    }
    byte[] encoded = codec.encode(image, protectedRgb, EncodeOptions.defaults());
    assertArrayEquals(protectedRgb, codec.decode(encoded, "L7_ETMs.tif").rgb());
    Raster out = TestImages.imageIo(encoded).getRaster();
    assertEquals(6, out.getNumBands());
    for (int b = 3; b < 6; b++) {
      assertArrayEquals(in.getSamples(0, 0, w, h, b, (int[]) null), out.getSamples(0, 0, w, h, b, (int[]) null),
          "band " + (b + 1) + " must be unchanged");
    }

    JsonNode before = gdalinfo(data, "in.tif");
    JsonNode after = gdalinfo(encoded, "out.tif");
    assertFalse(before.path("coordinateSystem").path("wkt").asText().isEmpty());
    assertEquals(before.path("coordinateSystem").path("wkt"), after.path("coordinateSystem").path("wkt"));
    assertEquals(before.path("geoTransform"), after.path("geoTransform"));
    assertEquals(before.path("bands").size(), after.path("bands").size());
    assertEquals(before.path("size"), after.path("size"));
    assertEquals("DEFLATE", after.path("metadata").path("IMAGE_STRUCTURE").path("COMPRESSION").asText());
  }

  /** A palette GeoTIFF is written as an RGB GeoTIFF with the same georeferencing. */
  @Test
  void paletteGeoTiffBecomesRgbGeoTiff() throws Exception {
    byte[] data = TestImages.bytes("geotiff/lc.tif");
    DecodedImage image = codec.decode(data, "lc.tif");
    byte[] protectedRgb = TestImages.perturb(image.rgb(), 2, 31);
    byte[] encoded = codec.encode(image, protectedRgb, EncodeOptions.defaults());
    assertEquals(ImageFormat.TIFF, codec.readHeader(encoded, "lc.tif").format());
    assertEquals("RGB", codec.readHeader(encoded, "lc.tif").colorType());
    assertArrayEquals(protectedRgb, codec.decode(encoded, "lc.tif").rgb());

    JsonNode before = gdalinfo(data, "lc_in.tif");
    JsonNode after = gdalinfo(encoded, "lc_out.tif");
    assertEquals(before.path("coordinateSystem").path("wkt"), after.path("coordinateSystem").path("wkt"));
    assertNotEquals("", after.path("coordinateSystem").path("wkt").asText(""));
    assertEquals(before.path("geoTransform"), after.path("geoTransform"));
    assertEquals(1, before.path("bands").size());
    assertEquals(3, after.path("bands").size());
  }

  private JsonNode gdalinfo(byte[] tiff, String fileName) throws IOException, InterruptedException {
    Path file = dir.resolve(fileName);
    Files.write(file, tiff);
    Process process;
    try {
      process = new ProcessBuilder("gdalinfo", "-json", file.toString()).redirectError(dir.resolve(fileName + ".err").toFile()).start();
    } catch (IOException e) {
      Assumptions.abort("gdalinfo is not installed (apt-get install gdal-bin); GeoTIFF georeferencing not checked");
      throw e;
    }
    byte[] json = process.getInputStream().readAllBytes();
    assertEquals(0, process.waitFor(), "gdalinfo failed on " + fileName);
    // GDAL warns on a malformed header (an ExtraSamples tag with too few values, say) but still reads it.
    String warnings = Files.readString(dir.resolve(fileName + ".err"));
    assertFalse(warnings.contains("Warning"), fileName + ": " + warnings);
    return new ObjectMapper().readTree(json);
  }
}
