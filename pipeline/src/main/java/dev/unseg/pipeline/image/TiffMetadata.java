package dev.unseg.pipeline.image;

import java.awt.image.RenderedImage;
import java.util.Set;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOInvalidTreeException;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * A TIFF input's tags, as the metadata of the writer that writes its protected copy. TwelveMonkeys and the JDK
 * describe an IFD in the same tree (TIFFIFD, TIFFField, its values) under two format names: TwelveMonkeys
 * reads and writes JAI's, the JDK its own. Renaming the root carries every tag over (GeoTIFF keys and tie
 * points, GDAL metadata and nodata, the compression); each writer sets the layout tags (sizes, strips,
 * samples) itself. Both write samples pixel-interleaved, so a band-interleaved input's PlanarConfiguration
 * becomes 1 (left at 2, TwelveMonkeys' writer failed on an RGB photo: an index out of bounds).
 */
final class TiffMetadata {
  /** TwelveMonkeys' native format (JAI's name). */
  static final String JAI_NATIVE = "com_sun_media_imageio_plugins_tiff_image_1.0";
  /** The JDK's native format. */
  static final String JDK_NATIVE = "javax_imageio_tiff_image_1.0";
  private static final Set<String> NATIVE = Set.of(JAI_NATIVE, JDK_NATIVE);
  private static final int PLANAR_CONFIGURATION = 284;
  private static final int GDAL_NODATA = 42113;

  private TiffMetadata() {}

  /** The IFD tree of a TIFF reader's metadata, under whichever of the two names it has; null if none. */
  static Element ifdTree(IIOMetadata metadata) {
    String name = metadata == null ? null : metadata.getNativeMetadataFormatName();
    return name != null && NATIVE.contains(name) ? (Element) metadata.getAsTree(name) : null;
  }

  /**
   * {@code original} for {@code writer}: unchanged when it is already the writer's format and not
   * band-interleaved (TwelveMonkeys' writer takes its reader's metadata as it is), else converted.
   */
  static IIOMetadata forWriter(IIOMetadata original, RenderedImage image, ImageWriter writer, ImageWriteParam param)
      throws IIOInvalidTreeException {
    Element tree = ifdTree(original);
    String target = writer.getOriginatingProvider().getNativeImageMetadataFormatName();
    if (tree == null || target.equals(original.getNativeMetadataFormatName()) && !planarSet(tree, false)) {
      return original;
    }
    planarSet(tree, true);
    IIOMetadataNode root = new IIOMetadataNode(target);
    // A snapshot first: appending a node moves it out of the list being walked.
    NodeList children = tree.getChildNodes();
    Node[] ifds = new Node[children.getLength()];
    for (int i = 0; i < ifds.length; i++) {
      ifds[i] = children.item(i);
    }
    for (Node ifd : ifds) {
      root.appendChild(ifd);
    }
    IIOMetadata converted = writer.getDefaultImageMetadata(new ImageTypeSpecifier(image), param);
    converted.setFromTree(target, root);
    return converted;
  }

  /** The field of tag {@code number} in an IFD tree, or null. */
  static Element field(Element tree, int number) {
    NodeList fields = tree.getElementsByTagName("TIFFField");
    for (int i = 0; i < fields.getLength(); i++) {
      Element field = (Element) fields.item(i);
      if (String.valueOf(number).equals(field.getAttribute("number"))) {
        return field;
      }
    }
    return null;
  }

  /** The first value of a field's {@code kind} (TIFFShort, TIFFAscii...), or null. */
  private static Element firstValue(Element field, String kind) {
    return field == null ? null : (Element) field.getElementsByTagName(kind).item(0);
  }

  /**
   * The nodata value of a GeoTIFF's metadata (GDAL_NODATA, tag 42113: the value as text) when it is a whole
   * number a sample can hold (0 to 65,535); null otherwise ("nan", "-9999", none).
   */
  static Long noData(IIOMetadata metadata) {
    Element tree = ifdTree(metadata);
    Element value = tree == null ? null : firstValue(field(tree, GDAL_NODATA), "TIFFAscii");
    if (value == null) {
      return null;
    }
    try {
      double v = Double.parseDouble(value.getAttribute("value").trim());
      return v >= 0 && v <= 65_535 && v == Math.rint(v) ? (long) v : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Whether the tree says band-interleaved (PlanarConfiguration 2); with {@code fix}, makes it say 1. */
  private static boolean planarSet(Element tree, boolean fix) {
    Element value = firstValue(field(tree, PLANAR_CONFIGURATION), "TIFFShort");
    boolean planar = value != null && "2".equals(value.getAttribute("value"));
    if (planar && fix) {
      value.setAttribute("value", "1");
    }
    return planar;
  }
}
