package dev.unseg.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.unseg.jobs.config.ProtectConfig;
import dev.unseg.pipeline.dataset.DatasetFormat;
import dev.unseg.pipeline.error.UserError;
import java.io.File;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Validation names the key; the shipped profiles are valid; reference.conf has every default. */
class ConfigTest {
  static Config with(Map<String, Object> values) {
    Map<String, Object> base = new HashMap<>(Map.of(
        "unseg.input.format", "coco", "unseg.input.images", "in/images", "unseg.input.annotations", "in/a.json",
        "unseg.output.uri", "out", "unseg.generator.key", "k"));
    base.putAll(values);
    return ConfigFactory.parseMap(base).withFallback(ConfigFactory.defaultReference()).resolve();
  }

  @ParameterizedTest
  @CsvSource({
      "unseg.input.format, tiff, unseg.input.format",
      "unseg.noise.eps, 300, unseg.noise.eps",
      "unseg.noise.eps-bg, -1, unseg.noise.eps-bg",
      "unseg.output.jpeg-quality, 0, unseg.output.jpeg-quality",
      "unseg.output.jpeg-quality, best, unseg.output.jpeg-quality",
      "unseg.output.format, webp, unseg.output.format",
      "unseg.generator.kind, magic, unseg.generator.kind",
      "unseg.generator.device, tpu, unseg.generator.device",
      "unseg.generator.model-sha256, abc, unseg.generator.model-sha256",
      "unseg.generator.batch-size, 64, unseg.pipeline.max-in-flight",
      "unseg.input.selection, 'classes:1,,2', unseg.input.selection",
      "unseg.partitions.size, 0, unseg.partitions.size",
      "unseg.limits.max-file-bytes, lots, unseg.limits.max-file-bytes",
      "unseg.run.progress-interval, soon, unseg.run.progress-interval",
      "unseg.codec.jpeg, fast, unseg.codec.jpeg",
  })
  void badValuesNameTheirKey(String key, String value, String named) {
    UserError e = assertThrows(UserError.class, () -> ProtectConfig.from(with(Map.of(key, value))));
    assertTrue(e.getMessage().contains(named), e.getMessage());
  }

  /** +crowd means COCO's crowd regions: refused for formats that have none, instead of being silently meaningless. */
  @ParameterizedTest
  @ValueSource(strings = {"ade20k", "cityscapes", "voc", "mask-pairs"})
  void crowdIsRefusedWhereTheFormatHasNone(String format) {
    UserError e = assertThrows(UserError.class, () -> ProtectConfig.from(with(Map.of("unseg.input.format", format,
        "unseg.input.annotations", "in/labels", "unseg.input.selection", "all+crowd"))));
    assertTrue(e.getMessage().startsWith("unseg.input.selection = 'all+crowd' is not valid")
        && e.getMessage().contains("drop it") && e.getMessage().contains("--select"), e.getMessage());
    assertEquals("all+crowd", dev.unseg.jobs.config.SelectionSpec.of(ProtectConfig.from(with(Map.of(
        "unseg.input.selection", "all+crowd"))).selection()), "COCO keeps it");
  }

  /** Mask pairs have mask values, not class names: a name is refused with what to give instead. */
  @Test
  void maskPairsTakeMaskValues() {
    UserError e = assertThrows(UserError.class, () -> ProtectConfig.from(with(Map.of("unseg.input.format", "mask-pairs",
        "unseg.input.annotations", "in/masks", "unseg.input.selection", "class:pet"))));
    assertTrue(e.getMessage().contains("mask values such as class:1 or classes:1,3"), e.getMessage());
    assertEquals("classes:1,3", dev.unseg.jobs.config.SelectionSpec.of(ProtectConfig.from(with(Map.of(
        "unseg.input.format", "mask-pairs", "unseg.input.annotations", "in/masks", "unseg.input.selection", "classes:3,1")))
        .selection()));
  }

