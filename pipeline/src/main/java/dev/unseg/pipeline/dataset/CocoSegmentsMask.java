package dev.unseg.pipeline.dataset;

import dev.unseg.pipeline.error.ErrorCode;
import dev.unseg.pipeline.error.InputException;
import dev.unseg.pipeline.mask.BinaryMask;
import dev.unseg.pipeline.mask.PolygonRasterizer;
import dev.unseg.pipeline.mask.Rle;
import java.util.List;

/**
 * The union of the selected COCO instance segmentations of one image, rasterized at the size the
 * index gives for the image (as pycocotools' {@code annToMask} does).
 *
 * @param width the images entry's width, 0 when the index has none (the decoded size is then used)
 * @param height the images entry's height, 0 likewise
 * @param annotationIds parallel to {@code segments}, for messages
 */
public record CocoSegmentsMask(String imagePath, int width, int height, List<CocoSegmentation> segments, long[] annotationIds)
    implements MaskSource {

  public CocoSegmentsMask {
    segments = List.copyOf(segments);
    annotationIds = annotationIds.clone();
    if (annotationIds.length != segments.size()) {
      throw new IllegalArgumentException(annotationIds.length + " ids for " + segments.size() + " segments");
    }
  }

  @Override
  public BinaryMask build(int imageWidth, int imageHeight, AnnotationStore annotations) throws InputException {
    if ((width != 0 || height != 0) && (width != imageWidth || height != imageHeight)) {
      throw new InputException(ErrorCode.MASK_SIZE_MISMATCH,
          "image " + imagePath + " decodes to " + imageWidth + "x" + imageHeight + " but the COCO index says "
              + width + "x" + height + "; its annotations were drawn for another size: fix the images entry or the file");
    }
    BinaryMask mask = new BinaryMask(imageWidth, imageHeight);
    for (int i = 0; i < segments.size(); i++) {
      String source = "image " + imagePath + ", annotation " + annotationIds[i];
      rle(segments.get(i), imageWidth, imageHeight, source).orInto(mask);
    }
    return mask;
  }

  private static Rle rle(CocoSegmentation s, int w, int h, String source) throws InputException {
    if (s instanceof CocoSegmentation.Polygons poly) {
      return PolygonRasterizer.rasterize(poly.parts(), h, w, source);
    }
    CocoSegmentation.RleCounts r = (CocoSegmentation.RleCounts) s;
    if (r.width() != w || r.height() != h) {
      throw new InputException(ErrorCode.MASK_SIZE_MISMATCH,
          source + ": RLE size is " + r.width() + "x" + r.height() + " (w x h) but the image is " + w + "x" + h);
    }
    return Rle.fromString(r.counts(), h, w, source);
  }
}
