package dev.unseg.pipeline.mask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unseg.pipeline.error.ErrorCode;
import dev.unseg.pipeline.error.InputException;
import org.junit.jupiter.api.Test;

class PolygonRasterizerTest {

  private static BinaryMask raster(int h, int w, double[]... parts) throws InputException {
    return PolygonRasterizer.rasterize(parts, h, w, "test").decode();
  }

  private static double shoelace(double[] xy) {
    double a = 0;
    int k = xy.length / 2;
    for (int i = 0; i < k; i++) {
      int j = (i + 1) % k;
      a += xy[2 * i] * xy[2 * j + 1] - xy[2 * j] * xy[2 * i + 1];
    }
    return Math.abs(a) / 2;
  }

  private static double[] circle(double cx, double cy, double r, int n) {
    double[] xy = new double[2 * n];
    for (int i = 0; i < n; i++) {
      xy[2 * i] = cx + r * Math.cos(2 * Math.PI * i / n);
      xy[2 * i + 1] = cy + r * Math.sin(2 * Math.PI * i / n);
    }
    return xy;
  }

  /**
   * Hand derivation with frPoly's rule, square (0.5,0.5)-(2.5,2.5) on a 4x4 image:
   * scaled by 5 and rounded: x = (3,13,13,3), y = (3,3,13,13). Top edge walks u = 3..13 at v = 3;
   * moving right, the column is u-1 = 3..12 mapped by (c + .5) / 5 - .5, whole only for c = 7, 12:
   * columns 1 and 2; row ceil((3 + .5) / 5 - .5) = ceil(0.2) = 1. Bottom edge walks u = 13..3 at
   * v = 13; moving left the column is u = 12, 7: columns 2, 1; row ceil(13.5 / 5 - .5) = ceil(2.2)
   * = 3. Vertical edges never change column. Toggles (x*h + y): 5, 9, 11, 7; sorted 5,7,9,11 with
   * h*w = 16: counts [5,2,2,2,5]: pixels (1,1),(1,2),(2,1),(2,2). The corner pixel (0,0), whose
   * centre (0.5,0.5) is the polygon's vertex, is out.
   */
  @Test
  void handDerivedFractionalSquare() throws Exception {
    Rle r = PolygonRasterizer.rasterize(new double[][] {{0.5, 0.5, 2.5, 0.5, 2.5, 2.5, 0.5, 2.5}}, 4, 4, "t");
    assertEquals(Rle.of(4, 4, new int[] {5, 2, 2, 2, 5}, "t"), r);
    BinaryMask m = r.decode();
    assertTrue(m.get(1, 1) && m.get(1, 2) && m.get(2, 1) && m.get(2, 2));
    assertEquals(4, m.count());
  }

  /** Integer square (0,0)-(2,2): columns 0,1 (c = 2, 7), rows from ceil(-0.4 -> 0) = 0 to ceil(1.6) = 2. */
  @Test
  void handDerivedIntegerSquare() throws Exception {
    Rle r = PolygonRasterizer.rasterize(new double[][] {{0, 0, 2, 0, 2, 2, 0, 2}}, 4, 4, "t");
    assertEquals(Rle.of(4, 4, new int[] {0, 2, 2, 2, 10}, "t"), r);
  }

  @Test
  void realSizedPolygonsCoverTheirShoelaceArea() throws Exception {
    double[][] polys = {
      circle(320, 240, 100, 64),
      circle(100.37, 77.81, 31.2, 23),
      {10.5, 20.25, 300.75, 40.1, 250.2, 400.9, 30.3, 350.6},
      {200.13, 100.77, 420.66, 130.2, 380.5, 300.1, 310.2, 180.4, 220.9, 290.3},
    };
    for (double[] p : polys) {
      long count = raster(480, 640, p).count();
      double area = shoelace(p);
      assertEquals(area, count, 0.02 * area, "area of " + p.length / 2 + "-gon");
    }
  }

  @Test
  void partsAreUnited() throws Exception {
    double[] a = {10, 10, 60, 10, 60, 60, 10, 60};
    double[] b = {40, 40, 90, 40, 90, 90, 40, 90};
    double[] c = {100, 5, 120, 5, 120, 25};
    BinaryMask expected = raster(100, 130, a);
    expected.unionWith(raster(100, 130, b));
    expected.unionWith(raster(100, 130, c));
    BinaryMask union = raster(100, 130, a, b, c);
    assertEquals(expected, union);
    assertEquals(2500 + 2500 - 400 + raster(100, 130, c).count(), union.count());
  }

  @Test
  void verticesOutsideTheImageAreClipped() throws Exception {
    // x and y from -5 to 10: columns 0..9 and rows 0..9 remain (see frPoly: columns < 0 dropped, rows clamped)
    BinaryMask m = raster(20, 20, new double[] {-5, -5, 10, -5, 10, 10, -5, 10});
    assertEquals(100, m.count());
    for (int y = 0; y < 10; y++) {
      for (int x = 0; x < 10; x++) {
        assertTrue(m.get(x, y));
      }
    }
    // a big triangle with x + y <= 40 covers the whole 20x20 image
    assertEquals(400, raster(20, 20, new double[] {-10, -10, 50, -10, -10, 50}).count());
    // entirely outside: nothing
    assertEquals(0, raster(20, 20, new double[] {30, 30, 40, 30, 40, 40}).count());
    assertEquals(0, raster(20, 20, new double[] {-30, 5, -20, 5, -20, 15}).count());
  }

  @Test
  void fractionalCoordinatesShiftCoverage() throws Exception {
    BinaryMask whole = raster(10, 10, new double[] {2, 2, 6, 2, 6, 6, 2, 6});
    BinaryMask shifted = raster(10, 10, new double[] {2.45, 2.45, 6.45, 2.45, 6.45, 6.45, 2.45, 6.45});
    BinaryMask moreShifted = raster(10, 10, new double[] {2.55, 2.55, 6.55, 2.55, 6.55, 6.55, 2.55, 6.55});
    assertEquals(16, whole.count());
    assertEquals(16, shifted.count());
    assertTrue(whole.get(2, 2) && !whole.get(6, 6));
    assertTrue(shifted.get(2, 2) && !shifted.get(6, 6)); // under half a pixel: same pixels
    assertTrue(!moreShifted.get(2, 2) && moreShifted.get(6, 6)); // past half a pixel: next ones
  }

  @Test
  void fourNumbersAreADegeneratePolygonCoveringNothing() throws Exception {
    assertEquals(0, raster(20, 20, new double[] {1, 1, 15, 12}).count());
  }

  @Test
  void badPolygonsArePolygonInvalid() {
    double[][][] bad = {
      {{1, 2}}, // one point
      {{1, 2, 3, 4, 5}}, // odd count
      {{1, 2, Double.NaN, 4, 5, 6}},
      {{1, 2, 3, Double.POSITIVE_INFINITY, 5, 6}},
      {},
      {{1, 2, 3, 4, 5, 6}, {1, 1e9, 2, 2, 3, 3}},
    };
    for (double[][] p : bad) {
      InputException e = assertThrows(InputException.class, () -> PolygonRasterizer.rasterize(p, 10, 10, "annotation 42"));
      assertEquals(ErrorCode.POLYGON_INVALID, e.code());
      assertTrue(e.getMessage().startsWith("annotation 42"), e.getMessage());
    }
  }
}
