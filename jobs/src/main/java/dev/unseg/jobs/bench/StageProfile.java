package dev.unseg.jobs.bench;

import dev.unseg.pipeline.audit.Distortion;
import dev.unseg.pipeline.audit.Sha256;
import dev.unseg.pipeline.composite.Composite;
import dev.unseg.pipeline.dataset.BinaryMaskFile;
import dev.unseg.pipeline.dataset.LocalAnnotationStore;
import dev.unseg.pipeline.generator.GeneratorImage;
import dev.unseg.pipeline.generator.NoiseGenerator;
import dev.unseg.pipeline.image.DecodedImage;
import dev.unseg.pipeline.image.ImageCodec;
import dev.unseg.pipeline.mask.BinaryMask;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the milliseconds of one image go: every step of prepare and finish timed on its own, one
 * thread, per image kind. Printed by {@code unseg bench --profile} before the scenarios.
 */
final class StageProfile {
  private final Map<String, long[]> nanos = new LinkedHashMap<>();

  static void print(BenchData data, NoiseGenerator generator, PrintStream out) throws Exception {
    for (String ext : List.of(".jpg", ".png")) {
      List<String> files = data.files().stream().filter(f -> f.endsWith(ext)).toList();
      if (files.isEmpty()) {
        continue;
      }
      StageProfile p = new StageProfile();
      for (String f : files) {
        p.image(data, f, generator); // warm-up pass
      }
      p.nanos.clear();
      for (String f : files) {
        p.image(data, f, generator);
      }
      StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "profile %s (ms/image, 1 thread):", ext));
      long total = 0;
      for (Map.Entry<String, long[]> e : p.nanos.entrySet()) {
        total += e.getValue()[0];
        sb.append(String.format(Locale.ROOT, " %s %.1f", e.getKey(), e.getValue()[0] / 1e6 / files.size()));
      }
      out.println(sb.append(String.format(Locale.ROOT, "; total %.1f", total / 1e6 / files.size())));
    }
  }

  private interface Step<T> {
    T get() throws Exception;
  }

  private <T> T timed(String name, Step<T> step) throws Exception {
    long start = System.nanoTime();
    T v = step.get();
    nanos.computeIfAbsent(name, k -> new long[1])[0] += System.nanoTime() - start;
    return v;
  }

  private void image(BenchData data, String f, NoiseGenerator generator) throws Exception {
    ImageCodec codec = new ImageCodec(Scenarios.MAX_PIXELS);
    byte[] bytes = timed("read", () -> Files.readAllBytes(data.images().resolve(f)));
    timed("sha-in", () -> Sha256.hex(bytes));
    DecodedImage img = timed("decode", () -> codec.decode(bytes, f));
    BinaryMask mask = timed("mask", () -> new BinaryMaskFile(f.substring(0, f.lastIndexOf('.')) + ".png")
        .build(img.width(), img.height(), new LocalAnnotationStore(data.masks())));
    float[] prompt = timed("prompt", () -> Composite.maskPrompt(mask));
    timed("sha-prompt", () -> Sha256.ofPrompt(prompt));
    GeneratorImage x = generator.info().needsImage()
        ? timed("X", () -> Composite.generatorInput(generator.info().imageInput(), img.rgb(), img.width(), img.height()))
        : null;
    float[] noise = timed("generate", () -> generator.generate(Collections.singletonList(x), List.of(prompt)).get(0));
    // W once, for the composite and the audit's eps region, as ImageProtector does.
    BinaryMask eps = timed("W", () -> new BinaryMask(img.width(), img.height(),
        Composite.foregroundWeight(prompt, img.width(), img.height())));
    byte[] rgb = timed("composite", () -> Composite.protectWithWeight(img.rgb(), img.width(), img.height(),
        eps.pixels(), noise, Scenarios.PROTECTION.budget()));
    byte[] out = timed("encode", () -> codec.encode(img, rgb, Scenarios.PROTECTION.encode()));
    byte[] back = timed("re-decode", () -> codec.decode(out, f).rgb());
    timed("distortion", () -> Distortion.measure(img.rgb(), back, eps));
    timed("sha-out", () -> Sha256.hex(out));
  }
}
