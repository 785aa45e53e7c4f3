package dev.unseg.pipeline.mask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.unseg.pipeline.error.ErrorCode;
import dev.unseg.pipeline.error.InputException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The RLE codec against 734 real compressed RLEs written by the COCO mask API (cocoapi results/). */
class RleTest {
  private static final List<JsonNode> RESULTS = new ArrayList<>();

  @BeforeAll
  static void load() throws Exception {
    try (InputStream in = RleTest.class.getResourceAsStream("/masks-data/coco-rle-results/instances_val2014_fakesegm100_results.json")) {
      new ObjectMapper().readTree(in).forEach(RESULTS::add);
    }
    assertEquals(734, RESULTS.size());
  }

  private static Rle rle(JsonNode r) throws InputException {
    JsonNode s = r.get("segmentation");
    return Rle.fromString(s.get("counts").asText(), s.get("size").get(0).asInt(), s.get("size").get(1).asInt(), "test");
  }

  @Test
  void realRlesDecodeToTheirAreaAndReencodeIdentically() throws Exception {
    long nonEmpty = 0;
    for (JsonNode r : RESULTS) {
      String counts = r.get("segmentation").get("counts").asText();
      Rle rle = rle(r);
      BinaryMask m = rle.decode();
      assertEquals(rle.height(), m.height());
      assertEquals(rle.area(), m.count(), counts);
      assertEquals(counts, rle.toCompressedString());
      // back from the row-major pixels: the same runs, hence the same string
      assertEquals(rle, Rle.encode(m));
      assertEquals(counts, Rle.encode(m).toCompressedString());
      nonEmpty += rle.area() > 0 ? 1 : 0;
    }
    assertTrue(nonEmpty > 700, "real masks are not empty: " + nonEmpty);
  }

  @Test
  void decodeIsColumnMajor() throws Exception {
    // 2 rows x 3 columns; runs over (x0,y0),(x0,y1),(x1,y0)...: 1 zero, 2 ones, 3 zeros
    Rle r = Rle.of(2, 3, new int[] {1, 2, 3}, "t");
    BinaryMask m = r.decode();
    assertTrue(m.get(0, 1) && m.get(1, 0));
    assertEquals(2, m.count());
    assertEquals(0, m.pixels()[0]);
    assertEquals(1, m.pixels()[3]); // row 1, column 0
  }

  @Test
  void listFormRoundTrips() throws Exception {
    for (JsonNode r : RESULTS) {
      Rle rle = rle(r);
      int[] counts = rle.counts();
      Rle fromList = Rle.of(rle.height(), rle.width(), counts, "t");
      assertEquals(rle, fromList);
      assertArrayEquals(counts, RleStrings.decode(RleStrings.encode(counts), "t"));
      assertEquals(r.get("segmentation").get("counts").asText(), fromList.toCompressedString());
    }
  }

  @Test
  void unionOnRunsEqualsPixelOr() throws Exception {
    Map<Long, List<Rle>> byImage = new HashMap<>();
    for (JsonNode r : RESULTS) {
      byImage.computeIfAbsent(r.get("image_id").asLong(), k -> new ArrayList<>()).add(rle(r));
    }
    int checked = 0;
    for (List<Rle> rles : byImage.values()) {
      if (rles.size() < 2) {
        continue;
      }
      Rle union = Rle.union(rles);
      BinaryMask expected = rles.get(0).decode();
      for (Rle r : rles) {
        expected.unionWith(r.decode());
      }
      assertEquals(expected, union.decode());
      assertEquals(Rle.encode(expected), union); // canonical runs, like rleMerge
      checked++;
    }
    assertTrue(checked > 50, "images with several masks: " + checked);
  }

  @Test
  void countsNotSummingToTheSizeAreRleInvalid() {
    InputException e = assertThrows(InputException.class, () -> Rle.of(4, 4, new int[] {3, 4, 5}, "annotation 7"));
    assertEquals(ErrorCode.RLE_INVALID, e.code());
    assertTrue(e.getMessage().contains("annotation 7") && e.getMessage().contains("12"), e.getMessage());
    String real = RESULTS.get(0).get("segmentation").get("counts").asText();
    assertEquals(ErrorCode.RLE_INVALID,
        assertThrows(InputException.class, () -> Rle.fromString(real, 478, 641, "a")).code());
    assertEquals(ErrorCode.RLE_INVALID,
        assertThrows(InputException.class, () -> Rle.fromString("ab~{", 2, 2, "a")).code());
    assertEquals(ErrorCode.RLE_INVALID, // a number whose continuation bit is set at the end
        assertThrows(InputException.class, () -> Rle.fromString("0P", 1, 1, "a")).code());
    assertEquals(ErrorCode.RLE_INVALID,
        assertThrows(InputException.class, () -> Rle.of(2, 2, new int[] {5, -1}, "a")).code());
  }

  @Test
  void negativeDeltasUseTheSignBit() throws Exception {
    // the 4th count is stored as a difference to the 2nd; a smaller one is a negative delta
    int[] counts = {0, 100, 3, 1, 1, 200, 5};
    String s = RleStrings.encode(counts);
    assertArrayEquals(counts, RleStrings.decode(s, "t"));
    assertEquals(301, Rle.of(31, 10, counts, "t").area());
  }
}
