package dev.unseg.pipeline.mask;

import dev.unseg.pipeline.error.ErrorCode;
import dev.unseg.pipeline.error.InputException;
import java.util.Arrays;

/**
 * Rasterizes COCO polygons with the COCO mask API's own rule ({@code rleFrPoly}), so that masks
 * match what pycocotools produces for the same annotation, pixel for pixel:
 *
 * <ol>
 *   <li>scale the vertices by 5 and round each to an int ({@code (int)(5v + 0.5)}, truncating
 *       toward zero like the C cast);
 *   <li>walk every edge (the last vertex joins the first) on that 5x grid, one point per step along
 *       its longer axis, the other coordinate rounded the same way;
 *   <li>wherever the walk moves to another column, take the column {@code min(u, u-1 when moving
 *       right)}, map it back ({@code (u + 0.5) / 5 - 0.5}); only whole numbers inside
 *       {@code [0, w-1]} are pixel columns; the row is {@code ceil} of the mapped smaller y, clamped
 *       to {@code [0, h]};
 *   <li>each such (column, row) toggles foreground on from there down the column-major pixel
 *       order: sorting the positions and taking differences gives the RLE counts (equal positions
 *       cancel out).
 * </ol>
 * Vertices outside the image are therefore allowed: columns outside are dropped and rows are
 * clamped, exactly as frPoly does. A part of 2 vertices is a valid degenerate polygon (its
 * edges cancel out, so it covers nothing).
 */
public final class PolygonRasterizer {
  /** Coordinates beyond this (in pixels) are refused: walking such an edge would cost millions of steps. */
  public static final double MAX_ABS_COORDINATE = 1_000_000;

  private static final double SCALE = 5;

  private PolygonRasterizer() {}

  /**
   * Checks one polygon part: an even number of finite coordinates, at least 2 vertices.
   *
   * @return null when valid, else why not (for an {@link ErrorCode#POLYGON_INVALID} message)
   */
  public static String problem(double[] xy) {
    if (xy.length % 2 != 0) {
      return "has an odd number of coordinates (" + xy.length + "); polygons are [x1, y1, x2, y2, ...]";
    }
    if (xy.length < 4) {
      return "has " + xy.length / 2 + " point(s); a polygon needs at least 2";
    }
    for (int i = 0; i < xy.length; i++) {
      double v = xy[i];
      if (!Double.isFinite(v)) {
        return "coordinate #" + i + " is " + v;
      }
      if (Math.abs(v) > MAX_ABS_COORDINATE) {
        return "coordinate #" + i + " is " + v + ", absurdly far outside any image";
      }
    }
    return null;
  }

  /**
   * The union of all parts as one RLE of {@code height x width}.
   *
   * @throws InputException POLYGON_INVALID when there is no part or a part fails {@link #problem}
   */
  public static Rle rasterize(double[][] parts, int height, int width, String source) throws InputException {
    if (parts.length == 0) {
      throw new InputException(ErrorCode.POLYGON_INVALID, source + ": polygon segmentation has no parts");
    }
    Rle[] rles = new Rle[parts.length];
    for (int i = 0; i < parts.length; i++) {
      String why = problem(parts[i]);
      if (why != null) {
        throw new InputException(ErrorCode.POLYGON_INVALID, source + ": polygon part #" + i + " " + why);
      }
      rles[i] = rasterizePart(parts[i], height, width);
    }
    return rles.length == 1 ? rles[0] : Rle.union(Arrays.asList(rles));
  }

  /** One part, already validated by {@link #problem}. */
  static Rle rasterizePart(double[] xy, int h, int w) {
    int k = xy.length / 2;
    int[] x = new int[k + 1];
    int[] y = new int[k + 1];
    for (int j = 0; j < k; j++) {
      x[j] = (int) (SCALE * xy[2 * j] + .5);
      y[j] = (int) (SCALE * xy[2 * j + 1] + .5);
    }
    x[k] = x[0];
    y[k] = y[0];
    // toggle positions (column * h + row), collected as the boundary is walked
    long[] pos = new long[64];
    int n = 0;
    boolean havePrev = false;
    int pu = 0;
    int pv = 0;
    for (int j = 0; j < k; j++) {
      int xs = x[j];
      int xe = x[j + 1];
      int ys = y[j];
      int ye = y[j + 1];
      int dx = Math.abs(xe - xs);
      int dy = Math.abs(ys - ye);
      boolean flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
      if (flip) {
        int t = xs;
        xs = xe;
        xe = t;
        t = ys;
        ys = ye;
        ye = t;
      }
      int steps = dx >= dy ? dx : dy;
      double s = dx >= dy ? (double) (ye - ys) / dx : (double) (xe - xs) / dy;
      for (int d = 0; d <= steps; d++) {
        int t = flip ? steps - d : d;
        int u;
        int v;
        if (dx >= dy) {
          u = t + xs;
          v = (int) (ys + s * t + .5);
        } else {
          v = t + ys;
          u = (int) (xs + s * t + .5);
        }
        if (havePrev && u != pu) {
          double xd = u < pu ? u : u - 1;
          xd = (xd + .5) / SCALE - .5;
          if (Math.floor(xd) == xd && xd >= 0 && xd <= w - 1) {
            double yd = v < pv ? v : pv;
            yd = (yd + .5) / SCALE - .5;
            if (yd < 0) {
              yd = 0;
            } else if (yd > h) {
              yd = h;
            }
            yd = Math.ceil(yd);
            if (n == pos.length) {
              pos = Arrays.copyOf(pos, n * 2);
            }
            pos[n++] = (long) xd * h + (long) yd;
          }
        }
        havePrev = true;
        pu = u;
        pv = v;
      }
    }
    return Rle.trusted(h, w, countsFromToggles(pos, n, (long) h * w));
  }

  /** Sorted toggle positions to run lengths; a repeated position toggles twice, i.e. not at all. */
  private static int[] countsFromToggles(long[] pos, int n, long total) {
    Arrays.sort(pos, 0, n);
    int[] cnts = new int[n + 1];
    int m = 0;
    long last = 0; // position where the current run started
    boolean on = false; // value of the current run
    int i = 0;
    while (i < n) {
      long p = pos[i];
      int same = 1;
      while (i + same < n && pos[i + same] == p) {
        same++;
      }
      i += same;
      if ((same & 1) == 0) {
        continue; // even number of toggles at one place: no change
      }
      cnts[m++] = (int) (p - last);
      last = p;
      on = !on;
    }
    if (total > last || m == 0) {
      // the mask API appends h*w as a final boundary; a toggle exactly there leaves no empty run
      cnts[m++] = (int) (total - last);
    }
    return Arrays.copyOf(cnts, m);
  }
}
