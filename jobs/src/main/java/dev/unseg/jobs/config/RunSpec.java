package dev.unseg.jobs.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.unseg.jobs.io.Locations;
import dev.unseg.pipeline.dataset.DatasetFormat;
import dev.unseg.pipeline.dataset.Selection;
import dev.unseg.pipeline.error.UserError;
import dev.unseg.pipeline.generator.SyntheticTextureGenerator;
import dev.unseg.pipeline.image.ImageCodec;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a protect run was: the dataset it read and everything that decides its output's bytes, named by
 * the config keys that set them. Written once, when a run starts afresh, to {@code _unseg/settings.json}
 * (and embedded in {@code summary.json}); {@code --resume} compares with it, and verify, report and
 * evaluate read the dataset and settings from it, never from a re-parsed config. The generator's key is
 * never written, only its fingerprint (an HMAC of a fixed label under the key: it identifies the key and
 * reveals nothing of it).
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonIgnoreProperties(ignoreUnknown = true) // a newer version's extra keys do not stop an older reader
public record RunSpec(
    @JsonProperty("unseg.input.format") String format,
    @JsonProperty("unseg.input.images") String images,
    @JsonProperty("unseg.input.annotations") String annotations,
    @JsonProperty("unseg.input.panoptic-masks") String panopticMasks,
    @JsonProperty("unseg.input.selection") String selection,
    @JsonProperty("unseg.input.mask-name") String maskName,
    @JsonProperty("unseg.input.image-list") String imageList,
    @JsonProperty("unseg.input.sample-bits") Integer sampleBits,
    @JsonProperty("unseg.output.uri") String output,
    @JsonProperty("unseg.output.format") String outputFormat,
    @JsonProperty("unseg.output.jpeg-quality") String jpegQuality,
    @JsonProperty("unseg.output.write-masks") boolean writeMasks,
    @JsonProperty("unseg.output.copy-annotations") boolean copyAnnotations,
    @JsonProperty("unseg.codec.jpeg") String jpegCodec,
    @JsonProperty("unseg.noise.eps") double eps,
    @JsonProperty("unseg.noise.eps-bg") double epsBackground,
    @JsonProperty("unseg.limits.max-pixels") long maxPixels,
    @JsonProperty("unseg.limits.max-file-bytes") long maxFileBytes,
    @JsonProperty("unseg.generator.kind") String generator,
    @JsonProperty("unseg.generator.cell-size") int cellSize,
    @JsonProperty("unseg.generator.synthetic.design") String design,
    @JsonProperty("unseg.generator.model") String model,
    @JsonProperty("unseg.generator.model-sha256") String modelSha256,
    @JsonProperty(RunSpec.KEY_FINGERPRINT) String keyFingerprint)
    implements Serializable {

  public static final String KEY_FINGERPRINT = "unseg.generator.key-fingerprint";
  private static final String MODEL_SHA256 = "unseg.generator.model-sha256";
  private static final ObjectMapper JSON = new ObjectMapper();
  /**
   * Keys that say where the run read and wrote, or which images it may refuse, not what its bytes are:
   * a resumed run may read the same dataset from another mount, or raise a limit.
   */
  private static final Set<String> NOT_COMPARED = Set.of("unseg.input.images", "unseg.output.uri",
      "unseg.limits.max-pixels", "unseg.limits.max-file-bytes");

  /** Keys that hold locations: compared as absolute URIs (a run recorded before they were, kept them as given). */
  private static final Set<String> LOCATIONS = Set.of("unseg.input.annotations", "unseg.input.panoptic-masks",
      "unseg.input.image-list");

  public RunSpec {
    // A run recorded before the codec was a setting wrote its JPEGs with ImageIO: the two write other bytes.
    jpegCodec = jpegCodec == null ? "imageio" : jpegCodec;
    // Likewise, a run recorded before the design was a setting made the cells design.
    design = design == null ? "cells" : design;
    // And a run recorded before image lists took every image under its root.
    imageList = imageList == null ? "" : imageList;
    // And one recorded before 16-bit data could hold fewer bits viewed their high byte.
    sampleBits = sampleBits == null ? ImageCodec.FULL_SAMPLE_BITS : sampleBits;
  }

  public static RunSpec of(ProtectConfig c) {
    return new RunSpec(c.format().cliName(), where(c.images()), where(c.annotations()), where(c.panopticMasks()),
        SelectionSpec.of(c.selection()), c.maskName(), where(c.imageList()), c.protection().sampleBits(), where(c.output()),
        c.protection().encode().format().name().toLowerCase(Locale.ROOT), c.protection().encode().jpegQualitySetting(),
        c.protection().writeMasks(), c.copyAnnotations(), c.protection().jpegCodec().setting(), c.protection().budget().eps(),
        c.protection().budget().epsBackground(), c.protection().maxPixels(), c.protection().maxFileBytes(),
        c.generator().kind().name().toLowerCase(Locale.ROOT), c.generator().cellSize(),
        c.generator().design().name().toLowerCase(Locale.ROOT), c.generator().model(),
        c.generator().modelSha256(), c.generator().kind() == GeneratorConfig.Kind.SYNTHETIC
            ? SyntheticTextureGenerator.keyFingerprint(c.generator().key()) : "");
  }

  /**
   * A location as an absolute URI ({@code samples/x} becomes {@code file:/.../samples/x}), so that verify,
   * report and evaluate find the run's inputs from any working folder; empty stays empty.
   */
  private static String where(String location) {
    return location == null || location.isEmpty() ? "" : Locations.qualify(location).toString();
  }

  /**
   * The same run, its output found elsewhere: a release moved or copied after protect wrote it (downloaded
   * from the bucket, say) is read where it is now, with the layout the run recorded.
   */
  public RunSpec withOutput(String root) {
    return new RunSpec(format, images, annotations, panopticMasks, selection, maskName, imageList, sampleBits, where(root), outputFormat,
        jpegQuality, writeMasks, copyAnnotations, jpegCodec, eps, epsBackground, maxPixels, maxFileBytes, generator, cellSize,
        design, model, modelSha256, keyFingerprint);
  }

  /** The same run selecting {@code s}: the selection with a COCO index's category names resolved to ids. */
  public RunSpec withSelection(Selection s) {
    return new RunSpec(format, images, annotations, panopticMasks, SelectionSpec.of(s), maskName, imageList, sampleBits, output,
        outputFormat, jpegQuality, writeMasks, copyAnnotations, jpegCodec, eps, epsBackground, maxPixels, maxFileBytes,
        generator, cellSize, design, model, modelSha256, keyFingerprint);
  }

  /** The same run with the SHA-256 of the model file it reads (where none was given, the file's own). */
  public RunSpec withModelSha256(String digest) {
    return new RunSpec(format, images, annotations, panopticMasks, selection, maskName, imageList, sampleBits, output, outputFormat,
        jpegQuality, writeMasks, copyAnnotations, jpegCodec, eps, epsBackground, maxPixels, maxFileBytes, generator, cellSize,
        design, model, digest, keyFingerprint);
  }

  /** The same run, its images read from another root (verify's {@code --originals}). */
  public RunSpec withImages(String root) {
    return new RunSpec(format, root, annotations, panopticMasks, selection, maskName, imageList, sampleBits, output, outputFormat, jpegQuality,
        writeMasks, copyAnnotations, jpegCodec, eps, epsBackground, maxPixels, maxFileBytes, generator, cellSize, design, model,
        modelSha256, keyFingerprint);
  }

  @JsonIgnore
  public DatasetFormat datasetFormat() {
    return DatasetFormat.fromName(format);
  }

  @JsonIgnore
  public Selection segmentSelection() {
    return "default".equals(selection) ? Selection.defaultFor(datasetFormat()) : Selection.parse(selection);
  }

  public Locations locations() {
    return Locations.of(images, annotations, output);
  }

  /** Where label maps, mask files or panoptic PNGs are read from. */
  public URI annotationRoot(Locations locations) {
    return switch (datasetFormat()) {
      case COCO -> Locations.qualify(new org.apache.hadoop.fs.Path(locations.annotations()).getParent().toString());
      case COCO_PANOPTIC -> panopticFolder(locations.annotations(), panopticMasks);
      default -> Locations.directory(locations.annotations());
    };
  }

  /**
   * The folder of a COCO panoptic index's PNGs: {@code unseg.input.panoptic-masks}, or where it is empty
   * the JSON's path without ".json" (COCO's own layout: panoptic_val2017.json beside panoptic_val2017/).
   */
  public static URI panopticFolder(URI panopticJson, String panopticMasks) {
    String masks = panopticMasks;
    if (masks == null || masks.isEmpty()) {
      String json = panopticJson.toString();
      masks = json.endsWith(".json") ? json.substring(0, json.length() - 5) : json + "_png";
    }
    return Locations.directory(Locations.qualify(masks));
  }

  public byte[] toJson() throws IOException {
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this);
  }

  public static RunSpec fromJson(java.io.InputStream in) throws IOException {
    return JSON.readValue(in, RunSpec.class);
  }

  public Map<String, Object> asMap() {
    return JSON.convertValue(this, new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {});
  }

  /**
   * On {@code --resume}: the previous run's spec must be this run's, key by key (but for where it read and
   * wrote, and its limits). A spec written by an older version lacks the keys it did not record.
   */
  public void checkResumable(RunSpec before) {
    Map<String, Object> was = before.asMap();
    StringBuilder diff = new StringBuilder();
    asMap().forEach((key, now) -> {
      Object then = was.get(key);
      // A spec of an older version lacks the keys it did not record, and recorded no digest of a model given without one.
      if (NOT_COMPARED.contains(key) || then == null || key.equals(MODEL_SHA256) && "".equals(then)) {
        return;
      }
      if (key.equals(KEY_FINGERPRINT)) {
        if (!now.equals(then)) {
          diff.append(String.format("%n  unseg.generator.key (--key, UNSEG_KEY): the run in --output was made with"
              + " another key (fingerprint %s, this key's %s); its noise and this key's would mix in one release",
              abbreviate(then.toString()), abbreviate(now.toString())));
        }
      } else if (LOCATIONS.contains(key) ? !where((String) now).equals(where((String) then))
          : !String.valueOf(now).equals(String.valueOf(then))) {
        diff.append(String.format("%n  %s: the run in --output used '%s', this run '%s'", key, then, now));
      }
    });
    if (diff.length() > 0) {
      throw new UserError("--resume would mix outputs made with other settings:" + diff
          + "\nResume with the run's settings, or start again with --overwrite.");
    }
  }

  private static String abbreviate(String fingerprint) {
    return fingerprint.isEmpty() ? "none" : fingerprint.substring(0, Math.min(16, fingerprint.length()));
  }

  @Override
  public String toString() {
    return asMap().toString();
  }
}