  /** The budget's two rules name the one key at fault, the accepted range and the flag, in a user's words. */
  @Test
  void budgetRulesNameTheKeyAtFault() {
    UserError zero = assertThrows(UserError.class, () -> ProtectConfig.from(with(Map.of("unseg.noise.eps", "0"))));
    assertEquals("unseg.noise.eps = '0.0' is not valid: it accepts a number above 0 up to 255 grey levels (a budget of 0"
        + " protects nothing) (flag --eps)", zero.getMessage());
    UserError outside = assertThrows(UserError.class, () -> ProtectConfig.from(with(Map.of("unseg.noise.eps-bg", "9"))));
    assertEquals("unseg.noise.eps-bg = '9.0' is not valid: it accepts a number from 0 up to --eps (8.0): the budget"
        + " outside the objects is at most the one inside (flag --eps-bg)", outside.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"unseg.input.images", "unseg.input.annotations", "unseg.output.uri"})
  void missingRequiredKeysAreNamed(String key) {
    UserError e = assertThrows(UserError.class, () -> ProtectConfig.from(with(Map.of(key, ""))));
    assertTrue(e.getMessage().contains(key) && e.getMessage().contains("--"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"local.conf", "emr.conf", "dataproc.conf"})
  void shippedProfilesAreValid(String profile) {
    Config c = ConfigFactory.parseMap(Map.of("unseg.input.format", "ade20k", "unseg.input.images", "s3a://b/images",
            "unseg.input.annotations", "s3a://b/annotations", "unseg.output.uri", "s3a://b/out",
            "unseg.generator.key", "k", "unseg.generator.model", "s3a://b/m.pt"))
        .withFallback(ConfigFactory.parseFile(new File("../conf/" + profile)))
        .withFallback(ConfigFactory.defaultReference()).resolve();
    ProtectConfig p = ProtectConfig.from(c);
    assertEquals(DatasetFormat.ADE20K, p.format());
  }

  @ParameterizedTest
  @ValueSource(strings = {"coco", "coco-panoptic", "ade20k", "cityscapes", "voc", "mask-pairs"})
  void defaultsAreValidForEveryFormat(String format) {
    ProtectConfig p = ProtectConfig.from(with(Map.of("unseg.input.format", format)));
    assertEquals(8.0, p.protection().budget().eps());
    assertEquals(2.0, p.protection().budget().epsBackground());
    assertEquals(dev.unseg.pipeline.image.EncodeOptions.INPUT_JPEG_QUALITY, p.protection().encode().jpegQuality());
    ProtectConfig fixed = ProtectConfig.from(with(Map.of("unseg.input.format", format, "unseg.output.jpeg-quality", 90)));
    assertEquals(90, fixed.protection().encode().jpegQuality());
  }

  @org.junit.jupiter.api.Test
  void pipelineThreadsAreTheSettingElseTheExecutorsCores() {
    ProtectConfig auto = ProtectConfig.from(with(Map.of()));
    assertEquals(4, auto.pipeline(java.util.OptionalInt.of(4)).workerThreads());
    assertEquals(Runtime.getRuntime().availableProcessors(), auto.pipeline(java.util.OptionalInt.empty()).workerThreads());
    ProtectConfig three = ProtectConfig.from(with(Map.of("unseg.pipeline.threads", 3)));
    assertEquals(3, three.pipeline(java.util.OptionalInt.of(16)).workerThreads());
  }

  @org.junit.jupiter.api.Test
  void theKeyNeverShowsInTheDigestOrToString() {
    ProtectConfig a = ProtectConfig.from(with(Map.of("unseg.generator.key", "secret-one")));
    ProtectConfig b = ProtectConfig.from(with(Map.of("unseg.generator.key", "secret-two")));
    assertEquals(a.configDigest(), b.configDigest());
    assertTrue(!a.toString().contains("secret-one"), a.toString());
  }

  @org.junit.jupiter.api.Test
  void theJpegCodecIsResolvedAtStartAndTurboWithoutTheLibraryIsRefused() {
    boolean turbo = dev.unseg.pipeline.image.JpegCodec.turboUnavailableReason() == null;
    dev.unseg.pipeline.image.JpegCodec auto = ProtectConfig.from(with(Map.of())).protection().jpegCodec();
    assertEquals(turbo ? "TURBO" : "IMAGEIO", auto.name());
    assertEquals("IMAGEIO",
        ProtectConfig.from(with(Map.of("unseg.codec.jpeg", "imageio"))).protection().jpegCodec().name());
    if (turbo) {
      assertEquals("TURBO", ProtectConfig.from(with(Map.of("unseg.codec.jpeg", "turbo"))).protection().jpegCodec().name());
    } else {
      UserError e = assertThrows(UserError.class,
          () -> ProtectConfig.from(with(Map.of("unseg.codec.jpeg", "turbo"))));
      assertTrue(e.getMessage().contains("unseg.codec.jpeg") && e.getMessage().contains("libturbojpeg0"), e.getMessage());
    }
  }
}
