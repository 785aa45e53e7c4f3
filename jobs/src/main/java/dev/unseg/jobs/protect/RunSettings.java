package dev.unseg.jobs.protect;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.unseg.jobs.config.ConfigException;
import dev.unseg.jobs.config.GeneratorConfig;
import dev.unseg.jobs.config.ProtectConfig;
import dev.unseg.jobs.io.Locations;
import dev.unseg.jobs.io.Publisher;
import dev.unseg.pipeline.generator.SyntheticTextureGenerator;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The settings that decide an output's bytes, written to {@code _unseg/settings.json} when a run
 * starts afresh, so that {@code --resume} refuses to mix outputs made with other settings. Run
 * details (id, master, partitions, threads, failure limit) may change between runs. The key itself
 * is never written, only its fingerprint (an HMAC of a fixed label under the key: it identifies the
 * key and reveals nothing of it), so that resuming with another key is refused.
 */
final class RunSettings {
  static final String FILE = "settings.json";
  static final String KEY_FINGERPRINT = "unseg.generator.key-fingerprint";
  /** The JPEG library resolved at start (turbo or imageio): the two write different bytes. */
  static final String KEY_JPEG_CODEC = "unseg.codec.jpeg";
  private static final ObjectMapper JSON = new ObjectMapper();

  private RunSettings() {}

  static Map<String, String> of(ProtectConfig c) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("unseg.input.format", c.format().cliName());
    m.put("unseg.input.annotations", c.annotations());
    m.put("unseg.input.panoptic-masks", c.panopticMasks());
    m.put("unseg.input.selection", SelectionSpec.of(c.selection()));
    m.put("unseg.input.mask-name", c.maskName());
    m.put("unseg.output.format", c.protection().encode().format().name().toLowerCase(java.util.Locale.ROOT));
    m.put("unseg.output.jpeg-quality", String.valueOf(c.protection().encode().jpegQuality()));
    m.put("unseg.output.write-masks", String.valueOf(c.protection().writeMasks()));
    m.put(KEY_JPEG_CODEC, c.protection().jpegCodec().setting());
    m.put("unseg.output.copy-annotations", String.valueOf(c.copyAnnotations()));
    m.put("unseg.noise.eps", String.valueOf(c.protection().budget().eps()));
    m.put("unseg.noise.eps-bg", String.valueOf(c.protection().budget().epsBackground()));
    m.put("unseg.generator.kind", c.generator().kind().name().toLowerCase(java.util.Locale.ROOT));
    m.put("unseg.generator.cell-size", String.valueOf(c.generator().cellSize()));
    m.put("unseg.generator.model", c.generator().model());
    m.put("unseg.generator.model-sha256", c.generator().modelSha256());
    m.put(KEY_FINGERPRINT, c.generator().kind() == GeneratorConfig.Kind.SYNTHETIC
        ? SyntheticTextureGenerator.keyFingerprint(c.generator().key()) : "");
    return m;
  }

  static void record(FileSystem fs, Locations locations, ProtectConfig config) throws IOException {
    Publisher.publish(fs, locations.auditPath(FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(of(config)));
  }

  /** On --resume: the previous run's settings must be this run's, key by key. */
  static void checkSame(FileSystem fs, Locations locations, ProtectConfig config) throws IOException {
    Path file = locations.auditPath(FILE);
    if (!fs.exists(file)) {
      return; // a run that died before writing it has no outputs yet
    }
    Map<String, String> before;
    try (InputStream in = fs.open(file)) {
      before = JSON.readValue(in, new TypeReference<Map<String, String>>() {});
    }
    StringBuilder diff = new StringBuilder();
    of(config).forEach((key, now) -> {
      // A run recorded before the codec was a setting wrote its JPEGs with ImageIO.
      String was = key.equals(KEY_JPEG_CODEC) ? before.getOrDefault(key, "imageio") : before.get(key);
      if (key.equals(KEY_FINGERPRINT)) {
        if (was != null && !now.equals(was)) { // null: recorded by a version without fingerprints
          diff.append(String.format("%n  unseg.generator.key (--key, UNSEG_KEY): the run in --output was made with"
              + " another key (fingerprint %s, this key's %s); its noise and this key's would mix in one release",
              abbreviate(was), abbreviate(now)));
        }
      } else if (!now.equals(was)) {
        diff.append(String.format("%n  %s: the run in --output used '%s', this run '%s'", key, was, now));
      }
    });
    if (diff.length() > 0) {
      throw new ConfigException("--resume would mix outputs made with other settings:" + diff
          + "\nResume with the run's settings, or start again with --overwrite.");
    }
  }

  private static String abbreviate(String fingerprint) {
    return fingerprint.isEmpty() ? "none" : fingerprint.substring(0, Math.min(16, fingerprint.length()));
  }
}
