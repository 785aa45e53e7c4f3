package dev.unseg.pipeline.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.unseg.pipeline.error.ErrorCode;
import dev.unseg.pipeline.error.InputException;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

  /**
   * RGB tiles of 16 bits and RGB + near-infrared tiles (GDAL's photometric RGB with an extra sample: 16-bit
   * 11-bit data in LZW with a predictor and nodata, as SpaceNet's; 8-bit, as NAIP's). Before, TwelveMonkeys'
   * writer threw on 16-bit tiles of several bands (it has no code for them) and RGB + N was
   * refused on reading, so every such tile failed. Written now with the protected high bytes, the low bytes
   * and band 4 unchanged, and every tag GDAL reads back.
   */
  @ParameterizedTest
  @ValueSource(strings = {"rgb_u16.tif", "rgbn_u16_11bit.tif", "rgbn_u8.tif"})
  void rgbAndNearInfraredTilesKeepTheirSamplesAndTags(String name) throws Exception {
    byte[] data = TestImages.bytes("geotiff/" + name);
    DecodedImage image = codec.decode(data, name);
    byte[] protectedRgb = TestImages.perturb(image.rgb(), 2, 37);
    byte[] encoded = codec.encode(image, protectedRgb, EncodeOptions.defaults());
    assertArrayEquals(protectedRgb, codec.decode(encoded, name).rgb());

    Raster in = TestImages.imageIo(data).getRaster();
    Raster out = TestImages.imageIo(encoded).getRaster();
    int w = in.getWidth();
    int h = in.getHeight();
    int lowBits = in.getSampleModel().getSampleSize(0) - 8;
    assertEquals(in.getNumBands(), out.getNumBands());
    for (int b = 0; b < in.getNumBands(); b++) {
      int[] before = in.getSamples(0, 0, w, h, b, (int[]) null);
      int[] after = out.getSamples(0, 0, w, h, b, (int[]) null);
      for (int i = 0; i < before.length; i++) {
        if (b < 3) {
          int low = (1 << lowBits) - 1;
          assertEquals(before[i] & low, after[i] & low, name + " band " + (b + 1) + ": the low byte is kept");
          assertEquals(protectedRgb[3 * i + b] & 0xFF, after[i] >> lowBits, name + " band " + (b + 1) + ": the protected high byte");
        } else {
          assertEquals(before[i], after[i], name + " band " + (b + 1) + " must be unchanged");
        }
      }
    }

    JsonNode before = gdalinfo(data, "in_" + name);
    JsonNode after = gdalinfo(encoded, "out_" + name);
    assertFalse(before.path("coordinateSystem").path("wkt").asText().isEmpty());
    assertEquals(before.path("coordinateSystem").path("wkt"), after.path("coordinateSystem").path("wkt"));
    assertEquals(before.path("geoTransform"), after.path("geoTransform"));
    assertEquals(before.path("metadata").path("IMAGE_STRUCTURE").path("COMPRESSION"),
        after.path("metadata").path("IMAGE_STRUCTURE").path("COMPRESSION"));
    for (int b = 0; b < before.path("bands").size(); b++) {
      JsonNode was = before.path("bands").get(b);
      JsonNode is = after.path("bands").get(b);
      assertEquals(was.path("type"), is.path("type"));
      assertEquals(was.path("colorInterpretation"), is.path("colorInterpretation"));
      assertEquals(was.path("noDataValue"), is.path("noDataValue"));
    }
  }

  /**
   * An 11-bit tile (samples 0-2047) at {@code unseg.input.sample-bits = 11}: the view is bits 3-10, so a
   * change of 1 in the view is 8 in the file, not 256 (at the default 16 its view is 0-7 and eps 8 moves
   * a sample by up to 2048, the data's whole range). The three bits below and band 4 are kept, and the
   * output decodes to the protected view. At 10 bits its samples do not fit: refused, naming the setting.
   */
  @Test
  void elevenBitTileIsViewedThroughItsElevenBits() throws Exception {
    byte[] data = TestImages.bytes("geotiff/rgbn_u16_11bit.tif");
    ImageCodec eleven = new ImageCodec(50_000_000L, JpegCodec.AUTO, 11);
    DecodedImage image = eleven.decode(data, "tile.tif");
    Raster in = TestImages.imageIo(data).getRaster();
    int w = in.getWidth();
    int h = in.getHeight();
    int largestView = 0;
    for (int i = 0; i < w * h * 3; i++) {
      assertEquals(in.getSample(i / 3 % w, i / 3 / w, i % 3) >> 3, image.rgb()[i] & 0xFF);
      largestView = Math.max(largestView, image.rgb()[i] & 0xFF);
    }
    assertTrue(largestView > 200, "the data's range fills the view (at 16 bits: 0-7): " + largestView);
    byte[] protectedRgb = TestImages.perturb(image.rgb(), 8, 41);
    byte[] encoded = eleven.encode(image, protectedRgb, EncodeOptions.defaults());
    assertArrayEquals(protectedRgb, eleven.decode(encoded, "tile.tif").rgb());
    Raster out = TestImages.imageIo(encoded).getRaster();
    int largestChange = 0;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        for (int b = 0; b < 4; b++) {
          int before = in.getSample(x, y, b);
          int after = out.getSample(x, y, b);
          if (b == 3) {
            assertEquals(before, after, "band 4 is not protected");
          } else {
            assertEquals(before & 7, after & 7, "the bits below the view are kept");
            assertEquals(protectedRgb[3 * (y * w + x) + b] & 0xFF, after >> 3);
            largestChange = Math.max(largestChange, Math.abs(after - before));
          }
        }
      }
    }
    assertEquals(8 * 8, largestChange, "eps 8 in the view is at most 64 in the 11-bit data");

    InputException tooFew = assertThrows(InputException.class,
        () -> new ImageCodec(50_000_000L, JpegCodec.AUTO, 10).decode(data, "tile.tif"));
    assertEquals(ErrorCode.IMAGE_UNSUPPORTED, tooFew.code());
    assertTrue(tooFew.getMessage().contains("unseg.input.sample-bits = 10"), tooFew.getMessage());
    assertTrue(tooFew.getMessage().contains("(11 for this image"), tooFew.getMessage());
  }

  /**
   * Band-interleaved tiles (PlanarConfiguration 2, GDAL's INTERLEAVE=BAND): a 6-band Landsat stack, a 16-bit RGB +
   * near-infrared tile and an RGB photo. Before, TwelveMonkeys' reader returned the first band of the Landsat
   * stack only and the first three of the tile, so their releases silently lost the other bands, and the RGB
   * photo failed to encode (an index out of bounds). Every band is now kept, the noise is in bands 1-3, the
   * others are unchanged, and the copy is pixel-interleaved with the same georeferencing.
   */
  @ParameterizedTest
  @ValueSource(strings = {"L7_ETMs_band_interleaved.tif", "rgbn_u16_band_interleaved.tif", "rgb_band_interleaved.tif"})
  void bandInterleavedTilesKeepEveryBand(String name) throws Exception {
    byte[] data = TestImages.bytes("geotiff/" + name);
    JsonNode before = gdalinfo(data, "in_" + name);
    DecodedImage image = codec.decode(data, name);
    assertEquals(before.path("bands").size(), image.bands());
    byte[] protectedRgb = TestImages.perturb(image.rgb(), 2, 43);
    byte[] encoded = codec.encode(image, protectedRgb, EncodeOptions.defaults());
    assertArrayEquals(protectedRgb, codec.decode(encoded, name).rgb());

    Raster in = jdkRead(data);
    Raster out = jdkRead(encoded);
    assertEquals(in.getNumBands(), out.getNumBands());
    for (int b = 3; b < in.getNumBands(); b++) {
      assertArrayEquals(in.getSamples(0, 0, in.getWidth(), in.getHeight(), b, (int[]) null),
          out.getSamples(0, 0, in.getWidth(), in.getHeight(), b, (int[]) null), name + " band " + (b + 1) + " must be unchanged");
    }
    JsonNode after = gdalinfo(encoded, "out_" + name);
    assertEquals(before.path("bands").size(), after.path("bands").size());
    assertEquals(before.path("coordinateSystem").path("wkt"), after.path("coordinateSystem").path("wkt"));
    assertEquals(before.path("geoTransform"), after.path("geoTransform"));
    assertEquals("PIXEL", after.path("metadata").path("IMAGE_STRUCTURE").path("INTERLEAVE").asText(), name);
  }

  /**
   * A band-interleaved 16-bit tile with Predictor 2 (what GDAL and rasterio write with LZW or Deflate): TwelveMonkeys'
   * reader gives its colour bands only, and the JDK's, which reads every band, has no 16-bit predictor. It is refused
   * for the image, never released short of a band, with the GDAL command that makes it readable.
   */
  @Test
  void bandInterleavedSixteenBitTileWithPredictorIsRefusedWithItsFix() {
    InputException e = assertThrows(InputException.class, () -> codec.decode(
        TestImages.bytes("geotiff/rgbn_u16_band_interleaved_predictor.tif"), "tile.tif"));
    assertEquals(ErrorCode.IMAGE_UNSUPPORTED, e.code());
    assertTrue(e.getMessage().contains("tile.tif is a band-interleaved TIFF (GDAL's INTERLEAVE=BAND) of 4 bands")
        && e.getMessage().contains("gdal_translate -co INTERLEAVE=PIXEL"), e.getMessage());
  }

  /** Every band of a TIFF, by the JDK's reader (TwelveMonkeys' drops the extra bands of band-interleaved ones). */
  private static Raster jdkRead(byte[] tiff) throws IOException {
    javax.imageio.ImageReader reader = null;
    for (var it = javax.imageio.ImageIO.getImageReadersByFormatName("tiff"); it.hasNext(); ) {
      javax.imageio.ImageReader candidate = it.next();
      if (candidate.getClass().getName().startsWith("com.sun.imageio")) {
        reader = candidate;
      }
    }
    reader.setInput(javax.imageio.ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(tiff)));
    try {
      return reader.read(0).getRaster();
    } finally {
      reader.dispose();
    }
  }

  /**
   * A scene with a nodata collar (GDAL_NODATA 0, as around a rotated Landsat scene): noise that raises every
   * value, as eps_bg may, would turn the collar into valid dark pixels. keepNoData puts the collar's samples
   * back, so the file keeps them at 0 and the nodata tag means what it meant; the scene keeps its noise.
   */
  @Test
  void noDataCollarKeepsItsValue() throws Exception {
    byte[] data = TestImages.bytes("geotiff/nodata_collar.tif");
    DecodedImage image = codec.decode(data, "collar.tif");
    byte[] raised = image.rgb().clone();
    for (int i = 0; i < raised.length; i++) {
      raised[i] = (byte) Math.min(255, (raised[i] & 0xFF) + 2);
    }
    codec.keepNoData(image, raised);
    byte[] encoded = codec.encode(image, raised, EncodeOptions.defaults());
    Raster in = jdkRead(data);
    Raster out = jdkRead(encoded);
    int collar = 0;
    for (int y = 0; y < in.getHeight(); y++) {
      for (int x = 0; x < in.getWidth(); x++) {
        for (int b = 0; b < 3; b++) {
          int before = in.getSample(x, y, b);
          collar += before == 0 ? 1 : 0;
          assertEquals(before == 0 ? 0 : Math.min(255, before + 2), out.getSample(x, y, b), x + "," + y + " band " + (b + 1));
        }
      }
    }
    assertEquals(3 * (64 * 48 - 52 * 36), collar, "the collar, 6 pixels wide");
    assertEquals(gdalinfo(data, "collar_in.tif").path("bands").get(0).path("noDataValue"),
        gdalinfo(encoded, "collar_out.tif").path("bands").get(0).path("noDataValue"));
  }

  /**
   * Orthophotos with GDAL's internal mask (the IFD after the image's: 1 bit a pixel, 0 outside the scene), as
   * {@code gdal_translate -mask} writes them, in strips with Deflate and as a JPEG COG whose overviews have masks
   * of their own. Noise that raises every value leaves the pixels outside the scene as they were, and the copy
   * carries the same mask, which GDAL reads as the dataset's: without it the collar became valid pixels.
   */
  @ParameterizedTest
  @ValueSource(strings = {"internal_mask.tif", "internal_mask_cog_jpeg.tif"})
  void internalMaskIsKeptAndItsPixelsLeftAsTheyWere(String name) throws Exception {
    byte[] data = TestImages.bytes("geotiff/" + name);
    DecodedImage image = codec.decode(data, name);
    byte[] raised = image.rgb().clone();
    for (int i = 0; i < raised.length; i++) {
      raised[i] = (byte) Math.min(255, (raised[i] & 0xFF) + 2);
    }
    codec.keepNoData(image, raised);
    byte[] encoded = codec.encode(image, raised, EncodeOptions.defaults());
    DecodedImage written = codec.decode(encoded, name);
    assertArrayEquals(raised, written.rgb(), name);
    TiffInternalMask before = image.internalMask();
    TiffInternalMask after = written.internalMask();
    assertNotNull(before, name + ": no internal mask read");
    assertNotNull(after, name + ": the copy has no internal mask");
    int outside = 0;
    for (int y = 0, o = 0; y < image.height(); y++) {
      for (int x = 0; x < image.width(); x++, o += 3) {
        assertEquals(before.holdsData(x, y), after.holdsData(x, y), x + "," + y);
        outside += before.holdsData(x, y) ? 0 : 1;
        for (int c = 0; c < 3; c++) {
          int in = image.rgb()[o + c] & 0xFF;
          assertEquals(before.holdsData(x, y) ? Math.min(255, in + 2) : in, written.rgb()[o + c] & 0xFF, x + "," + y);
        }
      }
    }
    assertEquals(96 * 64 - 86 * 57, outside, "the collar, 10 pixels left and 7 at the top");
    JsonNode gdal = gdalinfo(encoded, "out_" + name);
    for (JsonNode band : gdal.path("bands")) {
      assertEquals("[\"PER_DATASET\"]", band.path("mask").path("flags").toString(), name);
    }
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
